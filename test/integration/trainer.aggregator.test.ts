/**
 * Two trainers against the real aggregator (in process, with a real registry
 * and a validator stub answering jobs and committing round results): each hears
 * round.opened, fetches the base model by hash from the aggregator, trains on
 * its own shard and uploads a int8 update (one scale per tensor of the job's manifest) that the aggregator's intake
 * accepts (size rule, participant, key, signature). Both rounds of the job
 * commit with both trainers included, the second trained from the first's
 * aggregate.
 */
import { createLogger, loadConfig, toHex, updateStatement, verifyStatement } from '@learnchain/core';
import { buildModel } from '@learnchain/model';

import { createJob, round, startMesh, type Mesh } from '../../services/aggregator/src/__tests__/support/mesh';
import { startTrainer, trainerConfig, type RoundOutcome, type RunningTrainer } from '../../services/trainer/src';
import { eventually } from '../support/processes';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

describe('trainers against the aggregator', () => {
  let mesh: Mesh;
  const trainers: RunningTrainer[] = [];
  const outcomes: RoundOutcome[] = [];

  beforeAll(async () => {
    mesh = await startMesh({ LEARNCHAIN_CHUNK_BYTES: String(256 * 1024), LEARNCHAIN_MAX_BLOB_BYTES: String(8 * MiB), LEARNCHAIN_LEASE_TTL_MS: '600000' });
    for (const index of [0, 1]) {
      const config = loadConfig(trainerConfig, {
        env: {
          LEARNCHAIN_CHAIN_ID: mesh.chainId,
          LEARNCHAIN_REGISTRY: mesh.registry.address,
          LEARNCHAIN_AGGREGATOR: mesh.aggregator.address,
          LEARNCHAIN_VALIDATORS: mesh.validator.address,
          LEARNCHAIN_PARTITION: 'shards:2',
          LEARNCHAIN_CLIENTS: '40',
          LEARNCHAIN_CLIENT_INDEX: String(index),
          LEARNCHAIN_DEVICE: 'cpu',
          LEARNCHAIN_CHUNK_BYTES: String(128 * 1024),
        },
      });
      trainers.push(await startTrainer(config, { bus: mesh.bus, logger: createLogger({ service: 'trainer', level: 'debug' }), onOutcome: (o) => outcomes.push(o) }));
    }
  });

  afterAll(async () => {
    for (const t of trainers) await t.stop();
    await mesh?.stop();
  });

  it('runs two committed rounds with both trainers\' signed updates included', async () => {
    const model = buildModel('mlp', { seed: 5 });
    const job = {
      jobId: 'job-trainers',
      model: 'mlp',
      manifest: { tensors: model.manifest.entries.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset })), totalElements: model.manifest.size },
      hyperParameters: { localEpochs: 1, batchSize: 50, learningRate: 0.05, momentum: 0, proximalMu: 0 },
      rule: { name: 'fedavg' },
      minTrainers: 2,
      roundDeadlineMs: 60_000,
      rounds: 2,
      updateEncoding: 'DTYPE_INT8' as const,
    };
    const initial = await createJob(mesh, job, model.initialParams);
    const second = await eventually('round 2 committed', async () => {
      const status = await round(mesh.client, job.jobId, 2);
      return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
    }, 15_000);
    const first = await round(mesh.client, job.jobId, 1);
    expect(first?.state).toBe('ROUND_STATE_COMMITTED');
    expect(toHex(new Uint8Array(first!.baseModelHash))).toBe(initial);
    // Round 2 trained from round 1's aggregate, which the trainers fetched from the aggregator by hash.
    expect(toHex(new Uint8Array(second.baseModelHash))).toBe(toHex(new Uint8Array(first!.result!.newModelHash)));
    expect(toHex(new Uint8Array(second.baseModelHash))).not.toBe(initial);

    const nodeIds = trainers.map((t) => t.nodeId).sort();
    const results = mesh.validator.roundResults();
    expect(results.map((r) => r.round)).toEqual([1, 2]);
    for (const result of results) {
      expect(result.included.map((u) => u.nodeId).sort()).toEqual(nodeIds);
      expect(result.excluded).toEqual([]);
      for (const u of result.included) {
        const statement = updateStatement({
          chainId: mesh.chainId,
          jobId: job.jobId,
          round: result.round,
          baseModelHash: new Uint8Array(result.baseModelHash),
          updateHash: new Uint8Array(u.updateHash),
          encoding: 'int8',
          numSamples: u.numSamples,
        });
        expect(verifyStatement(new Uint8Array(u.signature!.publicKey), 'update', statement, new Uint8Array(u.signature!.signature))).toBe(true);
        expect(u.numSamples).toBe(200);
      }
    }
    expect(outcomes.filter((o) => o.kind === 'submitted')).toHaveLength(4);
    expect(outcomes.filter((o) => o.kind === 'failed')).toEqual([]);
  });
});
