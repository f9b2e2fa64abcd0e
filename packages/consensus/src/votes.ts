/**
 * The vote keeper: per round and vote type, who voted for what and how much
 * power stands behind each value. It deduplicates and reports a second,
 * different vote from one validator as equivocation. As in the paper, "2f+1
 * PREVOTE(h, r, id(v))" counts every validator that sent a prevote for v, so an
 * equivocating vote still counts toward its own value (the gossip may relay both
 * halves of an equivocation), while the "any value" totals count a validator once.
 * It also tracks which validators sent anything in a round (the round skip of L55).
 * Updates copy the touched maps, so earlier states stay valid.
 */
import { powerOf } from './validators';
import { valueKey } from './types';
import type { Address, ValidatorSet, ValueId, Vote, VoteType } from './types';

/** Votes of one type in one round. */
export interface Tally {
  /** Each validator's first vote. */
  readonly byValidator: ReadonlyMap<Address, Vote>;
  /** Further, conflicting votes (value keys) of equivocating validators. */
  readonly conflicting: ReadonlyMap<Address, readonly string[]>;
  /** Power per value key (see `valueKey`). */
  readonly power: ReadonlyMap<string, number>;
  /** Power of all counted votes, whatever their value. */
  readonly total: number;
}

/** Everything the keeper knows about one round. */
export interface RoundVotes {
  readonly prevote: Tally;
  readonly precommit: Tally;
  /** Validators that sent any message (vote or proposal) in this round. */
  readonly senders: ReadonlySet<Address>;
  readonly senderPower: number;
}

/** Rounds of the current height. */
export type VoteKeeper = ReadonlyMap<number, RoundVotes>;

/** What adding a vote did. */
export type AddVoteResult =
  | { readonly outcome: 'added'; readonly keeper: VoteKeeper }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'not-a-validator' }
  | { readonly outcome: 'equivocation'; readonly first: Vote; readonly keeper: VoteKeeper }
  | { readonly outcome: 'known-equivocation' };

const EMPTY_TALLY: Tally = { byValidator: new Map(), conflicting: new Map(), power: new Map(), total: 0 };
const EMPTY_ROUND: RoundVotes = { prevote: EMPTY_TALLY, precommit: EMPTY_TALLY, senders: new Set(), senderPower: 0 };

/** An empty keeper. */
export const EMPTY_KEEPER: VoteKeeper = new Map();

/** The votes of `round`, empty when none came. */
export function roundVotes(keeper: VoteKeeper, round: number): RoundVotes {
  return keeper.get(round) ?? EMPTY_ROUND;
}

/** Power behind `value` (null for nil) among the votes of `type` in `round`. */
export function powerFor(keeper: VoteKeeper, round: number, type: VoteType, value: ValueId | null): number {
  return roundVotes(keeper, round)[type].power.get(valueKey(value)) ?? 0;
}

function withSender(rv: RoundVotes, set: ValidatorSet, address: Address): RoundVotes {
  if (rv.senders.has(address)) return rv;
  const senders = new Set(rv.senders);
  senders.add(address);
  return { ...rv, senders, senderPower: rv.senderPower + powerOf(set, address) };
}

/** Records that `address` sent a message in `round` (a proposal; votes record it themselves). */
export function addSender(keeper: VoteKeeper, set: ValidatorSet, round: number, address: Address): VoteKeeper {
  if (powerOf(set, address) === 0) return keeper;
  const rv = roundVotes(keeper, round);
  const next = withSender(rv, set, address);
  if (next === rv) return keeper;
  const copy = new Map(keeper);
  copy.set(round, next);
  return copy;
}

/** Adds a vote (already known to be for the keeper's height). */
export function addVote(keeper: VoteKeeper, set: ValidatorSet, vote: Vote): AddVoteResult {
  const power = powerOf(set, vote.validator);
  if (power === 0) return { outcome: 'not-a-validator' };
  const rv = roundVotes(keeper, vote.round);
  const tally = rv[vote.type];
  const existing = tally.byValidator.get(vote.validator);
  const key = valueKey(vote.value);
  const powerMap = new Map(tally.power);
  powerMap.set(key, (powerMap.get(key) ?? 0) + power);
  let nextTally: Tally;
  if (existing) {
    if (existing.value === vote.value) return { outcome: 'duplicate' };
    const others = tally.conflicting.get(vote.validator) ?? [];
    if (others.includes(key)) return { outcome: 'known-equivocation' };
    const conflicting = new Map(tally.conflicting);
    conflicting.set(vote.validator, [...others, key]);
    nextTally = { ...tally, conflicting, power: powerMap };
  } else {
    const byValidator = new Map(tally.byValidator);
    byValidator.set(vote.validator, vote);
    nextTally = { ...tally, byValidator, power: powerMap, total: tally.total + power };
  }
  const withTally: RoundVotes =
    vote.type === 'prevote' ? { ...rv, prevote: nextTally } : { ...rv, precommit: nextTally };
  const copy = new Map(keeper);
  copy.set(vote.round, withSender(withTally, set, vote.validator));
  return existing ? { outcome: 'equivocation', first: existing, keeper: copy } : { outcome: 'added', keeper: copy };
}

/** The votes of `type` in `round` for `value` (equivocators' included), in address order. */
export function votesFor(keeper: VoteKeeper, round: number, type: VoteType, value: ValueId | null): Vote[] {
  const out: Vote[] = [];
  const tally = roundVotes(keeper, round)[type];
  for (const v of tally.byValidator.values()) if (v.value === value) out.push(v);
  const key = valueKey(value);
  for (const [validator, keys] of tally.conflicting) {
    if (keys.includes(key)) out.push({ type, height: (tally.byValidator.get(validator) as Vote).height, round, value, validator });
  }
  return out.sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
}
