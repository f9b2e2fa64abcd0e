/**
 * HeartbeatStream, the gRPC side: send the stream's nonce, take one signed
 * Open (within a deadline), then answer each Beat with the lease. Malformed
 * messages, a bad proof, a flood, or a lease the member no longer holds end the
 * stream with a status naming the field and the reason, as the unary calls do.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';

import { invalidArgument, resourceExhausted, toServiceError, unauthenticated, type Logger } from '@learnchain/core';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import { nodeIdOf, signatureOf, toStatus } from './grpc';
import type { Registry } from './registry';
import type { LeaseSession, LeaseView } from './sessions';

type Call = ServerDuplexStream<v1.HeartbeatStreamRequest__Output, v1.HeartbeatStreamResponse>;

/** How long a stream may stay unopened after its nonce was sent. */
const OPEN_DEADLINE_MS = 10_000;
/** Beats a stream may send per second (burst and rate); members beat a few times per TTL. */
const BEATS_PER_SECOND = 20;

type StreamPhase = 'opening' | 'open' | 'ended';

/** The HeartbeatStream handler for grpc-js. */
export function heartbeatStream(registry: Registry, logger: Logger): (call: Call) => void {
  const context = { logger, method: `${SERVICE_NAMES.registry}/HeartbeatStream` };
  return (call: Call): void => {
    const nonce = registry.streamNonce();
    let phase: StreamPhase = 'opening';
    let session: LeaseSession | undefined;
    let tokens = BEATS_PER_SECOND;
    let refilledAt = Date.now();

    const finish = (): void => {
      if (phase === 'ended') return;
      phase = 'ended';
      clearTimeout(openTimer);
      if (session) registry.closeLeaseSession(session);
    };
    const fail = (error: unknown): void => {
      if (phase === 'ended') return;
      finish();
      // grpc-js sends the status of an error emitted on the call.
      if (!call.cancelled) call.emit('error', toServiceError(toStatus(error), context));
    };
    const answer = (sequence: number, lease: LeaseView): void => {
      if (phase !== 'open') return;
      call.write({ lease: { sequence, epoch: lease.epoch, leaseExpiresAtMs: lease.leaseExpiresAtMs, leaseTtlMs: registry.leaseTtlMs } });
    };
    const openTimer = setTimeout(() => fail(unauthenticated(`no Open within ${OPEN_DEADLINE_MS} ms of the nonce`, 'open_timeout', 'open')), OPEN_DEADLINE_MS);
    openTimer.unref();

    const open = (message: v1.HeartbeatStreamOpen__Output): void => {
      const nodeId = nodeIdOf(message.nodeId);
      const signed = signatureOf(message.signature);
      phase = 'open';
      clearTimeout(openTimer);
      registry.openLeaseSession({ nodeId, ...signed, streamNonce: nonce }, fail).then(
        (opened) => {
          if (phase !== 'open') {
            registry.closeLeaseSession(opened.session);
            return;
          }
          session = opened.session;
          answer(0, opened.lease);
        },
        fail,
      );
    };

    const beat = (message: v1.HeartbeatBeat__Output): void => {
      if (!session) throw invalidArgument('beat', 'sent before the Open was answered', 'not_open');
      if (!Number.isSafeInteger(message.sequence) || message.sequence <= 0) throw invalidArgument('beat.sequence', 'must be a positive integer', 'bad_sequence');
      const now = Date.now();
      tokens = Math.min(BEATS_PER_SECOND, tokens + ((now - refilledAt) * BEATS_PER_SECOND) / 1000);
      refilledAt = now;
      if (tokens < 1) throw resourceExhausted(`more than ${BEATS_PER_SECOND} beats per second`, 'flooding', 'beat');
      tokens -= 1;
      const { sequence } = message;
      const lease = session.beat();
      if ('then' in lease) lease.then((renewed) => answer(sequence, renewed), fail);
      else answer(sequence, lease);
    };

    call.on('data', (message: v1.HeartbeatStreamRequest__Output) => {
      if (phase === 'ended') return;
      try {
        if (phase === 'opening') {
          if (message.body !== 'open' || !message.open) throw invalidArgument('open', 'the first message must be an Open answering the nonce', 'missing');
          open(message.open);
        } else {
          if (message.body !== 'beat' || !message.beat) throw invalidArgument('beat', 'after the Open only Beats are sent', 'unexpected');
          beat(message.beat);
        }
      } catch (error) {
        fail(error);
      }
    });
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('error', finish);
    call.on('cancelled', finish);
    call.write({ challenge: { chainId: registry.chainId, nonce: Buffer.from(nonce) } });
  };
}
