/**
 * When a heartbeat must reach the database. A stream heartbeat renews the
 * stored lease only once less than half of the TTL is left; otherwise the
 * registry answers from the lease it last stored and writes nothing.
 *
 * Why failure detection keeps its bound: a member's stored expiry E is only ever
 * set to (time of a renewal) + TTL, and a renewal happens only while the member
 * is alive. So when a member dies at time d, E ≤ d + TTL, and the sweeper marks
 * it failed by E + sweep interval ≤ d + TTL + sweep interval — the same bound
 * as writing on every heartbeat. Skipping writes only moves detection earlier
 * (E may be as little as TTL/2 minus one heartbeat interval after d).
 *
 * Why a live member is not evicted: it beats every TTL/3, so at least one beat
 * falls in the last half of each lease, and that beat writes. The margin is
 * TTL/6 for the write to land, one lost beat fewer than writing on every beat
 * tolerates; members that beat more often get more margin.
 *
 * Why this is safe with several replicas: the decision uses the expiry this
 * replica itself stored (or read back) for this member, and the store only
 * ever lengthens a lease (greatest of stored and new), so another replica's
 * renewal can only make the cached value an underestimate — which errs towards
 * writing. A member evicted or gone elsewhere in the meantime is found out by
 * the next write, which renews only active members with a live lease.
 *
 * Why nothing is replayable: only heartbeats on an authenticated stream take
 * this path; the unary Heartbeat, whose signed sequence is the replay guard,
 * still writes that sequence every time.
 */

/** Whether a heartbeat at `nowMs` must renew a lease stored to expire at `storedExpiresAtMs`. */
export function isRenewalDue(input: { storedExpiresAtMs: number; nowMs: number; leaseTtlMs: number }): boolean {
  return input.storedExpiresAtMs - input.nowMs < input.leaseTtlMs / 2;
}
