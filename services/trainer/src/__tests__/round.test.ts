import { status as Status } from '@grpc/grpc-js';
import type { RoundOpened } from '@learnchain/bus';
import { Identity, sha256, toHex, updateStatement, verifyStatement } from '@learnchain/core';
import { buildModel, decodeUpdate, loadMnist, subset } from '@learnchain/model';

import { OnnxLocalTrainer } from '../adapters/onnx';
import { NO_ATTACK } from '../attacks';
import { shuffleSeed } from '../config';
import { BaseModelHashMismatchError, RoundClosedError } from '../errors';
import { RoundHandler, type RoundHandlerOptions } from '../round';
import { base, baseBytes, baseHash, job, logger, manifest, MemoryJobs, MemoryModels, MemorySink, parameterBytes, StepTrainer } from './fakes';

const identity = Identity.generate();
const NODE = 'node-a';

function event(overrides: Partial<RoundOpened> = {}): RoundOpened {
  return { chainId: 'chain-t', jobId: job.jobId, round: 3, baseModelHash: baseHash, deadlineMs: Date.now() + 20_000, participants: [NODE, 'node-b'], epoch: 7, attempt: 1, ...overrides };
}

function handler(overrides: Partial<RoundHandlerOptions> = {}): RoundHandler {
  return new RoundHandler({
    chainId: 'chain-t',
    identity,
    nodeId: () => NODE,
    jobs: new MemoryJobs([job]),
    models: new MemoryModels(baseBytes),
    updates: new MemorySink(),
    trainer: new StepTrainer(),
    attack: NO_ATTACK,
    clock: { now: () => Date.now() },
    logger,
    retryInitialMs: 5,
    ...overrides,
  });
}

describe('RoundHandler', () => {
  it('fetches, trains, encodes, signs and uploads the delta of one round', async () => {
    const sink = new MemorySink();
    const outcome = await handler({ updates: sink }).handle(event());
    expect(outcome).toMatchObject({ kind: 'submitted', duplicate: false, numSamples: 42, bytes: 16 + 4 * manifest.size });
    expect(sink.received).toHaveLength(1);
    const { header, bytes } = sink.received[0]!;
    expect(toHex(header.updateHash)).toBe(toHex(sha256(bytes)));
    expect(outcome.kind === 'submitted' && outcome.updateHash).toBe(toHex(header.updateHash));
    expect(header).toMatchObject({ chainId: 'chain-t', jobId: job.jobId, round: 3, nodeId: NODE, encoding: 'float32', numSamples: 42 });
    const statement = updateStatement({ chainId: 'chain-t', jobId: job.jobId, round: 3, baseModelHash: baseHash, updateHash: header.updateHash, encoding: 'float32', numSamples: 42 });
    expect(verifyStatement(identity.publicKey, 'update', statement, header.signature)).toBe(true);
    expect(verifyStatement(identity.publicKey, 'update', { ...(statement as object), round: 4 }, header.signature)).toBe(false);
    const delta = decodeUpdate(bytes, manifest);
    base.forEach((b, i) => expect(delta[i]).toBe(Math.fround(Math.fround(b + 0.5) - b)));
  });

  it('uses the job encoding', async () => {
    const sink = new MemorySink();
    const outcome = await handler({ updates: sink, jobs: new MemoryJobs([{ ...job, encoding: 'int8' }]) }).handle(event());
    expect(outcome.kind).toBe('submitted');
    expect(sink.received[0]!.header.encoding).toBe('int8');
    expect(sink.received[0]!.bytes.byteLength).toBe(16 + 4 * manifest.entries.length + manifest.size);
  });

  it('encodes in one flat tensor when the job states no manifest, or one that does not fit the model', async () => {
    const { manifest: _, ...bare } = job;
    const wrong = { ...job, manifest: { entries: [{ name: 'w', shape: [2], offset: 0, size: 2 }], size: 2 } };
    for (const j of [bare, wrong]) {
      const sink = new MemorySink();
      expect((await handler({ updates: sink, jobs: new MemoryJobs([{ ...j, encoding: 'int8' }]) }).handle(event())).kind).toBe('submitted');
      expect(sink.received[0]!.bytes.byteLength).toBe(16 + 4 + manifest.size);
      expect(new DataView(sink.received[0]!.bytes.buffer).getUint32(12, true)).toBe(1);
    }
  });

  it.each([
    ['not-a-participant', { participants: ['node-b'] }],
    ['deadline-passed', { deadlineMs: Date.now() - 1 }],
    ['wrong-chain', { chainId: 'other' }],
  ] as const)('skips a round: %s', async (reason, overrides) => {
    const trainer = new StepTrainer();
    const outcome = await handler({ trainer }).handle(event(overrides));
    expect(outcome).toEqual({ kind: 'skipped', reason });
    expect(trainer.calls).toBe(0);
  });

  it('takes a round once, even when its event is delivered again', async () => {
    const sink = new MemorySink();
    const h = handler({ updates: sink });
    expect((await h.handle(event())).kind).toBe('submitted');
    expect(await h.handle(event())).toEqual({ kind: 'skipped', reason: 'already-handled' });
    expect(sink.received).toHaveLength(1);
  });

  it('takes a round again when it is opened on another base model', async () => {
    const other = parameterBytes(base.map((b) => b + 1));
    const sink = new MemorySink();
    const h = handler({ updates: sink, models: new MemoryModels(baseBytes, other) });
    expect((await h.handle(event())).kind).toBe('submitted');
    expect((await h.handle(event({ baseModelHash: sha256(other) }))).kind).toBe('submitted');
    expect(await h.handle(event({ baseModelHash: sha256(other) }))).toEqual({ kind: 'skipped', reason: 'already-handled' });
    expect(sink.received.map((u) => toHex(u.header.baseModelHash))).toEqual([toHex(baseHash), toHex(sha256(other))]);
  });

  it('sends the same update again, without training, when the round is opened again on the same base', async () => {
    const trainer = new StepTrainer();
    const sink = new MemorySink();
    const h = handler({ trainer, updates: sink });
    expect((await h.handle(event())).kind).toBe('submitted');
    expect(await h.handle(event({ attempt: 2 }))).toMatchObject({ kind: 'submitted', numSamples: 42 });
    expect(await h.handle(event({ attempt: 2 }))).toEqual({ kind: 'skipped', reason: 'already-handled' });
    expect(trainer.calls).toBe(1);
    expect(sink.received).toHaveLength(2);
    expect(sink.received[1]).toBe(sink.received[0]);
  });

  it('tells openings apart by their deadline when the event names no attempt', async () => {
    const sink = new MemorySink();
    const h = handler({ updates: sink });
    const unnamed = (deadlineMs: number): RoundOpened => {
      const { attempt: _, ...rest } = event({ deadlineMs });
      return rest;
    };
    const deadlineMs = Date.now() + 20_000;
    expect((await h.handle(unnamed(deadlineMs))).kind).toBe('submitted');
    expect(await h.handle(unnamed(deadlineMs))).toEqual({ kind: 'skipped', reason: 'already-handled' });
    expect((await h.handle(unnamed(deadlineMs + 1))).kind).toBe('submitted');
    expect(sink.received).toHaveLength(2);
  });

  it('sends an update that never arrived when the round is opened again on the same base', async () => {
    const trainer = new StepTrainer();
    const sink = new MemorySink(1_000, Status.UNAVAILABLE);
    const h = handler({ trainer, updates: sink });
    // The aggregator's database is away until the first opening's deadline: the upload never lands.
    expect((await h.handle(event({ deadlineMs: Date.now() + 600 }))).kind).toBe('failed');
    expect(sink.attempts).toBeGreaterThan(0);
    sink.failures = 0;
    expect((await h.handle(event({ attempt: 2 }))).kind).toBe('submitted');
    expect(trainer.calls).toBe(1);
    expect(sink.received).toHaveLength(1);
  });

  it('never trains on a base model whose hash does not match', async () => {
    const trainer = new StepTrainer();
    const models = {
      fetch: async (): Promise<Uint8Array> => {
        throw new BaseModelHashMismatchError(toHex(baseHash), 'ff'.repeat(32));
      },
    };
    const sink = new MemorySink();
    const outcome = await handler({ trainer, models, updates: sink }).handle(event());
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.kind === 'failed' && outcome.error).toBeInstanceOf(BaseModelHashMismatchError);
    expect(trainer.calls).toBe(0);
    expect(sink.attempts).toBe(0);
  });

  it('fails a round whose base blob does not fit the model', async () => {
    const wrong = parameterBytes(new Float32Array(manifest.size + 1));
    const outcome = await handler({ models: new MemoryModels(wrong) }).handle(event({ baseModelHash: sha256(wrong) }));
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/parameters/);
  });

  it('fails a round of an unknown job', async () => {
    const outcome = await handler({ jobs: new MemoryJobs([]) }).handle(event());
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/not on chain/);
  });

  it('retries a transient upload failure within the deadline', async () => {
    const sink = new MemorySink(2, Status.UNAVAILABLE);
    const outcome = await handler({ updates: sink }).handle(event());
    expect(outcome.kind).toBe('submitted');
    expect(sink.attempts).toBe(3);
  });

  it('does not retry a refusal', async () => {
    const sink = new MemorySink(1, Status.PERMISSION_DENIED);
    const outcome = await handler({ updates: sink }).handle(event());
    expect(outcome.kind).toBe('failed');
    expect(sink.attempts).toBe(1);
  });

  it('fails a round whose update arrived after it closed, without retrying, as late', async () => {
    let attempts = 0;
    const updates = {
      submit: async (update: { header: { jobId: string; round: number } }) => {
        attempts += 1;
        throw new RoundClosedError(update.header.jobId, update.header.round, 'round 3 closed while the update was streamed');
      },
    };
    const outcome = await handler({ updates }).handle(event());
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/round 3 of job .* closed before the update arrived/) });
    expect(attempts).toBe(1);
  });

  it('gives up at the deadline when the aggregator stays away', async () => {
    const sink = new MemorySink(1_000, Status.UNAVAILABLE);
    const outcome = await handler({ updates: sink }).handle(event({ deadlineMs: Date.now() + 150 }));
    expect(outcome.kind).toBe('failed');
    expect(sink.received).toHaveLength(0);
    expect(sink.attempts).toBeGreaterThan(1);
  });

  it('trains the real mlp on a small shard and uploads a delta of its size', async () => {
    const model = buildModel('mlp', { seed: 3 });
    const shard = subset(loadMnist().train, Array.from({ length: 64 }, (_, i) => i));
    const bytes = parameterBytes(model.initialParams);
    const sink = new MemorySink();
    const outcome = await handler({
      trainer: new OnnxLocalTrainer({ shard, provider: 'cpu', seed: 1 }),
      jobs: new MemoryJobs([{ ...job, model: 'mlp', batchSize: 32, epochs: 1, manifest: model.manifest }]),
      models: new MemoryModels(bytes),
      updates: sink,
    }).handle(event({ baseModelHash: sha256(bytes) }));
    expect(outcome).toMatchObject({ kind: 'submitted', numSamples: 64 });
    const delta = decodeUpdate(sink.received[0]!.bytes, model.manifest);
    expect(delta.length).toBe(model.manifest.size);
    expect(delta.some((v) => v !== 0)).toBe(true);
    expect(delta.every(Number.isFinite)).toBe(true);
  });

  it("gives replicas that drew the same shard ('auto' index) updates of their own: shuffles seeded by their keys", async () => {
    const model = buildModel('mlp', { seed: 3 });
    const shard = subset(loadMnist().train, Array.from({ length: 64 }, (_, i) => i));
    const training = { ...job, model: 'mlp', batchSize: 16, epochs: 1, manifest: model.manifest };
    const train = async (seed: number) => (await new OnnxLocalTrainer({ shard, provider: 'cpu', seed }).train(training, model.initialParams)).params;
    const [a, b] = [Identity.generate().publicKey, Identity.generate().publicKey].map((key) => shuffleSeed({ seed: 1, clientIndex: 'auto' }, key)) as [number, number];
    // Same shard, same seed: byte for byte the same update, which the aggregator would take only once.
    expect(parameterBytes(await train(1))).toEqual(parameterBytes(await train(1)));
    expect(parameterBytes(await train(a))).not.toEqual(parameterBytes(await train(b)));
  });
});

describe('RoundHandler with an empty shard', () => {
  it('fails the round instead of uploading an update of zero samples', async () => {
    const sink = new MemorySink();
    const empty = new StepTrainer();
    empty.train = async (_job, params) => ({ params, numSamples: 0, loss: NaN, micros: 1 });
    const outcome = await handler({ trainer: empty, updates: sink }).handle(event());
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/shard is empty/);
    expect(sink.attempts).toBe(0);
  });
});
