/**
 * Aggregator faults over the whole mesh (real processes, PostgreSQL, NATS):
 * the aggregator killed with -9 in the middle of a round, restarted, completes
 * the round with every update it had acknowledged; and a tampered RoundResult,
 * one whose new model is not the rule applied to its signed updates, is voted
 * down by every validator with the reason and never committed, while the same
 * round with the true aggregate commits. Each ends with the invariants.
 */
import { aggregate, parseRule } from '@learnchain/aggregation';
import { contentId, Identity, signStatement, unary, updateStatement } from '@learnchain/core';
import { parameterBytes, ruleOf, signTx } from '@learnchain/ledger';
import { encodeUpdate } from '@learnchain/model';
import type { v1 } from '@learnchain/proto';
import { openStorage } from '@learnchain/storage';

import { BlobStore } from '../../../services/aggregator/src/store/blobs';
import type { AggregatorDb, BlobKindName } from '../../../services/aggregator/src/store/schema';
import { GrpcBlobs } from '../../../cli/src/devnet/blobs';
import type { ChainRound, Mesh } from '../../support/mesh';
import { meshForSuite } from '../../support/suite-mesh';
import { eventually } from '../../support/processes';
import { describeWith, serviceUrl } from '../../support/services';

/**
 * Stores bytes straight into the aggregator's blob store (its database schema), where validators
 * fetch blobs from, as a compromised aggregator could: PutBlob takes only blobs a committed job names.
 */
async function plantBlob(m: Mesh, bytes: Uint8Array, kind: BlobKindName): Promise<string> {
  const storage = await openStorage<AggregatorDb>({ url: serviceUrl('postgres'), schema: m.schema('aggregator') });
  try {
    return await new BlobStore(storage.db, 1024 * 1024).put(bytes, kind);
  } finally {
    await storage.close();
  }
}

jest.setTimeout(300_000);

const ROUNDS = 6;

describeWith(['postgres', 'nats'], 'fault suite: aggregator', () => {
  const suite = meshForSuite({ flags: { trainers: '3', clients: '8', rounds: String(ROUNDS), epochs: '1', 'validation-samples': '200' } });

  it('completes the round with every acknowledged update after the aggregator is killed with -9 mid-round and restarted', async () => {
    const m = suite.mesh;
    const job = suite.job;
    const partly = (s: v1.RoundStatus__Output | undefined): boolean => s?.state === 'ROUND_STATE_OPEN' && s.received.length > 0 && s.received.length < s.participants.length;
    // Killed once some updates of an open round are in and others are not (or, failing that moment, while a round is open).
    const started = Date.now();
    const open = await eventually('an open round, partly received', async () => {
      const s = await m.round(job.jobId);
      return partly(s) || (Date.now() - started > 60_000 && s?.state === 'ROUND_STATE_OPEN') ? s : undefined;
    }, 120_000, 10);
    await m.kill(m.aggregator);
    const held = open.received;
    await m.startAggregator();
    const record = await m.committed(job.jobId, open.round);
    const included = record.included.map((u) => u.nodeId);
    for (const nodeId of held) expect(included).toContain(nodeId);
    // What every trainer heard acknowledged for that round, before or after the crash, is in the record with its hash.
    for (const ack of m.acknowledged(job.jobId).filter((a) => a.round === open.round)) {
      expect(record.included).toContainEqual(expect.objectContaining({ nodeId: ack.nodeId, updateHash: ack.updateHash }));
    }
    await m.committed(job.jobId, ROUNDS);
    const report = await m.checkInvariants(job.jobId);
    expect(report.rounds).toBe(ROUNDS);
  });

  it('never commits a RoundResult whose model is not the aggregate of its updates, and every validator says why', async () => {
    const m = suite.mesh;
    const job = suite.job;
    await m.committed(job.jobId, ROUNDS);
    // The job is done: the aggregator submits nothing more, so its key's next nonce is ours to use.
    const head = await m.query<{ round: number; head: string }>(`jobs/${job.jobId}`);
    if (!head) throw new Error('no job on chain');
    const round = head.round + 1;
    const epoch = ((await m.query<{ epoch: number }>('membership')) ?? { epoch: 0 }).epoch;
    const baseBytes = await new GrpcBlobs(m.aggregatorApi).fetchHex(head.head);
    const base = new Float32Array(baseBytes.buffer.slice(baseBytes.byteOffset, baseBytes.byteOffset + baseBytes.byteLength));

    // Three members sign updates of the next round, stored where validators fetch blobs.
    const signers = [0, 1, 2].map((i) => m.trainerIdentity(i));
    const updates = await Promise.all(signers.map(async (signer, k) => {
      const delta = Float32Array.from({ length: base.length }, (_, i) => (((i * 7919 + k * 104_729) % 2001) - 1000) * 1e-6);
      const bytes = encodeUpdate(delta, job.model.manifest, 'float32');
      const updateHash = await plantBlob(m, bytes, 'update');
      expect(updateHash).toBe(contentId(bytes));
      const hash = Buffer.from(updateHash, 'hex');
      const statement = updateStatement({ chainId: m.chainId, jobId: job.jobId, round, baseModelHash: Buffer.from(head.head, 'hex'), updateHash: hash, encoding: 'float32', numSamples: 100 });
      const signature = { publicKey: Buffer.from(signer.publicKey), signature: Buffer.from(signStatement(signer, 'update', statement)) };
      return { delta, entry: { nodeId: signer.address, updateHash: hash, numSamples: 100, encoding: 'DTYPE_FLOAT32' as const, decision: 'kept', signature } };
    }));
    // The true aggregate, computed as validators recompute it; and a tampered model that differs from it in one value.
    const { aggregate: delta } = aggregate(parseRule(ruleOf(job.rule as v1.AggregationRule__Output)), updates.map((u) => ({ id: u.entry.updateHash.toString('hex'), values: u.delta, weight: 100 })), undefined, { dimension: base.length });
    const honest = new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) honest[i] = (base[i] as number) + (delta[i] as number);
    const tampered = honest.slice();
    tampered[0] = (tampered[0] as number) + 0.5;
    const honestHash = await plantBlob(m, parameterBytes(honest), 'parameters');
    const tamperedHash = await plantBlob(m, parameterBytes(tampered), 'parameters');

    const aggregator = Identity.fromFile(m.files.aggregatorKey);
    const nonceBefore = (await m.query<number>(`nonces/${Buffer.from(aggregator.publicKey).toString('hex')}`)) ?? 0;
    const roundResult = (newModelHash: string): v1.RoundResult => ({
      jobId: job.jobId,
      round,
      baseModelHash: Buffer.from(head.head, 'hex'),
      newModelHash: Buffer.from(newModelHash, 'hex'),
      membershipEpoch: epoch,
      rule: job.rule,
      included: updates.map((u) => u.entry),
      excluded: [],
    });
    const bad = signTx(aggregator, m.chainId, nonceBefore + 1, { roundResult: roundResult(tamperedHash) });
    // Waiting for its commit, the submitter hears as soon as the validator votes against it, and why: refused, at no height.
    const sent = await unary(m.validator(0), 'BroadcastTx', { tx: bad, wait: 'TX_WAIT_COMMIT' }, { deadlineMs: 120_000 });
    expect(sent.txHash.length).toBe(32);
    expect(sent).toMatchObject({ height: 0, accepted: false, reason: expect.stringMatching(/unverifiable.*round .*aggregate-mismatch/) });

    // Every validator judges the block that carries it invalid, naming the round and the reason.
    const why = new RegExp(`round ${job.jobId}/${round}: aggregate-mismatch`);
    const judged = await eventually('every validator voting against the tampered round', () => {
      const said = m.validators.filter((p) => p?.logs('proposed block is invalid').some((r) => why.test(String(r.reason))));
      return said.length === m.validators.length ? said : undefined;
    }, 120_000, 250);
    expect(judged).toHaveLength(4);
    const after = await m.height(0);
    await m.reaches(0, after + 3);
    expect(await m.query<ChainRound>(`jobs/${job.jobId}/rounds/${round}`)).toBeUndefined();
    expect(await m.query<{ round: number }>(`jobs/${job.jobId}`)).toMatchObject({ round: head.round, head: head.head });
    expect(await m.query<number>(`nonces/${Buffer.from(aggregator.publicKey).toString('hex')}`)).toBe(nonceBefore === 0 ? undefined : nonceBefore);
    // Sent again, it is refused at once: the validators remember it as unverifiable, and say why.
    await expect(unary(m.validator(1), 'BroadcastTx', { tx: bad }, { deadlineMs: 10_000 })).rejects.toMatchObject({ details: expect.stringMatching(/unverifiable.*aggregate-mismatch/) });

    // The same round with the true aggregate commits: the model was the only thing wrong.
    const good = signTx(aggregator, m.chainId, nonceBefore + 1, { roundResult: roundResult(honestHash) });
    const committed = await unary(m.validator(2), 'BroadcastTx', { tx: good, wait: 'TX_WAIT_COMMIT' }, { deadlineMs: 120_000 });
    expect(committed).toMatchObject({ accepted: true, reason: '' });
    const record = await m.committed(job.jobId, round);
    expect(record.model).toBe(honestHash);
    expect(record.model).not.toBe(tamperedHash);
    await m.checkInvariants(job.jobId);
  });
});
