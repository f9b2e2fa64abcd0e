/**
 * Validator sets: voting power, thresholds and weighted round-robin proposer
 * selection in the style of CometBFT's proposer priorities. Pure and deterministic.
 */
import { InvalidValidatorSetError } from './errors';
import type { Address, Validator, ValidatorSet, ValidatorUpdate } from './types';

/** Builds a validator set (sorted by address). Priorities default to 0. */
export function makeValidatorSet(
  members: readonly { readonly address: Address; readonly power: number; readonly priority?: number }[],
): ValidatorSet {
  const sorted = [...members].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const powers = new Map<Address, number>();
  let totalPower = 0;
  const validators: Validator[] = [];
  for (const m of sorted) {
    if (!Number.isSafeInteger(m.power) || m.power <= 0) {
      throw new InvalidValidatorSetError(`power of ${m.address} must be a positive integer, got ${m.power}`);
    }
    if (powers.has(m.address)) throw new InvalidValidatorSetError(`duplicate address ${m.address}`);
    powers.set(m.address, m.power);
    totalPower += m.power;
    validators.push({ address: m.address, power: m.power, priority: m.priority ?? 0 });
  }
  if (validators.length === 0) throw new InvalidValidatorSetError('no validators');
  if (!Number.isSafeInteger(totalPower * 3)) throw new InvalidValidatorSetError('total power too large');
  return { validators, totalPower, powers };
}

/** The voting power of `address` in `set`, 0 for a non-member. */
export function powerOf(set: ValidatorSet, address: Address): number {
  return set.powers.get(address) ?? 0;
}

/** True when `power` is more than two thirds of the set's total power (2f+1 in the paper). */
export function isQuorum(set: ValidatorSet, power: number): boolean {
  return power * 3 > set.totalPower * 2;
}

/** True when `power` is more than one third of the set's total power (f+1 in the paper). */
export function isOneThird(set: ValidatorSet, power: number): boolean {
  return power * 3 > set.totalPower;
}

/** One step of proposer rotation: every priority grows by its power, the highest proposes and pays the total. */
function step(priorities: number[], set: ValidatorSet): number {
  let best = 0;
  for (let i = 0; i < priorities.length; i++) {
    const p = (priorities[i] as number) + (set.validators[i] as Validator).power;
    priorities[i] = p;
    // Ties go to the lower address (validators are sorted by address).
    if (p > (priorities[best] as number)) best = i;
  }
  priorities[best] = (priorities[best] as number) - set.totalPower;
  return best;
}

/** The proposer of `round` at the height whose set (with its start priorities) is `set`. */
export function proposerAt(set: ValidatorSet, round: number): Address {
  const priorities = set.validators.map((v) => v.priority);
  let chosen = 0;
  for (let r = 0; r <= round; r++) chosen = step(priorities, set);
  return (set.validators[chosen] as Validator).address;
}

/** The same set with priorities advanced by one proposal: the start priorities of the next height. */
export function advanceProposer(set: ValidatorSet): ValidatorSet {
  const priorities = set.validators.map((v) => v.priority);
  step(priorities, set);
  return withPriorities(set, priorities);
}

function withPriorities(set: ValidatorSet, priorities: readonly number[]): ValidatorSet {
  return {
    validators: set.validators.map((v, i) => ({ ...v, priority: priorities[i] as number })),
    totalPower: set.totalPower,
    powers: set.powers,
  };
}

/**
 * Applies a block's validator updates (power 0 removes). A newcomer starts at
 * -1.125 × total power, as in CometBFT, so it does not propose at once; the
 * priorities are then centred on zero so they never drift.
 */
export function applyValidatorUpdates(set: ValidatorSet, updates: readonly ValidatorUpdate[]): ValidatorSet {
  if (updates.length === 0) return set;
  const next = new Map<Address, { address: Address; power: number; priority: number }>();
  for (const v of set.validators) next.set(v.address, { ...v });
  const newcomer = -Math.floor((set.totalPower * 9) / 8);
  for (const u of updates) {
    if (!Number.isSafeInteger(u.power) || u.power < 0) {
      throw new InvalidValidatorSetError(`update power of ${u.address} must be a non-negative integer`);
    }
    const current = next.get(u.address);
    if (u.power === 0) next.delete(u.address);
    else if (current) current.power = u.power;
    else next.set(u.address, { address: u.address, power: u.power, priority: newcomer });
  }
  const members = [...next.values()];
  if (members.length > 0) {
    const sum = members.reduce((acc, m) => acc + m.priority, 0);
    const mean = Math.floor(sum / members.length);
    for (const m of members) m.priority -= mean;
  }
  return makeValidatorSet(members);
}
