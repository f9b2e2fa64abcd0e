/**
 * One heartbeat stream, the node's side: answer the registry's nonce with a
 * signed Open, then send a Beat every interval and take each answer as the
 * current lease. The stream is over when `closed` resolves: with the status
 * the registry ended it with, or an error of our own when answers stop coming.
 */
import { Metadata, status, type ClientDuplexStream } from '@grpc/grpc-js';

import { signStatement, type Identity } from '@learnchain/core';
import type { contracts, v1 } from '@learnchain/proto';

import { heartbeatStreamStatement } from './statements';

type RegistryClient = InstanceType<ReturnType<typeof contracts>['registry']>;

export interface LeaseUpdate {
  readonly sequence: number;
  readonly epoch: number;
  readonly expiresAtMs: number;
  readonly ttlMs: number;
}

export interface LeaseStreamOptions {
  readonly client: RegistryClient;
  readonly chainId: string;
  readonly identity: Identity;
  readonly nodeId: string;
  /** How often to beat once open, and to look for silence; Infinity: beat only when `beat()` is called. */
  readonly intervalMs: number;
  /** Give up on the stream when nothing was answered for this long (a dead peer, a half-open connection). */
  readonly silenceMs: number;
  readonly onLease: (lease: LeaseUpdate) => void;
}

/** An error of the node's own making that ends a stream (the registry went silent or spoke out of turn). */
export class LeaseStreamError extends Error {
  readonly code: status;
  constructor(code: status, message: string) {
    super(message);
    this.name = 'LeaseStreamError';
    this.code = code;
  }
}

type StreamPhase = 'greeting' | 'opening' | 'open' | 'closed';

export class LeaseStream {
  private phase: StreamPhase = 'greeting';
  private readonly call: ClientDuplexStream<v1.HeartbeatStreamRequest, v1.HeartbeatStreamResponse__Output>;
  private sequence = 0;
  private lastHeardMs = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private settle: (error: unknown) => void = () => undefined;
  private resolveOpened: (lease: LeaseUpdate) => void = () => undefined;
  /** Resolves with the answer to the Open; rejects if the stream ends before. */
  readonly opened: Promise<LeaseUpdate>;
  /** Resolves when the stream is over, with why (undefined: ended by us). */
  readonly closed: Promise<unknown>;

  constructor(private readonly options: LeaseStreamOptions) {
    let rejectOpened: (error: unknown) => void = () => undefined;
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      rejectOpened = reject;
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.settle = (error: unknown): void => {
        if (this.phase === 'closed') return;
        this.phase = 'closed';
        if (this.timer) clearInterval(this.timer);
        rejectOpened(error ?? new LeaseStreamError(status.CANCELLED, 'closed before it opened'));
        resolve(error);
      };
    });
    this.call = options.client.heartbeatStream(new Metadata());
    this.call.on('data', (message: v1.HeartbeatStreamResponse__Output) => this.receive(message));
    this.call.on('error', (error) => this.settle(error));
    this.call.on('end', () => this.settle(new LeaseStreamError(status.UNAVAILABLE, 'the registry ended the heartbeat stream')));
    // Watch for silence from the start: a registry that never greets is as dead as one that stops answering.
    if (Number.isFinite(options.intervalMs)) {
      this.timer = setInterval(() => this.tick(), Math.max(20, options.intervalMs));
      this.timer.unref();
    }
  }

  private receive(message: v1.HeartbeatStreamResponse__Output): void {
    if (this.phase === 'closed') return;
    this.lastHeardMs = Date.now();
    if (this.phase === 'greeting') {
      const challenge = message.challenge;
      if (message.body !== 'challenge' || !challenge) return this.abort(status.INTERNAL, 'the registry did not begin with a nonce');
      const { identity, chainId, nodeId } = this.options;
      if (challenge.chainId !== chainId) return this.abort(status.FAILED_PRECONDITION, `the registry serves chain '${challenge.chainId}', not '${chainId}'`);
      const signature = signStatement(identity, 'heartbeat', heartbeatStreamStatement({ chainId, nodeId, streamNonce: new Uint8Array(challenge.nonce) }));
      this.phase = 'opening';
      this.call.write({ open: { nodeId, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } } });
      return;
    }
    const lease = message.lease;
    if (message.body !== 'lease' || !lease) return this.abort(status.INTERNAL, 'the registry answered with something other than a lease');
    const update: LeaseUpdate = { sequence: lease.sequence, epoch: lease.epoch, expiresAtMs: lease.leaseExpiresAtMs, ttlMs: lease.leaseTtlMs };
    this.options.onLease(update);
    if (this.phase === 'opening') {
      this.phase = 'open';
      this.resolveOpened(update);
    }
  }

  private tick(): void {
    if (this.phase === 'closed') return;
    const silentMs = Date.now() - this.lastHeardMs;
    if (silentMs > this.options.silenceMs) return this.abort(status.DEADLINE_EXCEEDED, `no answer from the registry for ${silentMs} ms`);
    this.beat();
  }

  /** Sends one Beat now (the stream also beats on its own every interval). */
  beat(): number {
    if (this.phase !== 'open') return 0;
    this.sequence += 1;
    this.call.write({ beat: { sequence: this.sequence } });
    return this.sequence;
  }

  private abort(code: status, message: string): void {
    this.settle(new LeaseStreamError(code, message));
    this.call.cancel();
  }

  /** Ends the stream from our side. */
  close(): void {
    this.settle(undefined);
    this.call.cancel();
  }
}
