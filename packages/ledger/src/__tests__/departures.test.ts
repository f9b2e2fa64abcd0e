import { Identity, toHex } from '@learnchain/core';

import { applyTx, DEFAULT_MEMBERSHIP_PARAMS, GenesisError, parseGenesis, type LedgerState, type Tx } from '../index';
import { CHAIN, hash32, ledgerFixture } from './support/ledger';

const WINDOW = 3;

/** Applies each transaction as its own block; every one must be accepted. */
function commit(state: LedgerState, txs: readonly Tx[], height = 1): void {
  for (const [i, t] of txs.entries()) {
    const r = applyTx(state, t, { genesis: fixture.genesis, height: height + i, timeMs: 0 });
    expect(r.outcome).toEqual({ accepted: true, reason: '' });
    state.apply(r.writes);
  }
}

const fixture = ledgerFixture({ membership: { epochWindow: WINDOW } });
const { freshState, register, leave, job, included, result, ctx } = fixture;

/** The keys the ledger holds of a member: its record, its key's index and its reputation. */
function recordsOf(state: LedgerState, node: Identity): string[] {
  return [`members/${node.address}`, `keys/${toHex(node.publicKey)}`, `reputation/${node.address}`].filter((k) => state.get(k) !== undefined);
}

describe('departed members', () => {
  it('are forgotten once the membership moves the epoch window past their departure, with their key and reputation', () => {
    const state = freshState();
    const [a, b, c] = [Identity.generate(), Identity.generate(), Identity.generate()];
    commit(state, [job(1), register(1, a, 1), register(2, b, 2), fixture.result(1, 1, hash32(1), [included(a, 1, hash32(1))]), leave(3, a, 3)]);
    expect(recordsOf(state, a)).toHaveLength(3);
    const hashWithA = toHex(state.appHash());
    // Epoch 5: a left at 3, within the window (5 - 3 = 2 < 3).
    commit(state, [register(4, c, 5)], 10);
    expect(recordsOf(state, a)).toHaveLength(3);
    expect(state.page('members', '', 10).records).toHaveLength(3);
    // Epoch 6: 6 - 3 = 3, the window: gone, and so is the queue entry.
    commit(state, [leave(5, c, 6)], 11);
    expect(recordsOf(state, a)).toEqual([]);
    expect(state.page('members', '', 10).records.map((m) => (m as { nodeId: string }).nodeId).sort()).toEqual([b.address, c.address].sort());
    expect(state.get('departures')).toEqual({ first: 1, next: 2 });
    expect(state.get('departures/0')).toBeUndefined();
    expect(toHex(state.appHash())).not.toBe(hashWithA);
    // b, still active, is untouched.
    expect(recordsOf(state, b)).toHaveLength(2);
  });

  it('keeps a member that joined again, and forgets it after its own later departure', () => {
    const state = freshState();
    const a = Identity.generate();
    const other = Identity.generate();
    commit(state, [register(1, a, 1), leave(2, a, 2), register(3, a, 3)]);
    commit(state, [register(4, other, 9)], 10);
    expect(recordsOf(state, a)).toHaveLength(2);
    expect(state.get('departures')).toEqual({ first: 1, next: 1 });
    commit(state, [leave(5, a, 10), leave(6, other, 13)], 20);
    expect(recordsOf(state, a)).toEqual([]);
    expect(recordsOf(state, other)).toHaveLength(2);
  });

  it('forgets at most 16 per transaction and the rest with the next ones, in order', () => {
    const state = freshState();
    const nodes = Array.from({ length: 20 }, () => Identity.generate());
    commit(state, [...nodes.map((n, i) => register(i + 1, n, 1)), ...nodes.map((n, i) => leave(nodes.length + i + 1, n, 2))]);
    expect(state.get('departures')).toEqual({ first: 0, next: 20 });
    commit(state, [register(41, Identity.generate(), 1000)], 100);
    expect(nodes.filter((n) => recordsOf(state, n).length > 0)).toEqual(nodes.slice(16));
    commit(state, [register(42, Identity.generate(), 1001)], 101);
    expect(nodes.filter((n) => recordsOf(state, n).length > 0)).toEqual([]);
    expect(state.get('departures')).toEqual({ first: 20, next: 20 });
  });

  it('bound the membership epoch a round result may name to the window', () => {
    const state = freshState();
    const [a, b] = [Identity.generate(), Identity.generate()];
    commit(state, [job(1), register(1, a, 1), register(2, b, 2)]);
    commit(state, [register(3, Identity.generate(), 5)], 10);
    const stale = applyTx(state, result(1, 1, hash32(1), [included(a, 1, hash32(1))], fixture.aggregator, 1), ctx(11));
    expect(stale.outcome.reason).toBe('stale-epoch: 1 is more than 3 epochs behind 5');
    const oldest = applyTx(state, result(1, 1, hash32(1), [included(a, 1, hash32(1)), included(b, 1, hash32(1))], fixture.aggregator, 2), ctx(11));
    expect(oldest.outcome).toEqual({ accepted: true, reason: '' });
  });
});

describe('the genesis membership window', () => {
  const base = { chainId: CHAIN, validators: [{ publicKey: toHex(Identity.generate().publicKey) }] };

  it('defaults to 10,000 epochs and refuses what is not a positive integer, naming the field', () => {
    expect(parseGenesis(base).membership).toEqual(DEFAULT_MEMBERSHIP_PARAMS);
    expect(DEFAULT_MEMBERSHIP_PARAMS.epochWindow).toBe(10_000);
    expect(parseGenesis({ ...base, membership: { epochWindow: 7 } }).membership.epochWindow).toBe(7);
    for (const epochWindow of [0, -1, 1.5, '9']) {
      expect(() => parseGenesis({ ...base, membership: { epochWindow } })).toThrow(GenesisError);
      expect(() => parseGenesis({ ...base, membership: { epochWindow } })).toThrow(/membership\.epochWindow/);
    }
  });
});
