/**
 * The Consensus gRPC service other validators call: `Gossip` (after a Hello
 * that proves the caller holds a validator key, over a fresh nonce) and
 * `SyncBlocks`. A peer that floods, sends garbage or bad signatures is cut off.
 */
import { randomBytes } from 'node:crypto';

import { status as Status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { addressOf, HandlerFactory, invalidArgument, verifyStatement, writeMessage, type Logger } from '@learnchain/core';
import { helloStatement, ledgerValidators, type Genesis } from '@learnchain/ledger';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import type { Chain } from './chain';
import type { ValidatorNode } from './node';
import type { Reception } from './gossip';

export interface ConsensusServiceOptions {
  readonly genesis: Genesis;
  readonly node: ValidatorNode;
  readonly chain: Chain;
  readonly address: string;
  readonly logger: Logger;
  /** Messages a peer may send per second (burst and rate). */
  readonly ratePerSecond?: number;
  /** Bad messages tolerated before the peer is cut off. */
  readonly maxStrikes?: number;
}

const STATUS_EVERY_MS = 250;
const MAX_SYNC_BATCH = 500;

/** Whether `address` may speak consensus here: a genesis validator or one the ledger lists. */
function isKnownValidator(options: ConsensusServiceOptions, address: string): boolean {
  if (options.genesis.validators.some((v) => v.address === address)) return true;
  return ledgerValidators(options.chain.state).some((v) => v.address === address);
}

/** The service, and a way to end every open Gossip stream (on shutdown). */
export interface ConsensusService {
  readonly implementation: UntypedServiceImplementation;
  closeStreams(): void;
}

export function consensusService(options: ConsensusServiceOptions): ConsensusService {
  const { logger, node, chain, genesis } = options;
  const open = new Set<ServerDuplexStream<v1.ConsensusMessage__Output, v1.ConsensusMessage>>();
  const h = new HandlerFactory(logger, SERVICE_NAMES.consensus);
  const rate = options.ratePerSecond ?? 50_000;
  const maxStrikes = options.maxStrikes ?? 16;

  const gossip = (call: ServerDuplexStream<v1.ConsensusMessage__Output, v1.ConsensusMessage>): void => {
    const nonce = randomBytes(32);
    let peer: string | undefined;
    let strikes = 0;
    let tokens = rate;
    let refilledAt = Date.now();
    let done = false;
    call.write({ hello: { chainId: genesis.chainId, address: options.address, latestHeight: chain.tip.height, nonce } });
    const timer = setInterval(() => {
      if (peer) call.write({ status: node.status() });
    }, STATUS_EVERY_MS);
    open.add(call);
    const finish = (): void => {
      done = true;
      open.delete(call);
      clearInterval(timer);
    };
    const cut = (code: Status, reason: string): void => {
      if (done) return;
      logger.warn({ peer: peer ?? 'unidentified', reason }, 'peer cut off');
      finish();
      call.emit('error', Object.assign(new Error(reason), { code, details: reason }));
    };
    call.on('data', (message: v1.ConsensusMessage__Output) => {
      if (done) return;
      if (!peer) {
        const hello = message.hello;
        const sig = hello?.signature;
        if (!hello || !sig || hello.chainId !== genesis.chainId) return cut(Status.UNAUTHENTICATED, 'the first message must be a Hello for this chain');
        const publicKey = new Uint8Array(sig.publicKey);
        if (publicKey.length !== 32 || addressOf(publicKey) !== hello.address) return cut(Status.UNAUTHENTICATED, 'Hello key does not match its address');
        if (!verifyStatement(publicKey, 'hello', helloStatement(genesis.chainId, hello.address, nonce), new Uint8Array(sig.signature))) return cut(Status.UNAUTHENTICATED, 'Hello signature does not cover our nonce');
        if (!isKnownValidator(options, hello.address)) return cut(Status.PERMISSION_DENIED, `${hello.address} is not a validator`);
        peer = hello.address;
        if (hello.latestHeight >= node.height) node.receive({ message: 'status', status: { height: hello.latestHeight + 1, round: 0, latestCommitted: hello.latestHeight } }, peer);
        return;
      }
      const now = Date.now();
      tokens = Math.min(rate, tokens + ((now - refilledAt) * rate) / 1000);
      refilledAt = now;
      if (tokens < 1) return cut(Status.RESOURCE_EXHAUSTED, 'flooding: more messages than the rate limit');
      tokens -= 1;
      const failed = (error: unknown): Reception => {
        logger.error({ err: error, peer }, 'consensus message handling failed');
        return 'bad';
      };
      const judge = (result: Reception): void => {
        if (result !== 'bad' || done) return;
        strikes += 1;
        if (strikes === 1) logger.warn({ peer }, 'peer sent an invalid consensus message');
        if (strikes >= maxStrikes) cut(Status.INVALID_ARGUMENT, 'too many invalid messages (bad signatures, non-validators, garbage)');
      };
      let result;
      try {
        result = node.receive(message, peer);
      } catch (error) {
        result = failed(error);
      }
      // Transactions are judged once their signatures are checked.
      if (typeof result === 'string') judge(result);
      else result.then(judge, (error: unknown) => judge(failed(error)));
    });
    call.on('error', finish);
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('cancelled', finish);
  };

  const implementation: UntypedServiceImplementation = {
    Gossip: gossip,
    SyncBlocks: h.serverStream('SyncBlocks', async (request: v1.SyncBlocksRequest__Output, call, signal) => {
      if (!Number.isSafeInteger(request.fromHeight) || request.fromHeight < 1) throw invalidArgument('from_height', 'must be a positive height', 'bad_height');
      const latest = chain.tip.height;
      const to = Math.min(request.toHeight > 0 ? request.toHeight : latest, latest, request.fromHeight + MAX_SYNC_BATCH - 1);
      for (let height = request.fromHeight; height <= to && !signal.aborted; height++) {
        const stored = await chain.storedBlock(height);
        if (!stored) break;
        await writeMessage(call, { block: stored.block, commit: stored.commit });
      }
    }),
  };
  return {
    implementation,
    closeStreams() {
      for (const call of open) call.end();
      open.clear();
    },
  };
}
