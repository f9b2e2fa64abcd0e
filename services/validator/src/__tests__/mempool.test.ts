import { Identity, inlineSignatureChecks, SignatureThreads, toHex, type SignatureChecks } from '@learnchain/core';
import { genesisWrites, LedgerState, parseGenesis, signTx, TxFormatError, decodeTxBytes, encodeTx } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { MempoolFullError, TxRefusedError } from '../errors';
import { Mempool, STUCK_BLOCKS } from '../mempool';

const CHAIN = 'mempool-test';
const validator = Identity.generate();
const genesis = parseGenesis({ chainId: CHAIN, validators: [{ publicKey: toHex(validator.publicKey), power: 1 }] });
const state = new LedgerState();
state.apply(genesisWrites(genesis));
const client = Identity.generate();

const wire = (nonce: number, jobId = `job-${nonce}`): v1.Tx__Output =>
  decodeTxBytes(encodeTx(signTx(client, CHAIN, nonce, { createJob: { jobId, initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'fedavg' }, minTrainers: 1 } })), { chainId: CHAIN }).wire;

describe('mempool', () => {
  it('queues checked transactions once, reaps them in nonce order and drops them after commit', () => {
    const pool = new Mempool(genesis, () => state, 10);
    expect(pool.add(wire(2)).fresh).toBe(true);
    expect(pool.add(wire(1)).fresh).toBe(true);
    expect(pool.add(wire(1)).fresh).toBe(false);
    const reaped = pool.reap(10, 1 << 20);
    expect(reaped.map((t) => t.nonce)).toEqual([1, 2]);
    pool.update(reaped.slice(0, 1));
    expect(pool.size).toBe(1);
  });

  it('refuses a bad signature, an unauthorised registry transaction, and more than its limit', () => {
    const pool = new Mempool(genesis, () => state, 2);
    const tampered = { ...wire(1), createJob: { ...(wire(1).createJob as v1.CreateJob__Output), jobId: 'other' } };
    expect(() => pool.add(tampered)).toThrow(TxFormatError);
    const register = decodeTxBytes(encodeTx(signTx(client, CHAIN, 3, { registerNode: { nodeId: client.address, publicKey: Buffer.from(client.publicKey), role: 'ROLE_TRAINER', epoch: 1 } })), { chainId: CHAIN }).wire;
    expect(() => pool.add(register)).toThrow(TxRefusedError);
    pool.add(wire(1));
    pool.add(wire(2));
    expect(() => pool.add(wire(4))).toThrow(MempoolFullError);
  });

  it('drops a transaction it rejected and refuses it from then on, saying why', () => {
    const pool = new Mempool(genesis, () => state, 10);
    const heard: [string, string][] = [];
    pool.onReject((hashHex, refusal) => heard.push([hashHex, refusal]));
    const { tx } = pool.add(wire(1));
    pool.reject(tx.hashHex, 'round job-1/1: aggregate-mismatch');
    expect(pool.size).toBe(0);
    expect(heard).toEqual([[tx.hashHex, 'this validator found the round unverifiable and votes against it: round job-1/1: aggregate-mismatch']]);
    expect(() => pool.add(wire(1))).toThrow(expect.objectContaining({ code: 'round_unverifiable', field: 'body', message: expect.stringContaining('aggregate-mismatch') }));
  });
});

describe('mempool: transactions no block can take', () => {
  const signers = Array.from({ length: 6 }, () => Identity.generate());
  const txOf = (signer: Identity, nonce: number): v1.Tx__Output =>
    decodeTxBytes(encodeTx(signTx(signer, CHAIN, nonce, { createJob: { jobId: `${signer.address}-${nonce}`, initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'fedavg' }, minTrainers: 1 } })), { chainId: CHAIN }).wire;

  it(`drops, once half full, those that waited ${STUCK_BLOCKS} blocks for an earlier nonce, and keeps those a block can take`, () => {
    const pool = new Mempool(genesis, () => state, 10);
    const told = new Map<string, string>();
    pool.onReject((hash, reason) => told.set(hash, reason));
    // Nonce 1 of each of five signers never comes: their nonce-2 transactions fill half the pool.
    const stuck = signers.slice(0, 5).map((signer) => pool.add(txOf(signer, 2)).tx.hashHex);
    const ready = pool.add(txOf(signers[5] as Identity, 1)).tx.hashHex;
    for (let block = 1; block < STUCK_BLOCKS; block++) pool.update([]);
    expect(pool.size).toBe(6);
    // A gap filled in time is kept: signer 0's nonce 1 arrives, and its nonce 2 can follow it.
    pool.add(txOf(signers[0] as Identity, 1));
    pool.update([]);
    expect(stuck.map((hash) => pool.has(hash))).toEqual([true, false, false, false, false]);
    // Whoever waits for one is told, and may send it again.
    expect([...told.keys()]).toEqual(stuck.slice(1));
    expect(told.get(stuck[1] as string)).toBe(`dropped from the mempool: it waited ${STUCK_BLOCKS} blocks for its signer's transaction of nonce 1, which never arrived; send that one, then this one again`);
    expect(pool.add(txOf(signers[1] as Identity, 2)).fresh).toBe(true);
    expect(pool.has(ready)).toBe(true);
    expect(pool.reap(10, 1 << 20).map((tx) => tx.signerHex)).toEqual([signers[0], signers[0], signers[5]].map((s) => toHex((s as Identity).publicKey)));
  });

  it('keeps them while it is less than half full', () => {
    const pool = new Mempool(genesis, () => state, 10);
    const stuck = signers.slice(0, 4).map((signer) => pool.add(txOf(signer, 3)).tx.hashHex);
    for (let block = 0; block < 2 * STUCK_BLOCKS; block++) pool.update([]);
    expect(stuck.every((hash) => pool.has(hash))).toBe(true);
  });
});

describe('mempool batches from peers', () => {
  const checks: [string, () => SignatureChecks][] = [
    ['on the event loop', () => inlineSignatureChecks],
    ['on worker threads', () => new SignatureThreads(2)],
  ];
  it.each(checks)('checks the signatures together (%s): queues the good, counts the bad, skips what add refuses', async (_name, make) => {
    const signatures = make();
    try {
      const pool = new Mempool(genesis, () => state, 100);
      const tampered = { ...wire(3), createJob: { ...(wire(3).createJob as v1.CreateJob__Output), jobId: 'other' } };
      const wrongChain = { ...wire(4), chainId: 'elsewhere' };
      const good = Array.from({ length: 40 }, (_, i) => wire(10 + i));
      const outcome = await pool.addBatch([wire(1), tampered, wrongChain, ...good, wire(1)], signatures);
      expect(outcome).toEqual({ fresh: 41, badSignatures: 1, dropped: 0 });
      expect(pool.size).toBe(41);
      // Already queued: nothing new, nothing checked again.
      expect(await pool.addBatch([wire(1)], signatures)).toEqual({ fresh: 0, badSignatures: 0, dropped: 0 });
    } finally {
      await signatures.close();
    }
  });

  it('drops a batch whole while full', async () => {
    const pool = new Mempool(genesis, () => state, 1);
    pool.add(wire(1));
    expect(await pool.addBatch([wire(2), wire(1)], inlineSignatureChecks)).toEqual({ fresh: 0, badSignatures: 0, dropped: 2 });
    expect(pool.size).toBe(1);
  });

  it('drops a batch whole while more than its size are being checked', async () => {
    const pool = new Mempool(genesis, () => state, 3);
    let release: () => void = () => undefined;
    const held: SignatureChecks = {
      threads: 0,
      verify: async (items) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return items.map(() => true);
      },
      close: async () => undefined,
    };
    const first = pool.addBatch([wire(1), wire(2)], held);
    expect(await pool.addBatch([wire(3), wire(4)], held)).toEqual({ fresh: 0, badSignatures: 0, dropped: 2 });
    release();
    expect(await first).toEqual({ fresh: 2, badSignatures: 0, dropped: 0 });
  });
});

describe('mempool batches from clients', () => {
  it('gives each transaction the verdict add would give it alone, in order, one refusal refusing no other', async () => {
    const pool = new Mempool(genesis, () => state, 5);
    pool.add(wire(1));
    const tampered = { ...wire(3), createJob: { ...(wire(3).createJob as v1.CreateJob__Output), jobId: 'other' } };
    const unsigned = { ...wire(4), signature: null };
    const register = decodeTxBytes(encodeTx(signTx(client, CHAIN, 5, { registerNode: { nodeId: client.address, publicKey: Buffer.from(client.publicKey), role: 'ROLE_TRAINER', epoch: 1 } })), { chainId: CHAIN }).wire;
    const admissions = await pool.admitAll([wire(2), tampered, wire(1), unsigned, register, wire(6), wire(7), wire(8), wire(9)], inlineSignatureChecks);
    const verdicts = admissions.map((a) => ('refused' in a ? `${a.refused.constructor.name}${a.hash ? ' with hash' : ''}` : a.fresh ? 'queued' : 'already queued'));
    expect(verdicts).toEqual(['queued', 'TxFormatError with hash', 'already queued', 'TxFormatError', 'TxRefusedError with hash', 'queued', 'queued', 'queued', 'MempoolFullError with hash']);
    expect(admissions[1]).toMatchObject({ refused: { reason: 'bad_signature' } });
    expect(admissions[3]).toMatchObject({ refused: { reason: 'unsigned' } });
    expect(pool.size).toBe(5);
  });

  it('refuses what it does not hold unchecked while full, forged or not, and still answers for what it holds', async () => {
    const pool = new Mempool(genesis, () => state, 2);
    pool.add(wire(1));
    pool.add(wire(2));
    const checked: number[] = [];
    const counting: SignatureChecks = { threads: 0, verify: async (items) => (checked.push(items.length), inlineSignatureChecks.verify(items)), close: async () => undefined };
    const tampered = { ...wire(3), createJob: { ...(wire(3).createJob as v1.CreateJob__Output), jobId: 'other' } };
    const admissions = await pool.admitAll([tampered, wire(4), wire(2)], counting);
    expect(admissions.map((a) => ('refused' in a ? a.refused.constructor.name : a.fresh))).toEqual(['MempoolFullError', 'MempoolFullError', false]);
    expect(checked.reduce((a, b) => a + b, 0)).toBe(0);
  });
});
