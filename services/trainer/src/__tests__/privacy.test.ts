import { Identity } from '@learnchain/core';
import { decodeUpdate, Random } from '@learnchain/model';

import { NO_ATTACK } from '../attacks';
import type { TrainingJob } from '../job';
import { clipInPlace, epsilonSpent, l2Norm, privatize, secureNormal } from '../privacy';
import { RoundHandler } from '../round';
import { baseBytes, baseHash, job, logger, manifest, MemoryJobs, MemoryModels, MemorySink, StepTrainer } from './fakes';

function handler(trainingJob: TrainingJob, sink: MemorySink): RoundHandler {
  return new RoundHandler({
    chainId: 'c',
    identity: Identity.generate(),
    nodeId: () => 'n',
    jobs: new MemoryJobs([trainingJob]),
    models: new MemoryModels(baseBytes),
    updates: sink,
    trainer: new StepTrainer(5),
    attack: NO_ATTACK,
    clock: { now: () => Date.now() },
    logger,
  });
}

describe('client-side differential privacy', () => {
  it('clips a delta to the norm bound and leaves a small one alone', () => {
    const big = Float32Array.from({ length: 100 }, (_, i) => i);
    const before = clipInPlace(big, 2);
    expect(before).toBeGreaterThan(2);
    expect(l2Norm(big)).toBeCloseTo(2, 5);
    const small = Float32Array.of(0.1, 0.2);
    clipInPlace(small, 2);
    expect(Array.from(small)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('adds noise of σ = multiplier × clip norm', () => {
    const rng = new Random(1);
    const delta = new Float32Array(20_000);
    privatize(delta, { clipNorm: 0.5, noiseMultiplier: 2 }, () => rng.normal());
    const sd = l2Norm(delta) / Math.sqrt(delta.length);
    expect(sd).toBeGreaterThan(0.95);
    expect(sd).toBeLessThan(1.05);
  });

  it('draws secure normal samples with mean 0 and variance 1', () => {
    const normal = secureNormal();
    const xs = Array.from({ length: 20_000 }, normal);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('accounts ε by Rényi DP: growing with rounds, shrinking with noise, 0 without noise', () => {
    // a + 2√(a ln 1/δ), a = T/(2z²): T = 1, z = 1, δ = 1e-5 gives 0.5 + 2√(0.5·11.5129).
    expect(epsilonSpent(1, 1)).toBeCloseTo(0.5 + 2 * Math.sqrt(0.5 * Math.log(1e5)), 9);
    expect(epsilonSpent(10, 1)).toBeGreaterThan(epsilonSpent(1, 1));
    expect(epsilonSpent(10, 4)).toBeLessThan(epsilonSpent(10, 1));
    expect(epsilonSpent(10, 0)).toBe(0);
    expect(epsilonSpent(0, 1)).toBe(0);
  });

  it('uploads clipped, noised updates and reports the ε spent so far', async () => {
    const sink = new MemorySink();
    const rounds = handler({ ...job, privacy: { clipNorm: 0.1, noiseMultiplier: 0 } }, sink);
    const event = (round: number) => ({ chainId: 'c', jobId: job.jobId, round, baseModelHash: baseHash, deadlineMs: Date.now() + 10_000, participants: ['n'], epoch: 1 });
    await rounds.handle(event(1));
    const clipped = decodeUpdate(sink.received[0]!.bytes, manifest);
    expect(l2Norm(clipped)).toBeCloseTo(0.1, 5);
    expect(sink.received[0]!.header.epsilonSpent).toBe(0);

    const noisy = handler({ ...job, privacy: { clipNorm: 0.1, noiseMultiplier: 1 } }, sink);
    await noisy.handle(event(2));
    await noisy.handle(event(3));
    expect(sink.received.map((u) => u.header.epsilonSpent)).toEqual([0, epsilonSpent(1, 1), epsilonSpent(2, 1)]);
    const withNoise = decodeUpdate(sink.received[1]!.bytes, manifest);
    expect(l2Norm(withNoise)).not.toBeCloseTo(0.1, 3);
  });
});
