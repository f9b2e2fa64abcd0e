/**
 * The aggregator's chain client against a validator answering BroadcastTx over
 * a real gRPC socket: a round the validator refuses (at once, or as one it
 * already found unverifiable) is a refusal with the validator's reason, and
 * any other error stays an error to retry.
 */
import { createLogger, failedPrecondition, GrpcServer, HandlerFactory, invalidArgument, unauthenticated } from '@learnchain/core';
import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';

import { ValidatorAdapter } from '../adapters/validator';

const logger = createLogger({ service: 'validator-adapter-test', level: 'silent' });
const tx: v1.Tx = { chainId: 'c', nonce: 1, createJob: { jobId: 'j' } };

/** A validator whose BroadcastTx answers with `answer` (or throws what it returns when that is an Error). */
async function validator(answer: () => v1.BroadcastTxResponse | Error): Promise<GrpcServer> {
  const h = new HandlerFactory(logger, SERVICE_NAMES.validator);
  const implementation = {
    BroadcastTx: h.unary('BroadcastTx', async (): Promise<v1.BroadcastTxResponse> => {
      const a = answer();
      if (a instanceof Error) throw a;
      return a;
    }),
  };
  return GrpcServer.create({ address: '127.0.0.1:0', logger, services: [{ name: SERVICE_NAMES.validator, definition: contracts().validator.service, implementation }] });
}

describe('ValidatorAdapter.submit', () => {
  const servers: GrpcServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.shutdown(100)));
  });

  async function submitTo(answer: () => v1.BroadcastTxResponse | Error) {
    const server = await validator(answer);
    servers.push(server);
    return new ValidatorAdapter({ addresses: [server.address], commitTimeoutMs: 5000 }).submit(tx);
  }

  it('takes a round the validator refused without a block as refused, with its reason', async () => {
    const refusal = 'this validator found the round unverifiable and votes against it: round j/1: aggregate-mismatch';
    expect(await submitTo(() => ({ txHash: Buffer.alloc(32), height: 0, accepted: false, reason: refusal }))).toEqual({ accepted: false, reason: refusal, height: 0, blockHash: new Uint8Array() });
  });

  it('takes a resubmission the validator refuses as already unverifiable as refused, not as a fault to retry', async () => {
    const message = 'this validator found the round unverifiable and votes against it: round j/1: blobs: unavailable';
    expect(await submitTo(() => invalidArgument('tx.body', message, 'round_unverifiable'))).toEqual({ accepted: false, reason: message, height: 0, blockHash: new Uint8Array() });
  });

  it('leaves other errors to the caller', async () => {
    await expect(submitTo(() => failedPrecondition('the call ended before the transaction was committed', 'not_committed_yet'))).rejects.toMatchObject({ details: expect.stringMatching(/before the transaction was committed/) });
    await expect(submitTo(() => unauthenticated('bad signature', 'bad_signature', 'tx.signature'))).rejects.toMatchObject({ details: 'tx.signature: bad signature' });
  });
});
