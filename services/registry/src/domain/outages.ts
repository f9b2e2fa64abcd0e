/**
 * The registry's own database outages, as failure detection must see them.
 * While the database is away no heartbeat can be recorded, so a lease that
 * lapses from the moment an outage begins until a whole lease after it ends is
 * forgiven: the member's next heartbeat renews it, and the sweep does not fail
 * it. A live member beats every third of a lease, so it is heard again in
 * that time; a dead one is failed at most an outage and a lease later than it
 * would have been. A lease that lapsed before the outage began is not
 * forgiven: a later outage does not bring back a member it did not hide.
 */
export class Outages {
  /** When the last outage began; undefined: none seen. */
  private startMs: number | undefined;
  /** When it ended; undefined while it lasts. */
  private endMs: number | undefined;

  constructor(private readonly leaseTtlMs: number) {}

  /** A database call failed with the database away. */
  away(nowMs: number): void {
    if (this.startMs !== undefined && this.endMs === undefined) return;
    this.startMs = nowMs;
    this.endMs = undefined;
  }

  /** A database call succeeded. */
  back(nowMs: number): void {
    if (this.startMs !== undefined && this.endMs === undefined) this.endMs = nowMs;
  }

  /** Leases that lapsed at this time or later are forgiven now; undefined when none is. */
  forgivenFrom(nowMs: number): number | undefined {
    if (this.startMs === undefined) return undefined;
    if (this.endMs !== undefined && nowMs >= this.endMs + this.leaseTtlMs) return undefined;
    return this.startMs;
  }
}
