import { Identity, signStatement } from '@learnchain/core';
import { heartbeatStatement, heartbeatStreamStatement } from '@learnchain/membership';

import { isRenewalDue } from '../domain/lease';
import { LeaseLostError } from '../errors';
import { MemberKeys } from '../keys';
import { LeaseSession, LeaseSessions, type SessionHost } from '../sessions';
import type { Renewed } from '../store/heartbeats';

const TTL = 1000;

describe('isRenewalDue', () => {
  it.each([
    // stored expiry, now, due
    [10_000, 9_000, false], // a whole TTL left
    [10_000, 9_400, false], // more than half left
    [10_000, 9_500, false], // exactly half left: not yet
    [10_000, 9_501, true], // less than half left
    [10_000, 10_000, true], // expiring now
    [10_000, 12_000, true], // already lapsed: the write finds that out
  ])('stored %d, now %d → %s', (storedExpiresAtMs, nowMs, due) => {
    expect(isRenewalDue({ storedExpiresAtMs, nowMs, leaseTtlMs: TTL })).toBe(due);
  });

  it('lets a member beating every third of the TTL write at least once per lease, and never twice in a row', () => {
    // Simulate beats every TTL/3 for many leases: the stored expiry never lapses,
    // and writes happen on at most every second beat.
    let stored = TTL;
    let writes = 0;
    let lastWrote = false;
    for (let now = TTL / 3; now < 100 * TTL; now += TTL / 3) {
      expect(stored).toBeGreaterThanOrEqual(now);
      const due = isRenewalDue({ storedExpiresAtMs: stored, nowMs: now, leaseTtlMs: TTL });
      if (due) {
        expect(lastWrote).toBe(false);
        stored = now + TTL;
        writes++;
      }
      lastWrote = due;
    }
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(Math.ceil(300 / 2));
  });
});

class FakeHost implements SessionHost {
  readonly leaseTtlMs = TTL;
  latestEpoch = 7;
  nowMs = 0;
  renewals: Array<{ nodeId: string; resolve: (r: Renewed) => void; reject: (e: unknown) => void }> = [];
  now(): number {
    return this.nowMs;
  }
  renew(nodeId: string): Promise<Renewed> {
    return new Promise((resolve, reject) => this.renewals.push({ nodeId, resolve, reject }));
  }
}

describe('LeaseSession', () => {
  it('answers from the stored lease without a write while more than half of it is left', () => {
    const host = new FakeHost();
    const session = new LeaseSession('n1', host, { epoch: 5, leaseExpiresAtMs: 1000 }, () => undefined);
    host.nowMs = 400;
    expect(session.beat()).toEqual({ epoch: 7, leaseExpiresAtMs: 1000 });
    expect(host.renewals).toHaveLength(0);
  });

  it('renews once when due, and beats meanwhile wait for that same write', async () => {
    const host = new FakeHost();
    const session = new LeaseSession('n1', host, { epoch: 5, leaseExpiresAtMs: 1000 }, () => undefined);
    host.nowMs = 600;
    const first = session.beat();
    const second = session.beat();
    expect(host.renewals).toHaveLength(1);
    expect(first).toBeInstanceOf(Promise);
    host.renewals[0]!.resolve({ epoch: 9, leaseExpiresAtMs: 1600 });
    await expect(first).resolves.toEqual({ epoch: 9, leaseExpiresAtMs: 1600 });
    await expect(second).resolves.toEqual({ epoch: 9, leaseExpiresAtMs: 1600 });
    // The renewed lease has more than half left: no write.
    host.nowMs = 700;
    expect(session.beat()).toEqual({ epoch: 7, leaseExpiresAtMs: 1600 });
    expect(host.renewals).toHaveLength(1);
  });

  it('passes a refused renewal on, and tries again on the next beat', async () => {
    const host = new FakeHost();
    const session = new LeaseSession('n1', host, { epoch: 5, leaseExpiresAtMs: 1000 }, () => undefined);
    host.nowMs = 900;
    const beat = session.beat();
    host.renewals[0]!.reject(new LeaseLostError('n1', 'failed'));
    await expect(beat).rejects.toBeInstanceOf(LeaseLostError);
    void session.beat();
    expect(host.renewals).toHaveLength(2);
  });
});

describe('LeaseSessions', () => {
  it('ends an older stream of the same member when a newer one opens, and ends a member\'s stream on eviction', () => {
    const host = new FakeHost();
    const sessions = new LeaseSessions();
    const ended: Array<[string, unknown]> = [];
    const older = new LeaseSession('n1', host, { epoch: 1, leaseExpiresAtMs: 1000 }, (reason) => ended.push(['older', reason]));
    const newer = new LeaseSession('n1', host, { epoch: 1, leaseExpiresAtMs: 1000 }, (reason) => ended.push(['newer', reason]));
    sessions.add(older, () => 'superseded');
    sessions.add(newer, () => 'superseded');
    expect(ended).toEqual([['older', 'superseded']]);
    expect(sessions.size).toBe(1);
    // The older stream closing later does not drop the newer one.
    sessions.remove(older);
    expect(sessions.size).toBe(1);
    sessions.end('n1', 'evicted');
    expect(ended).toEqual([
      ['older', 'superseded'],
      ['newer', 'evicted'],
    ]);
    expect(newer.isOpen).toBe(false);
    expect(sessions.size).toBe(0);
  });
});

describe('MemberKeys', () => {
  const chainId = 'c1';

  it('verifies a member\'s signature, from the cache after the first time', () => {
    const keys = new MemberKeys(2);
    const alice = Identity.generate();
    const statement = heartbeatStreamStatement({ chainId, nodeId: alice.address, streamNonce: new Uint8Array([1, 2, 3]) });
    const signature = signStatement(alice, 'heartbeat', statement);
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', statement, signature)).toBe(true);
    expect(keys.size).toBe(1);
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', statement, signature)).toBe(true);
    expect(keys.size).toBe(1);
  });

  it('refuses another key for a node id, another nonce, another domain and a statement of the other shape', () => {
    const keys = new MemberKeys();
    const alice = Identity.generate();
    const mallory = Identity.generate();
    const nonce = new Uint8Array([9, 9, 9]);
    const statement = heartbeatStreamStatement({ chainId, nodeId: alice.address, streamNonce: nonce });
    const good = signStatement(alice, 'heartbeat', statement);
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', statement, good)).toBe(true);
    // Mallory names Alice's node with her own key and signature.
    expect(keys.verify(alice.address, mallory.publicKey, 'heartbeat', statement, signStatement(mallory, 'heartbeat', statement))).toBe(false);
    // Alice's proof for one stream's nonce does not open another stream, or another chain's.
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', heartbeatStreamStatement({ chainId, nodeId: alice.address, streamNonce: new Uint8Array([9, 9, 8]) }), good)).toBe(false);
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', heartbeatStreamStatement({ chainId: 'c2', nodeId: alice.address, streamNonce: nonce }), good)).toBe(false);
    expect(keys.verify(alice.address, alice.publicKey, 'leave', statement, good)).toBe(false);
    // A unary heartbeat signature is no stream proof (and the other way round).
    const unary = heartbeatStatement({ chainId, nodeId: alice.address, sequence: 1 });
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', statement, signStatement(alice, 'heartbeat', unary))).toBe(false);
    expect(keys.verify(alice.address, alice.publicKey, 'heartbeat', statement, new Uint8Array(10))).toBe(false);
  });

  it('stays within its capacity', () => {
    const keys = new MemberKeys(2);
    for (let i = 0; i < 5; i++) {
      const id = Identity.generate();
      const statement = heartbeatStatement({ chainId, nodeId: id.address, sequence: 1 });
      expect(keys.verify(id.address, id.publicKey, 'heartbeat', statement, signStatement(id, 'heartbeat', statement))).toBe(true);
    }
    expect(keys.size).toBe(2);
  });
});
