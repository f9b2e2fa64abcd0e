import { inlineRunner, parseRule, PoolRuleRunner, runsOnPool } from '@learnchain/aggregation';
import { contentId, createLogger } from '@learnchain/core';
import { encodeUpdate, type ParameterLayout, type UpdateEncoding } from '@learnchain/model/encoding';

import { aggregateRound, type ReceivedUpdate } from '../domain/aggregate-round';
import type { JobSpec, RuleSpec } from '../domain/job';

const logger = createLogger({ service: 'aggregation-test', level: 'silent' });
const D = 3000;
const layout: ParameterLayout = { size: D, entries: [{ offset: 0, size: 2000 }, { offset: 2000, size: 1000 }] };
const base = Float32Array.from({ length: D }, (_, i) => Math.cos(i) / 3);

function job(rule: RuleSpec, encoding: UpdateEncoding): JobSpec {
  return { jobId: 'j', initialModelHash: '00'.repeat(32), rule, minTrainers: 1, maxTrainers: 0, roundDeadlineMs: 1000, rounds: 1, encoding, tensors: layout.entries, blobs: [] };
}

function received(encoding: UpdateEncoding, n: number): ReceivedUpdate[] {
  return Array.from({ length: n }, (_, k) => {
    const values = Float32Array.from({ length: D }, (_, i) => Math.sin(i * (k + 1) + k) * (k === n - 1 ? 40 : 0.05));
    const bytes = encodeUpdate(values, layout, encoding);
    const record = { jobId: 'j', round: 1, nodeId: `n${k}`, updateHash: contentId(bytes), size: bytes.byteLength, encoding, numSamples: 10 + k, publicKey: new Uint8Array(32), signature: new Uint8Array(64), receivedAtMs: 0, trainMicros: 0 };
    return { record, bytes };
  });
}

const RULES: RuleSpec[] = [
  { name: 'fedavg', params: {}, byzantineBudget: 0, normBound: 0 },
  { name: 'trimmed-mean', params: { beta: 0.2 }, byzantineBudget: 1, normBound: 0 },
  { name: 'median', params: {}, byzantineBudget: 1, normBound: 0 },
  { name: 'multi-krum', params: { m: 4 }, byzantineBudget: 1, normBound: 0 },
];

describe('where a round aggregates', () => {
  it('keeps small rounds of every rule inline, and fedavg inline longer than the selecting rules', () => {
    const fedavg = parseRule({ name: 'fedavg' });
    const median = parseRule({ name: 'median', f: 1 });
    expect(runsOnPool(median, 8, 203_530)).toBe(false);
    expect(runsOnPool(median, 32, 203_530)).toBe(true);
    expect(runsOnPool(fedavg, 32, 203_530)).toBe(false);
    expect(runsOnPool(fedavg, 32, 1_663_370)).toBe(true);
  });

  let pooled: PoolRuleRunner;
  beforeAll(() => {
    // Thresholds of 0: every round goes to the pool, so small rounds exercise it.
    pooled = new PoolRuleRunner({ logger, workers: 2, thresholds: { fedavg: 0, other: 0 } });
  });
  afterAll(async () => {
    await pooled.close();
  });

  it('decodes into shared memory for the pool', () => {
    const make = pooled.allocate(parseRule({ name: 'median', f: 1 }), 6, D);
    expect(make?.().buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(inlineRunner.allocate(parseRule({ name: 'median', f: 1 }), 6, D)).toBeUndefined();
  });

  it.each(RULES.flatMap((rule) => (['float32', 'int8'] as const).map((encoding) => [rule.name, encoding, rule] as const)))(
    '%s over %s updates: the pool gives the bytes, decisions and exclusions of the inline run',
    async (_name, encoding, rule) => {
      const updates = received(encoding, 6);
      const inline = await aggregateRound(job(rule, encoding), base, layout, updates, []);
      const onPool = await aggregateRound(job(rule, encoding), base, layout, updates, [], pooled);
      if (inline.kind !== 'aggregated' || onPool.kind !== 'aggregated') throw new Error(`not aggregated: ${JSON.stringify([inline, onPool])}`);
      expect(Buffer.from(onPool.parameters.buffer).equals(Buffer.from(inline.parameters.buffer))).toBe(true);
      expect(onPool.result).toEqual(inline.result);
    },
  );

  it('after close, rounds aggregate inline with the same bytes', async () => {
    const runner = new PoolRuleRunner({ logger, workers: 1, thresholds: { fedavg: 0, other: 0 } });
    await runner.close();
    const rule = RULES[1] as RuleSpec;
    const updates = received('float16', 5);
    const after = await aggregateRound(job(rule, 'float16'), base, layout, updates, [], runner);
    const inline = await aggregateRound(job(rule, 'float16'), base, layout, updates, []);
    expect(after).toEqual(inline);
  });
});
