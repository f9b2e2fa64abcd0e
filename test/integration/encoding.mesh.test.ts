/**
 * A job with int8 updates, end to end over the whole mesh in one process
 * (4 validators, registry, aggregator, 3 trainers; PostgreSQL): trainers
 * encode int8 with one scale per tensor of the job's manifest, the aggregator
 * admits exactly that size, aggregates the decoded values, and the round
 * commits only because every validator re-executed it from the same blobs and
 * got the same model bytes, each evaluating it on its evaluation thread.
 */
import { aggregate, parseRule } from '@learnchain/aggregation';
import { contentId, toHex, unary } from '@learnchain/core';
import { encodedSize, encodingOf, parametersOf } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';

import { ValidatorApi } from '../../cli/src/client/services';
import { aggregatorClient, GrpcBlobs, type AggregatorClient } from '../../cli/src/devnet/blobs';
import { followJob } from '../../cli/src/devnet/follow';
import { submitJob } from '../../cli/src/devnet/job';
import { startMesh, type Mesh } from '../../cli/src/devnet/mesh';
import { parseDevnetOptions } from '../../cli/src/devnet/options';
import { decodeUpdateBlob, updateLayoutOf } from '../../services/validator/src/round-check';
import { describeWith, serviceUrl } from '../support/services';

jest.setTimeout(240_000);

describeWith(['postgres'], 'a job with int8 updates over the mesh', () => {
  let mesh: Mesh | undefined;
  let client: AggregatorClient | undefined;

  afterAll(async () => {
    client?.close();
    await mesh?.stop();
  });

  it('commits a round of int8 updates that every validator re-executed to the same model', async () => {
    // Validators check the round as a deployment does: the loss on the evaluation thread (not the devnet's event loop).
    const flags = { encoding: 'int8', trainers: '3', clients: '24', rule: 'fedavg', rounds: '1', epochs: '1', 'validation-samples': '200', database: serviceUrl('postgres'), 'round-check-threads': '1' };
    const options = parseDevnetOptions(new Map(Object.entries(flags)));
    mesh = await startMesh(options);
    client = aggregatorClient(mesh.aggregator.address);
    const validator = mesh.validators[0]?.address as string;
    const job = await submitJob(options, mesh.chainId, client, validator);
    const [report] = await followJob({ jobId: job.jobId, rounds: 1, model: job.model, aggregator: client, deadlineMs: Date.now() + 200_000, signal: new AbortController().signal, onRound: () => undefined });
    expect(report?.included).toBe(3);

    // The ledger recorded the job's encoding; the committed round names int8 updates.
    const api = new ValidatorApi(validator);
    const [{ value: record }, { value: committed }] = await Promise.all([
      api.query<{ spec: { updateEncoding: string } }>(`jobs/${job.jobId}`),
      api.query<{ height: number }>(`jobs/${job.jobId}/rounds/1`),
    ]).finally(() => api.close());
    expect(record.spec.updateEncoding).toBe('DTYPE_INT8');
    const status = (await unary(client, 'getRound', { jobId: job.jobId, round: 1 }, { deadlineMs: 5000 })) as v1.RoundStatus__Output;
    expect(status.state).toBe('ROUND_STATE_COMMITTED');
    // The aggregator names the block that committed the round, as the ledger records it; the devnet reports that height.
    expect(Number(status.committedHeight)).toBe(committed.height);
    expect(status.committedBlockHash).toHaveLength(32);
    expect(report?.height).toBe(committed.height);
    const result = status.result as v1.RoundResult__Output;
    expect(result.included.map((u) => u.encoding)).toEqual(['DTYPE_INT8', 'DTYPE_INT8', 'DTYPE_INT8']);

    // Each update is int8 of the manifest's layout: 16 + 4·T + P bytes, about a quarter of float32.
    const blobs = new GrpcBlobs(client);
    const base = parametersOf(await blobs.fetch(new Uint8Array(result.baseModelHash)));
    const jobRecord = { jobId: job.jobId, creator: '', createdHeight: 0, spec: { manifest: { tensors: job.model.manifest.entries.map((e) => ({ shape: e.shape, offset: e.offset })) } }, head: new Uint8Array(0), round: 0, ruleName: 'fedavg', validationDataset: new Uint8Array(0), maxLoss: 0, maxLossIncrease: 0 };
    const layout = updateLayoutOf(jobRecord, base.length);
    expect(layout.entries).toHaveLength(job.model.manifest.entries.length);
    const updates = await Promise.all(result.included.map(async (u) => ({ u, bytes: await blobs.fetch(new Uint8Array(u.updateHash)) })));
    for (const { bytes } of updates) {
      expect(encodingOf(bytes)).toBe('int8');
      expect(bytes.byteLength).toBe(encodedSize('int8', layout));
      expect(bytes.byteLength * 3.9).toBeLessThan(encodedSize('float32', layout));
    }

    // The committed model is base + fedavg of the DECODED int8 values, byte for byte.
    const decoded = updates.map(({ u, bytes }) => ({ id: toHex(u.updateHash), values: decodeUpdateBlob(bytes, 'int8', { job: jobRecord, size: base.length }), weight: Math.max(1, u.numSamples) }));
    const { aggregate: delta } = aggregate(parseRule({ name: 'fedavg', f: 0 }), decoded, undefined, { dimension: base.length });
    const next = base.map((v, i) => v + (delta[i] ?? 0));
    expect(contentId(new Uint8Array(next.buffer))).toBe(toHex(result.newModelHash));
  });
});
