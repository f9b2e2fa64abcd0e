/**
 * Keeps one node in the cluster: joins with a signed challenge, renews its lease
 * well before it lapses over one heartbeat stream (re-opened with backoff when
 * it breaks; unary heartbeats with a registry that has no stream), joins again
 * when the registry says it was evicted or forgotten, and leaves gracefully on stop.
 */
import { status, type ServiceError } from '@grpc/grpc-js';

import { createClient, signStatement, unary, type Identity, type Logger } from '@learnchain/core';
import { contracts, type v1 } from '@learnchain/proto';

import { LeaseStream } from './lease-stream';
import { capabilitiesStatement, heartbeatStatement, joinStatement, leaveStatement, ROLES, type RoleName } from './statements';

export interface MembershipClientOptions {
  /** The registry, host:port. */
  readonly registry: string;
  readonly chainId: string;
  readonly identity: Identity;
  readonly role: RoleName;
  readonly capabilities?: v1.Capabilities;
  /** Where this node serves gRPC, if it does. */
  readonly endpoint?: string;
  readonly logger: Logger;
  /** Per-call deadline. */
  readonly deadlineMs?: number;
  /** 'stream' (default): one heartbeat stream; 'unary': a signed Heartbeat call each time. */
  readonly heartbeats?: 'stream' | 'unary';
}

export interface Lease {
  readonly nodeId: string;
  readonly epoch: number;
  readonly ttlMs: number;
  readonly expiresAtMs: number;
}

type MembershipState = 'idle' | 'joined' | 'stopping' | 'stopped';

/** Whether the registry's answer means: this node must join again. */
export function mustRejoin(error: unknown): boolean {
  const code = (error as Partial<ServiceError> | null)?.code;
  return code === status.NOT_FOUND || code === status.FAILED_PRECONDITION;
}

/** Whether the registry does not know the heartbeat stream (an older registry): use unary heartbeats. */
function isUnimplemented(error: unknown): boolean {
  return (error as Partial<ServiceError> | null)?.code === status.UNIMPLEMENTED;
}

const MIN_BACKOFF_MS = 100;

export class MembershipClient {
  private readonly client: InstanceType<ReturnType<typeof contracts>['registry']>;
  private state: MembershipState = 'idle';
  private lastSequence = 0;
  private current: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stream: LeaseStream | undefined;
  private mode: 'stream' | 'unary';
  private wakeUp: (() => void) | undefined;
  private streamOpen = false;

  constructor(private readonly options: MembershipClientOptions) {
    this.client = createClient(contracts().registry, options.registry);
    this.mode = options.heartbeats ?? 'stream';
  }

  get lease(): Lease | undefined {
    return this.current;
  }

  /** Whether the lease is being renewed over an open heartbeat stream right now. */
  get isStreaming(): boolean {
    return this.streamOpen;
  }

  private callOptions() {
    return { deadlineMs: this.options.deadlineMs ?? 5000 };
  }

  /** Proves possession of the key over a fresh challenge and takes a lease. */
  async join(): Promise<Lease> {
    const { identity, chainId, role } = this.options;
    const challenge = await unary(this.client, 'getChallenge', { publicKey: Buffer.from(identity.publicKey) }, this.callOptions());
    const capabilities = capabilitiesStatement(this.options.capabilities);
    const statement = joinStatement({
      chainId,
      nonce: challenge.nonce,
      issuedAtMs: challenge.issuedAtMs,
      expiresAtMs: challenge.expiresAtMs,
      role,
      capabilities,
      endpoint: this.options.endpoint ?? '',
    });
    const response = await unary(
      this.client,
      'join',
      {
        challenge,
        role: ROLES[role],
        capabilities: this.options.capabilities ?? {},
        endpoint: this.options.endpoint ?? '',
        signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'join', statement)) },
      },
      this.callOptions(),
    );
    this.current = { nodeId: response.nodeId, epoch: response.epoch, ttlMs: response.leaseTtlMs, expiresAtMs: response.leaseExpiresAtMs };
    this.state = 'joined';
    return this.current;
  }

  /** Renews the lease once. */
  async heartbeat(): Promise<Lease> {
    const lease = this.current;
    if (!lease) throw new Error('join before sending heartbeats');
    // Strictly growing across restarts too: the clock, or one more than last time.
    const sequence = Math.max(Date.now(), this.lastSequence + 1);
    this.lastSequence = sequence;
    const { identity, chainId } = this.options;
    const signature = signStatement(identity, 'heartbeat', heartbeatStatement({ chainId, nodeId: lease.nodeId, sequence }));
    const response = await unary(
      this.client,
      'heartbeat',
      { nodeId: lease.nodeId, sequence, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } },
      this.callOptions(),
    );
    this.current = { ...lease, epoch: response.epoch, expiresAtMs: response.leaseExpiresAtMs };
    return this.current;
  }

  /** Joins, then renews the lease every third of its TTL until stopped, joining again whenever told to. */
  async start(): Promise<Lease> {
    const lease = await this.join();
    if (this.mode === 'stream') void this.keepStreaming();
    else this.schedule(lease.ttlMs / 3);
    return lease;
  }

  /** Waits `ms`, or less when stopping. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Keeps one heartbeat stream open while joined: reconnects with backoff, joins again when told to. */
  private async keepStreaming(): Promise<void> {
    let backoffMs = MIN_BACKOFF_MS;
    while (this.state === 'joined') {
      const lease = this.current;
      if (!lease) return;
      const intervalMs = lease.ttlMs / 3;
      const stream = new LeaseStream({
        client: this.client,
        chainId: this.options.chainId,
        identity: this.options.identity,
        nodeId: lease.nodeId,
        intervalMs,
        silenceMs: 2 * intervalMs + 1000,
        onLease: (update) => {
          const held = this.current;
          if (held && held.nodeId === lease.nodeId) this.current = { ...held, epoch: update.epoch, expiresAtMs: update.expiresAtMs, ttlMs: update.ttlMs || held.ttlMs };
        },
      });
      this.stream = stream;
      const opened = await stream.opened.then(
        () => true,
        () => false,
      );
      if (opened) {
        backoffMs = MIN_BACKOFF_MS;
        this.streamOpen = true;
      }
      const reason = await stream.closed;
      this.streamOpen = false;
      this.stream = undefined;
      if (this.state !== 'joined') return;
      if (isUnimplemented(reason)) {
        this.options.logger.info('the registry has no heartbeat stream: using unary heartbeats');
        this.mode = 'unary';
        this.schedule(0);
        return;
      }
      if (mustRejoin(reason)) {
        this.options.logger.warn({ err: reason }, 'registry no longer holds our lease: joining again');
        try {
          await this.join();
          continue;
        } catch (joinError) {
          this.options.logger.warn({ err: joinError }, 'join failed; retrying');
        }
      } else {
        this.options.logger.warn({ err: reason }, 'heartbeat stream ended; reconnecting');
      }
      await this.pause(backoffMs);
      backoffMs = Math.min(backoffMs * 2, Math.max(MIN_BACKOFF_MS, intervalMs));
    }
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'joined') return;
    this.timer = setTimeout(() => void this.tick(), Math.max(50, delayMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const ttl = this.current?.ttlMs ?? 3000;
    try {
      await this.heartbeat();
      this.schedule(ttl / 3);
    } catch (error) {
      if (this.state !== 'joined') return;
      if (mustRejoin(error)) {
        this.options.logger.warn({ err: error }, 'registry no longer holds our lease: joining again');
        try {
          await this.join();
        } catch (joinError) {
          this.options.logger.warn({ err: joinError }, 'join failed; retrying');
        }
      } else {
        this.options.logger.warn({ err: error }, 'heartbeat failed; retrying');
      }
      this.schedule(ttl / 6);
    }
  }

  /** Stops renewing and leaves gracefully (best effort: a lapsed lease ends membership anyway). */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.state === 'stopped') return;
    const wasJoined = this.state === 'joined';
    this.state = 'stopping';
    if (this.timer) clearTimeout(this.timer);
    this.stream?.close();
    this.wakeUp?.();
    const lease = this.current;
    if (wasJoined && lease) {
      const { identity, chainId } = this.options;
      const signature = signStatement(identity, 'leave', leaveStatement({ chainId, nodeId: lease.nodeId, reason }));
      try {
        await unary(
          this.client,
          'leave',
          { nodeId: lease.nodeId, reason, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } },
          this.callOptions(),
        );
      } catch (error) {
        this.options.logger.warn({ err: error }, 'leave failed; the lease will lapse instead');
      }
    }
    this.client.close();
    this.state = 'stopped';
  }
}
