/**
 * The registry's application service: checks proofs and policy, drives the
 * store, sweeps lapsed leases, has membership events published and recorded on
 * chain (change-relay.ts) and serves the change feed. Time comes from an injected clock.
 */
import { randomBytes } from 'node:crypto';

import type { EventBus } from '@learnchain/bus';
import { addressOf, FailureLog, isDatabaseAway, unavailable, verifyStatement, type Canonical, type Logger } from '@learnchain/core';
import { heartbeatStatement, heartbeatStreamStatement, joinStatement, leaveStatement, type CapabilitiesStatement, type RoleName } from '@learnchain/membership';

import { ChangeRelay, type ChainRecorder } from './change-relay';
import { admit, type AdmissionPolicy } from './domain/admission';
import { Outages } from './domain/outages';
import { checkChallenge, issueChallenge, type Challenge } from './domain/challenge';
import { BadSignatureError, ChangesCompactedError, JoinProofError, LeaseLostError, StreamSupersededError } from './errors';
import { MemberKeys } from './keys';
import { LeaseSession, LeaseSessions, type LeaseView, type SessionHost } from './sessions';
import type { Renewed } from './store/heartbeats';
import type { MemberStatusName } from './store/schema';
import type { Census, ChangeRecord, LeaseTerms, MemberFilter, MemberList, MemberPage, MemberRecord, MemberStore } from './store/members';

export interface RegistryOptions {
  readonly chainId: string;
  readonly store: MemberStore;
  readonly bus: EventBus;
  readonly policy: AdmissionPolicy;
  readonly logger: Logger;
  readonly leaseTtlMs: number;
  readonly challengeTtlMs: number;
  /** How often lapsed leases are looked for; detection takes at most TTL + this. */
  readonly sweepIntervalMs: number;
  /** How often the change feed looks for changes made by other replicas. */
  readonly pollIntervalMs: number;
  readonly clock?: () => number;
  /** Records membership changes on chain; absent: membership stays off chain. */
  readonly recorder?: ChainRecorder;
  /** How long members that left or failed, and changes, are kept; 0 (the default) keeps them for ever. */
  readonly keepDepartedMs?: number;
}

/** How often departed members and old changes are looked for, and the most of each deleted per statement. */
const FORGET_EVERY_MS = 60_000;
const FORGET_BATCH = 1_000;

export interface JoinRequest {
  readonly challenge: Challenge;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly role: RoleName;
  readonly capabilities: CapabilitiesStatement;
  readonly endpoint: string;
}

export interface SignedRequest {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** The proof that opens a heartbeat stream: a signature over the nonce the stream began with. */
export interface StreamOpenRequest extends SignedRequest {
  readonly streamNonce: Uint8Array;
}

type RegistryState = 'created' | 'running' | 'stopping' | 'stopped';

export class Registry implements SessionHost {
  private state: RegistryState = 'created';
  private readonly clock: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Background tasks running now: stop waits for them, so none touches the database after it closes. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();
  private readonly relay: ChangeRelay;
  private readonly keys = new MemberKeys();
  private readonly sessions = new LeaseSessions();
  private epochSeen = 0;
  /** The last change the stream follow-up has looked at. */
  private feedEpoch = 0;
  /** Its database's outages, during which no heartbeat could be recorded. */
  private readonly outages: Outages;

  constructor(private readonly options: RegistryOptions) {
    this.clock = options.clock ?? Date.now;
    this.outages = new Outages(options.leaseTtlMs);
    this.relay = new ChangeRelay(options);
  }

  get chainId(): string {
    return this.options.chainId;
  }

  get leaseTtlMs(): number {
    return this.options.leaseTtlMs;
  }

  /** The membership epoch as this replica last saw it (its own changes, renewals, and a poll while streams are open). */
  get latestEpoch(): number {
    return this.epochSeen;
  }

  /** Heartbeat streams open on this replica. */
  get openLeaseStreams(): number {
    return this.sessions.size;
  }

  now(): number {
    return this.clock();
  }

  private sawEpoch(epoch: number): void {
    if (epoch > this.epochSeen) this.epochSeen = epoch;
  }

  /**
   * Ends the heartbeat streams here of members that left or failed anywhere
   * (another replica's sweep or Leave too), so they hear "join again" at once
   * rather than at their next renewal. Reads the change feed only while streams
   * are open; a change no newer than a session's opening does not end it.
   */
  private async followChangesForSessions(): Promise<void> {
    if (this.sessions.size === 0) {
      this.feedEpoch = await this.options.store.epoch();
      this.sawEpoch(this.feedEpoch);
      return;
    }
    for (const change of await this.options.store.changesAfter(this.feedEpoch)) {
      this.feedEpoch = change.epoch;
      this.sawEpoch(change.epoch);
      if (change.status !== 'active') this.sessions.end(change.member.nodeId, new LeaseLostError(change.member.nodeId, change.status), change.epoch);
    }
  }

  /** Starts the lease sweeper and the outbox publisher. */
  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    const every = (ms: number, task: () => Promise<unknown>, what: string): void => {
      let busy = false;
      const failures = new FailureLog(this.options.logger, what, `every ${ms} ms`);
      const timer = setInterval(() => {
        if (busy || this.state !== 'running') return;
        busy = true;
        const run = task()
          .then(() => failures.succeeded())
          .catch((error: unknown) => failures.failed(error))
          .finally(() => {
            busy = false;
            this.running.delete(run);
          });
        this.running.add(run);
      }, ms);
      this.timers.push(timer);
    };
    every(this.options.sweepIntervalMs, () => this.sweep(), 'lease sweep');
    every(Math.max(100, this.options.pollIntervalMs), () => this.relay.pollOutbox(), 'event publishing');
    every(this.options.pollIntervalMs, async () => this.wake(), 'change feed poll');
    every(this.options.pollIntervalMs, () => this.followChangesForSessions(), 'heartbeat stream follow-up');
    if (this.options.recorder) every(Math.max(100, this.options.pollIntervalMs), () => this.relay.pollChain(), 'recording membership on chain');
    if ((this.options.keepDepartedMs ?? 0) > 0) every(FORGET_EVERY_MS, () => this.forgetDeparted(), 'forgetting departed members');
  }

  /**
   * Deletes the members that left or failed more than `keepDepartedMs` ago,
   * and the changes that old (once published, and recorded on chain when the
   * registry records membership there), a batch at a time until none is left.
   */
  async forgetDeparted(): Promise<{ members: number; changes: number }> {
    const keep = this.options.keepDepartedMs ?? 0;
    const total = { members: 0, changes: 0 };
    if (keep <= 0) return total;
    const options = { beforeMs: this.clock() - keep, recordsOnChain: this.options.recorder !== undefined, limit: FORGET_BATCH };
    for (;;) {
      const batch = await this.options.store.forgetDeparted(options);
      total.members += batch.members;
      total.changes += batch.changes;
      if (batch.members < FORGET_BATCH && batch.changes < FORGET_BATCH) break;
    }
    if (total.members + total.changes > 0) this.options.logger.info({ ...total, keepDepartedMs: keep }, 'forgot departed members and old membership changes');
    return total;
  }

  /** Stops background work; Watch streams end. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    for (const timer of this.timers) clearInterval(timer);
    this.endLeaseStreams();
    this.wake();
    this.relay.interrupt();
    await Promise.all(this.running);
    await this.relay.publishOutbox().catch((error: unknown) => this.options.logger.warn({ err: error }, 'final event publishing failed'));
    this.state = 'stopped';
  }

  getChallenge(publicKey: Uint8Array): Challenge {
    return issueChallenge({
      secret: this.options.store.secret,
      chainId: this.options.chainId,
      publicKey,
      random: randomBytes(16),
      nowMs: this.clock(),
      ttlMs: this.options.challengeTtlMs,
    });
  }

  async join(request: JoinRequest): Promise<ChangeRecord> {
    const { store, chainId } = this.options;
    const nowMs = this.clock();
    checkChallenge({ secret: store.secret, chainId, publicKey: request.publicKey, challenge: request.challenge, nowMs });
    const statement = joinStatement({ ...request.challenge, role: request.role, capabilities: request.capabilities, endpoint: request.endpoint });
    if (!verifyStatement(request.publicKey, 'join', statement, request.signature)) {
      throw new JoinProofError('bad_signature', 'the join is not signed by the key it names');
    }
    const nodeId = addressOf(request.publicKey);
    await admit(this.options.policy, nodeId, request.publicKey);
    const change = await store.join({
      nodeId,
      publicKey: request.publicKey,
      role: request.role,
      capabilities: request.capabilities,
      endpoint: request.endpoint,
      nonce: request.challenge.nonce,
      nonceExpiresAtMs: request.challenge.expiresAtMs,
      nowMs,
      leaseTtlMs: this.options.leaseTtlMs,
    });
    this.options.logger.info({ node: nodeId, role: request.role, epoch: change.epoch, reason: change.reason }, 'member joined');
    this.sawEpoch(change.epoch);
    this.changed();
    return change;
  }

  private checkSigned(request: SignedRequest, kind: 'heartbeat' | 'leave', statement: Canonical, what: string = kind): void {
    // The node id is the hash of its key: the key in the request must be the member's own (checked by the key cache).
    if (!this.keys.verify(request.nodeId, request.publicKey, kind, statement, request.signature)) {
      throw new BadSignatureError(request.nodeId, what);
    }
  }

  async heartbeat(request: SignedRequest & { sequence: number }): Promise<Renewed> {
    this.checkSigned(request, 'heartbeat', heartbeatStatement({ chainId: this.options.chainId, nodeId: request.nodeId, sequence: request.sequence }));
    const renewed = await this.noting(this.options.store.heartbeat(request.nodeId, request.sequence, this.leaseTerms()));
    this.sawEpoch(renewed.epoch);
    return renewed;
  }

  /** Renews a member's lease now (one batched write); the stream sessions call this when a renewal is due. */
  async renew(nodeId: string): Promise<Renewed> {
    const renewed = await this.noting(this.options.store.renewLease(nodeId, this.leaseTerms()));
    this.sawEpoch(renewed.epoch);
    return renewed;
  }

  /** A fresh nonce for one heartbeat stream; the node signs it to open that stream. */
  streamNonce(): Uint8Array {
    return new Uint8Array(randomBytes(32));
  }

  /**
   * Opens a lease session on a heartbeat stream: checks the signature over the
   * stream's own nonce (so it cannot be replayed on another stream or chain),
   * then renews the lease once (which also tells an unknown or evicted node to
   * join again). `onEnd` is called when the registry ends the session: the
   * member was evicted or left, a newer stream replaced it, or the registry stops.
   */
  async openLeaseSession(request: StreamOpenRequest, onEnd: (reason: unknown) => void): Promise<{ session: LeaseSession; lease: LeaseView }> {
    if (this.state !== 'running') throw unavailable('the registry is not serving');
    const statement = heartbeatStreamStatement({ chainId: this.options.chainId, nodeId: request.nodeId, streamNonce: request.streamNonce });
    this.checkSigned(request, 'heartbeat', statement, 'heartbeat stream open');
    const renewed = await this.renew(request.nodeId);
    const session = new LeaseSession(request.nodeId, this, renewed, onEnd);
    this.sessions.add(session, (nodeId) => new StreamSupersededError(nodeId));
    return { session, lease: { epoch: Math.max(renewed.epoch, this.epochSeen), leaseExpiresAtMs: renewed.leaseExpiresAtMs } };
  }

  /** Forgets a session whose stream ended. */
  closeLeaseSession(session: LeaseSession): void {
    this.sessions.remove(session);
  }

  /** Ends every heartbeat stream (UNAVAILABLE: members reconnect, here after a restart or to another replica). */
  endLeaseStreams(): void {
    this.sessions.endAll(unavailable('the registry is shutting down: reconnect'));
  }

  async leave(request: SignedRequest & { reason: string }): Promise<ChangeRecord> {
    this.checkSigned(request, 'leave', leaveStatement({ chainId: this.options.chainId, nodeId: request.nodeId, reason: request.reason }));
    const change = await this.options.store.leave(request.nodeId, request.reason, this.clock());
    this.options.logger.info({ node: request.nodeId, epoch: change.epoch }, 'member left');
    this.sawEpoch(change.epoch);
    this.sessions.end(request.nodeId, new LeaseLostError(request.nodeId, 'left'), change.epoch);
    this.changed();
    return change;
  }

  list(filter: MemberFilter, page: MemberPage): Promise<MemberList> {
    return this.options.store.list(filter, page);
  }

  /** Members by role and status, counted by the store (what the metrics show; no member is read). */
  census(): Promise<Census> {
    return this.options.store.census();
  }

  /**
   * Marks lapsed leases failed now (the sweeper calls this on its interval),
   * but those its own database's outage may have hidden (see Outages).
   */
  async sweep(): Promise<ChangeRecord[]> {
    const now = this.clock();
    const failed = await this.noting(this.options.store.sweep(now, this.outages.forgivenFrom(now)));
    for (const change of failed) {
      this.options.logger.warn({ node: change.member.nodeId, epoch: change.epoch, reason: change.reason }, 'member failed');
      this.sawEpoch(change.epoch);
      this.sessions.end(change.member.nodeId, new LeaseLostError(change.member.nodeId, 'failed'), change.epoch);
    }
    if (failed.length > 0) this.changed();
    return failed;
  }

  private leaseTerms(): LeaseTerms {
    const nowMs = this.clock();
    const forgivenFromMs = this.outages.forgivenFrom(nowMs);
    return { nowMs, leaseTtlMs: this.options.leaseTtlMs, ...(forgivenFromMs === undefined ? {} : { forgivenFromMs }) };
  }

  /** A store call whose outcome tells whether the database is away (Outages). */
  private async noting<T>(call: Promise<T>): Promise<T> {
    try {
      const result = await call;
      this.outages.back(this.clock());
      return result;
    } catch (error) {
      if (isDatabaseAway(error)) this.outages.away(this.clock());
      throw error;
    }
  }

  private changed(): void {
    this.wake();
    this.relay.changed();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves on the next local change, poll tick, stop or abort; `cancel` withdraws it. */
  private nextChange(signal: AbortSignal): { woken: Promise<void>; cancel: () => void } {
    let done = (): void => undefined;
    const woken = new Promise<void>((resolve) => {
      done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
    return { woken, cancel: done };
  }

  /** Every change after `fromEpoch`, in order, then live changes until aborted or stopped. */
  async *watch(fromEpoch: number, signal: AbortSignal): AsyncGenerator<ChangeRecord> {
    let after = fromEpoch;
    while (!signal.aborted && this.state !== 'stopping' && this.state !== 'stopped') {
      // Listen before reading, so a change committed in between still wakes us.
      const { woken, cancel } = this.nextChange(signal);
      const changes = await this.options.store.changesAfter(after);
      // Epochs follow one another: a gap after `after`, or no change at all, may be changes deleted as too old.
      if (changes[0]?.epoch !== after + 1) {
        const compacted = await this.options.store.compactedEpoch();
        if (after < compacted) {
          cancel();
          throw new ChangesCompactedError(after, compacted);
        }
      }
      if (changes.length === 0) {
        await woken;
        continue;
      }
      cancel();
      for (const change of changes) {
        yield change;
        after = change.epoch;
      }
    }
  }
}
