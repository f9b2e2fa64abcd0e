/**
 * The registry's application service: checks proofs and policy, drives the
 * store, sweeps lapsed leases, publishes membership events from the outbox and
 * serves the change feed. Time comes from an injected clock.
 */
import { randomBytes } from 'node:crypto';

import { SUBJECT, type EventBus } from '@learnchain/bus';
import { addressOf, PassSchedule, unavailable, verifyStatement, type Canonical, type Logger } from '@learnchain/core';
import { heartbeatStatement, heartbeatStreamStatement, joinStatement, leaveStatement, type CapabilitiesStatement, type RoleName } from '@learnchain/membership';

import { admit, type AdmissionPolicy } from './domain/admission';
import { checkChallenge, issueChallenge, type Challenge } from './domain/challenge';
import { BadSignatureError, JoinProofError, LeaseLostError, StreamSupersededError } from './errors';
import { MemberKeys } from './keys';
import { LeaseSession, LeaseSessions, type LeaseView, type SessionHost } from './sessions';
import type { Renewed } from './store/heartbeats';
import type { MemberStatusName } from './store/schema';
import type { Census, ChangeRecord, MemberRecord, MemberStore } from './store/members';
import type { ChainPass } from './store/chain-outbox';

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
}

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

/** Records membership changes on chain; `interrupt` makes a pass stop waiting for commits (the changes stay pending). */
export interface ChainRecorder {
  recordPending(): Promise<ChainPass>;
  interrupt?(): void;
}

/** Changes published per outbox transaction: a pass reads again only after a full batch. */
const OUTBOX_BATCH = 100;
/** How often the outbox and the chain submissions are read with nothing asking (work another replica left). */
const SWEEP_MS = 10_000;

export class Registry implements SessionHost {
  private state: RegistryState = 'created';
  private readonly clock: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Background tasks running now: stop waits for them, so none touches the database after it closes. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();
  private outboxBusy = false;
  /** When the event outbox and the changes still to record on chain need a pass (a poll otherwise reads nothing). */
  private readonly outboxPasses = new PassSchedule(SWEEP_MS);
  private readonly chainPasses = new PassSchedule(SWEEP_MS);
  private readonly keys = new MemberKeys();
  private readonly sessions = new LeaseSessions();
  private epochSeen = 0;
  /** The last change the stream follow-up has looked at. */
  private feedEpoch = 0;

  constructor(private readonly options: RegistryOptions) {
    this.clock = options.clock ?? Date.now;
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
      const timer = setInterval(() => {
        if (busy || this.state !== 'running') return;
        busy = true;
        const run = task()
          .catch((error: unknown) => this.options.logger.error({ err: error }, `${what} failed`))
          .finally(() => {
            busy = false;
            this.running.delete(run);
          });
        this.running.add(run);
      }, ms);
      this.timers.push(timer);
    };
    every(this.options.sweepIntervalMs, () => this.sweep(), 'lease sweep');
    every(Math.max(100, this.options.pollIntervalMs), () => (this.outboxPasses.due() ? this.publishOutbox() : Promise.resolve(0)), 'event publishing');
    every(this.options.pollIntervalMs, async () => this.wake(), 'change feed poll');
    every(this.options.pollIntervalMs, () => this.followChangesForSessions(), 'heartbeat stream follow-up');
    const recorder = this.options.recorder;
    if (recorder) every(Math.max(100, this.options.pollIntervalMs), () => (this.chainPasses.due() ? this.recordOnChain(recorder) : Promise.resolve()), 'recording membership on chain');
  }

  /** Stops background work; Watch streams end. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    for (const timer of this.timers) clearInterval(timer);
    this.endLeaseStreams();
    this.wake();
    this.options.recorder?.interrupt?.();
    await Promise.all(this.running);
    await this.publishOutbox().catch((error: unknown) => this.options.logger.warn({ err: error }, 'final event publishing failed'));
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
    const renewed = await this.options.store.heartbeat(request.nodeId, request.sequence, this.clock(), this.options.leaseTtlMs);
    this.sawEpoch(renewed.epoch);
    return renewed;
  }

  /** Renews a member's lease now (one batched write); the stream sessions call this when a renewal is due. */
  async renew(nodeId: string): Promise<Renewed> {
    const renewed = await this.options.store.renewLease(nodeId, this.clock(), this.options.leaseTtlMs);
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

  list(filter: { role?: RoleName; status?: MemberStatusName }): Promise<{ epoch: number; members: MemberRecord[] }> {
    return this.options.store.list(filter);
  }

  /** Members by role and status, counted by the store (what the metrics show; no member is read). */
  census(): Promise<Census> {
    return this.options.store.census();
  }

  /** Marks lapsed leases failed now (the sweeper calls this on its interval). */
  async sweep(): Promise<ChangeRecord[]> {
    const failed = await this.options.store.sweep(this.clock());
    for (const change of failed) {
      this.options.logger.warn({ node: change.member.nodeId, epoch: change.epoch, reason: change.reason }, 'member failed');
      this.sawEpoch(change.epoch);
      this.sessions.end(change.member.nodeId, new LeaseLostError(change.member.nodeId, 'failed'), change.epoch);
    }
    if (failed.length > 0) this.changed();
    return failed;
  }

  /** Publishes committed changes not yet published, in epoch order. */
  async publishOutbox(): Promise<number> {
    if (this.outboxBusy) {
      // The running pass may have read before the change that asked for this one: the next poll runs it.
      this.outboxPasses.touch();
      return 0;
    }
    this.outboxBusy = true;
    this.outboxPasses.begin();
    try {
      let total = 0;
      for (;;) {
        const published = await this.options.store.drainOutbox((change) => this.publish(change), OUTBOX_BATCH);
        total += published;
        if (published < OUTBOX_BATCH) return total;
      }
    } catch (error) {
      this.outboxPasses.unfinished();
      throw error;
    } finally {
      this.outboxBusy = false;
    }
  }

  private async publish(change: ChangeRecord): Promise<void> {
    const { member } = change;
    const base = { nodeId: member.nodeId, publicKey: member.publicKey, role: member.role, epoch: change.epoch };
    const msgId = `${this.options.chainId}:membership:${change.epoch}`;
    switch (change.status) {
      case 'active': {
        const capabilities = [member.capabilities.device, ...Object.entries(member.capabilities.labels).map(([k, v]) => `${k}=${v}`)].filter((c) => c !== '');
        await this.options.bus.publish(SUBJECT.membershipJoined, { ...base, capabilities }, { msgId });
        return;
      }
      case 'left':
        await this.options.bus.publish(SUBJECT.membershipLeft, { ...base, reason: change.reason }, { msgId });
        return;
      case 'failed':
        await this.options.bus.publish(SUBJECT.membershipFailed, { ...base, reason: change.reason }, { msgId });
        return;
    }
  }

  private async recordOnChain(recorder: ChainRecorder): Promise<void> {
    this.chainPasses.begin();
    try {
      for (;;) {
        const { done, left } = await recorder.recordPending();
        // Changes that did not commit in time stay pending: the next poll sends them again.
        if (left > 0 && done === 0) this.chainPasses.unfinished();
        if (done === 0 || this.state !== 'running') return;
      }
    } catch (error) {
      this.chainPasses.unfinished();
      throw error;
    }
  }

  private changed(): void {
    this.chainPasses.touch();
    this.outboxPasses.touch();
    this.wake();
    void this.publishOutbox().catch((error: unknown) => this.options.logger.warn({ err: error }, 'event publishing failed; will retry'));
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
