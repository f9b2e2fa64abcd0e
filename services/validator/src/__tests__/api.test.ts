/**
 * The Validator API over a real gRPC socket: BroadcastTxs. One validator of a
 * two-validator genesis runs alone, so it never commits (half the power is
 * not more than 2/3) and its mempool only fills: every verdict is the
 * mempool's, not a block's.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClient, errorDetailOf, Identity, loadConfig, serverStream, Status, toHex, unary } from '@learnchain/core';
import { decodeTxForm, encodeTx, signTx } from '@learnchain/ledger';
import { contracts, messageCodec, type v1 } from '@learnchain/proto';
import type { ServiceError } from '@grpc/grpc-js';

import { validatorConfig } from '../config';
import { startValidator, type RunningValidator } from '../main';

jest.setTimeout(60_000);

const CHAIN = 'api-test';
const MEMPOOL = 6;
const seed = randomBytes(32);
const self = Identity.fromSeed(seed);
const client = Identity.generate();

const createJob = (nonce: number, chainId = CHAIN): v1.Tx =>
  signTx(client, chainId, nonce, { createJob: { jobId: `job-${nonce}`, initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'fedavg' }, minTrainers: 1 } });
/** The error a call that must fail failed with. */
async function refusal(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded');
}
/** A transaction's hash, whether its signature verifies or not. */
const hashOf = (tx: v1.Tx): string => decodeTxForm(messageCodec<v1.Tx, v1.Tx__Output>('learnchain.v1.Tx').decode(encodeTx(tx)), { chainId: CHAIN }).tx.hashHex;

describe('Validator API: BroadcastTxs', () => {
  let dir = '';
  let validator: RunningValidator | undefined;
  let api: InstanceType<ReturnType<typeof contracts>['validator']>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'learnchain-api-'));
    const genesis = { chainId: CHAIN, validators: [self, Identity.generate()].map((v) => ({ publicKey: toHex(v.publicKey), power: 1 })) };
    const env = {
      LEARNCHAIN_VALIDATOR_LISTEN: '127.0.0.1:0',
      LEARNCHAIN_KEY: seed.toString('hex'),
      LEARNCHAIN_GENESIS: JSON.stringify(genesis),
      LEARNCHAIN_WAL_DIR: join(dir, 'wal'),
      LEARNCHAIN_MEMPOOL_MAX_TXS: String(MEMPOOL),
      LEARNCHAIN_LOG_LEVEL: 'error',
      DATABASE_URL: 'pglite:memory',
    };
    validator = await startValidator(loadConfig(validatorConfig, { env }));
    api = createClient(contracts().validator, validator.address);
  });

  afterAll(async () => {
    api?.close();
    await validator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each transaction as BroadcastTx would answer it alone, in order, naming it by index', async () => {
    const tampered = { ...createJob(3), createJob: { ...createJob(3).createJob, jobId: 'other' } };
    const unsigned = { ...createJob(4), signature: null };
    const register = signTx(client, CHAIN, 5, { registerNode: { nodeId: client.address, publicKey: Buffer.from(client.publicKey), role: 'ROLE_TRAINER', epoch: 1 } });
    // What the single call answers for a forged transaction, the batch answers for it too.
    const single = await refusal(unary(api, 'BroadcastTx', { tx: tampered }));
    expect([single.code, errorDetailOf(single)?.reason, errorDetailOf(single)?.field]).toEqual([Status.UNAUTHENTICATED, 'bad_signature', 'tx.signature']);
    const txs = [createJob(1), tampered, createJob(2), unsigned, createJob(6, 'elsewhere'), register, createJob(1), createJob(7), createJob(8), createJob(9), createJob(10), createJob(11)];
    const { admissions } = await unary(api, 'BroadcastTxs', { txs });
    const seen = admissions.map((a) => (a.queued ? 'queued' : `${Status[a.code]} ${a.error?.field} ${a.error?.reason}`));
    expect(seen).toEqual([
      'queued',
      'UNAUTHENTICATED txs[1].signature bad_signature',
      'queued',
      'UNAUTHENTICATED txs[3].signature unsigned',
      'INVALID_ARGUMENT txs[4].chain_id wrong_chain',
      'PERMISSION_DENIED txs[5].signature not_authorised',
      'queued', // the first one again: already queued
      'queued',
      'queued',
      'queued',
      'queued',
      `RESOURCE_EXHAUSTED  mempool_full`, // the mempool holds 6
    ]);
    expect(toHex(admissions[0]?.txHash ?? new Uint8Array())).toBe(hashOf(createJob(1)));
    expect(toHex(admissions[6]?.txHash ?? new Uint8Array())).toBe(hashOf(createJob(1)));
    expect(toHex(admissions[1]?.txHash ?? new Uint8Array())).toBe(hashOf(tampered));
    expect(admissions[3]?.txHash.length).toBe(0); // not decoded: no hash
    expect((await unary(api, 'Status', {})).mempoolSize).toBe(MEMPOOL);
    // Full, it refuses what it does not hold without checking it, forged or not.
    const full = await refusal(unary(api, 'BroadcastTx', { tx: tampered }));
    expect([full.code, errorDetailOf(full)?.reason]).toEqual([Status.RESOURCE_EXHAUSTED, 'mempool_full']);
  });

  it('refuses an empty call and one of more than 1,000 transactions, naming the field', async () => {
    for (const count of [0, 1001]) {
      const error = await refusal(unary(api, 'BroadcastTxs', { txs: Array.from({ length: count }, (_, i) => createJob(100 + i)) }));
      expect([error.code, errorDetailOf(error)?.field, errorDetailOf(error)?.reason]).toEqual([Status.INVALID_ARGUMENT, 'txs', 'bad_batch_size']);
    }
    expect((await unary(api, 'Status', {})).mempoolSize).toBe(MEMPOOL);
  });

  it('QueryState pages the lists only, at most 1,000 records a page, naming the field it refuses', async () => {
    expect(await unary(api, 'QueryState', { path: 'jobs', limit: 1000 })).toMatchObject({ json: '[]', nextAfter: '' });
    const refusals = [
      [{ path: 'jobs', limit: 1001 }, 'limit', 'too_large'],
      [{ path: 'validators', after: 'x' }, 'after', 'not_a_list'],
      [{ path: 'validators', limit: 5 }, 'limit', 'not_a_list'],
    ] as const;
    for (const [request, field, reason] of refusals) {
      const error = await refusal(unary(api, 'QueryState', request));
      expect([error.code, errorDetailOf(error)?.field, errorDetailOf(error)?.reason]).toEqual([Status.INVALID_ARGUMENT, field, reason]);
    }
  });
});

describe('Validator API: WatchBlocks', () => {
  let dir = '';
  let validator: RunningValidator | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'learnchain-watch-'));
    // A validator alone in its genesis commits a block after another, empty ones included.
    const env = {
      LEARNCHAIN_VALIDATOR_LISTEN: '127.0.0.1:0',
      LEARNCHAIN_KEY: seed.toString('hex'),
      LEARNCHAIN_GENESIS: JSON.stringify({ chainId: CHAIN, validators: [{ publicKey: toHex(self.publicKey), power: 1 }] }),
      LEARNCHAIN_WAL_DIR: join(dir, 'wal'),
      LEARNCHAIN_EMPTY_BLOCK_INTERVAL_MS: '0',
      LEARNCHAIN_LOG_LEVEL: 'error',
      DATABASE_URL: 'pglite:memory',
    };
    validator = await startValidator(loadConfig(validatorConfig, { env }));
  });

  afterAll(async () => {
    await validator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams every block from the asked height on, in order: those stored when it asks, then each as it is committed', async () => {
    const api = createClient(contracts().validator, (validator as RunningValidator).address);
    try {
      while ((await unary(api, 'Status', {})).latestHeight < 20) await new Promise((resolve) => setTimeout(resolve, 20));
      const heights: number[] = [];
      for await (const message of serverStream(api, 'WatchBlocks', { fromHeight: 3 })) {
        heights.push(Number(message.block?.header?.height));
        if (heights.length === 100) break;
      }
      expect(heights).toEqual(Array.from({ length: 100 }, (_, i) => i + 3));
    } finally {
      api.close();
    }
  });
});
