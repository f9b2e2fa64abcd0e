/**
 * Lease sessions: one per authenticated heartbeat stream. A beat is answered
 * from the lease this replica last stored for the member unless the renewal
 * is due (see domain/lease.ts); then one renewal goes into the next batched
 * write, and every beat that arrives meanwhile waits for that same write.
 */
import { isRenewalDue } from './domain/lease';
import type { Renewed } from './store/heartbeats';

/** The lease as a stream reports it. */
export interface LeaseView {
  readonly epoch: number;
  readonly leaseExpiresAtMs: number;
}

/** What a session needs from the registry. */
export interface SessionHost {
  readonly leaseTtlMs: number;
  /** The membership epoch as this replica last saw it. */
  readonly latestEpoch: number;
  now(): number;
  renew(nodeId: string): Promise<Renewed>;
}

type SessionState = 'open' | 'ended';

export class LeaseSession {
  private state: SessionState = 'open';
  private storedExpiresAtMs: number;
  private pending: Promise<LeaseView> | undefined;
  /** The epoch the opening renewal saw: changes up to it happened before this session. */
  readonly openedAtEpoch: number;

  constructor(
    readonly nodeId: string,
    private readonly host: SessionHost,
    stored: Renewed,
    private readonly onEnd: (reason: unknown) => void,
  ) {
    this.storedExpiresAtMs = stored.leaseExpiresAtMs;
    this.openedAtEpoch = stored.epoch;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** The lease after a beat now: at once when no write is due, else once the renewal is stored. */
  beat(): LeaseView | Promise<LeaseView> {
    const nowMs = this.host.now();
    if (!isRenewalDue({ storedExpiresAtMs: this.storedExpiresAtMs, nowMs, leaseTtlMs: this.host.leaseTtlMs })) {
      return { epoch: this.host.latestEpoch, leaseExpiresAtMs: this.storedExpiresAtMs };
    }
    this.pending ??= this.host.renew(this.nodeId).then(
      (renewed) => {
        this.pending = undefined;
        this.storedExpiresAtMs = Math.max(this.storedExpiresAtMs, renewed.leaseExpiresAtMs);
        return { epoch: Math.max(renewed.epoch, this.host.latestEpoch), leaseExpiresAtMs: this.storedExpiresAtMs };
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    return this.pending;
  }

  /** Ends the session (the stream closes with `reason` as its status); idempotent. */
  end(reason: unknown): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.onEnd(reason);
  }

  /** Marks the session ended without telling the stream (it is already gone). */
  close(): void {
    this.state = 'ended';
  }
}

/** The open sessions of this replica, one per member: a newer stream replaces an older one. */
export class LeaseSessions {
  private readonly byNode = new Map<string, LeaseSession>();

  get size(): number {
    return this.byNode.size;
  }

  add(session: LeaseSession, superseded: (nodeId: string) => unknown): void {
    const previous = this.byNode.get(session.nodeId);
    this.byNode.set(session.nodeId, session);
    if (previous && previous !== session) previous.end(superseded(session.nodeId));
  }

  remove(session: LeaseSession): void {
    if (this.byNode.get(session.nodeId) === session) this.byNode.delete(session.nodeId);
    session.close();
  }

  /** Ends the member's session here, if it has one, with `reason`; given `atEpoch`, only a session opened before that change. */
  end(nodeId: string, reason: unknown, atEpoch = Infinity): void {
    const session = this.byNode.get(nodeId);
    if (!session || session.openedAtEpoch >= atEpoch) return;
    this.byNode.delete(nodeId);
    session.end(reason);
  }

  endAll(reason: unknown): void {
    for (const session of [...this.byNode.values()]) session.end(reason);
    this.byNode.clear();
  }
}
