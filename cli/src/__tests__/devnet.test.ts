import { UsageError } from '../command';
import { decodeDataset, encodeDataset } from '@learnchain/model';

import { ruleFor } from '../devnet/job';
import { parseDevnetOptions } from '../devnet/options';
import { excludedOf, progressLine } from '../devnet/report';

const flags = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

describe('devnet options', () => {
  it('defaults to the 4-trainer trimmed-mean MNIST mlp job', () => {
    const o = parseDevnetOptions(flags({}));
    expect({ trainers: o.trainers, validators: o.validators, rule: o.rule, model: o.model, byzantine: o.byzantine, attack: o.attack, json: o.json }).toEqual({
      trainers: 4,
      validators: 4,
      rule: 'trimmed-mean',
      model: 'mlp',
      byzantine: 0,
      attack: 'none',
      json: false,
    });
    expect(o.clients).toBe(4);
  });

  it('reads the flags and refuses bad ones with the reason', () => {
    const o = parseDevnetOptions(flags({ trainers: '6', byzantine: '2', attack: 'scale', rule: 'median', rounds: '3', model: 'cnn', json: 'true' }));
    expect([o.trainers, o.byzantine, o.attack, o.rule, o.rounds, o.model, o.json]).toEqual([6, 2, 'scale', 'median', 3, 'cnn', true]);
    expect(() => parseDevnetOptions(flags({ byzantine: '5' }))).toThrow(/--byzantine must be an integer from 0 to 4/);
    expect(() => parseDevnetOptions(flags({ attack: 'sign-flip' }))).toThrow(UsageError);
    expect(() => parseDevnetOptions(flags({ model: 'resnet' }))).toThrow(/--model/);
    expect(() => parseDevnetOptions(flags({ rule: 'mean' }))).toThrow(/--rule/);
    expect(() => parseDevnetOptions(flags({ database: 'mysql://x' }))).toThrow(/postgres/);
    expect(() => parseDevnetOptions(flags({ trainer: '4' }))).toThrow(/unknown flag --trainer/);
    expect(parseDevnetOptions(flags({})).encoding).toBe('float32');
    expect(parseDevnetOptions(flags({ encoding: 'int8' })).encoding).toBe('int8');
    expect(() => parseDevnetOptions(flags({ encoding: 'bfloat16' }))).toThrow(/--encoding must be one of float32, float16, int8/);
    // Validators check rounds on their event loop unless told otherwise.
    expect(parseDevnetOptions(flags({})).roundCheckThreads).toBe(0);
    expect(parseDevnetOptions(flags({ 'round-check-threads': '-1' })).roundCheckThreads).toBe(-1);
    expect(() => parseDevnetOptions(flags({ 'round-check-threads': 'two' }))).toThrow(/--round-check-threads/);
  });
});

describe('devnet job rule', () => {
  it('gives trimmed-mean a beta that trims at least f per side, and fedavg no Byzantine budget', () => {
    for (const [trainers, byzantine] of [[4, 0], [4, 1], [8, 1], [10, 3]] as const) {
      const rule = ruleFor(parseDevnetOptions(flags({ trainers: String(trainers), byzantine: String(byzantine) })));
      const f = rule.byzantineBudget as number;
      const beta = rule.params?.beta as number;
      expect(f).toBe(Math.max(1, byzantine));
      expect(Math.floor(beta * trainers)).toBeGreaterThanOrEqual(f);
      expect(trainers).toBeGreaterThanOrEqual(2 * Math.floor(beta * trainers) + 1);
    }
    expect(ruleFor(parseDevnetOptions(flags({ rule: 'fedavg', byzantine: '1' }))).byzantineBudget).toBe(0);
  });

  it('mixes nearest neighbours by default when trainers attack, never for fedavg, and as told by --mixing', () => {
    expect(ruleFor(parseDevnetOptions(flags({}))).params).not.toHaveProperty('mixing');
    expect(ruleFor(parseDevnetOptions(flags({ byzantine: '1' }))).params).toMatchObject({ mixing: 1 });
    expect(ruleFor(parseDevnetOptions(flags({ byzantine: '1', mixing: 'none' }))).params).not.toHaveProperty('mixing');
    expect(ruleFor(parseDevnetOptions(flags({ mixing: 'nnm' }))).params).toMatchObject({ mixing: 1 });
    expect(ruleFor(parseDevnetOptions(flags({ rule: 'fedavg', byzantine: '1' }))).params).not.toHaveProperty('mixing');
    expect(() => parseDevnetOptions(flags({ mixing: 'bucketing' }))).toThrow(/--mixing must be one of none, nnm/);
  });
});

describe('devnet blobs', () => {
  it('round-trips a dataset and refuses a truncated one', () => {
    const data = { images: Float32Array.from([0, 0.5, 1, 0.25, 0.75, 0.125]), labels: Uint8Array.from([3, 9]), count: 2, sampleShape: [1, 1, 3], classes: 10 };
    const bytes = encodeDataset(data);
    const back = decodeDataset(bytes);
    expect(back).toEqual({ ...data, sampleShape: [1, 1, 3] });
    expect(() => decodeDataset(bytes.subarray(0, bytes.length - 1))).toThrow(/wrong length/);
  });

});

describe('devnet report', () => {
  it('shows round, participants, accuracy, loss and height, and lists exclusions by round', () => {
    const report = { round: 3, participants: 4, included: 3, accuracy: 0.9123, loss: 0.25, height: 17, elapsedMs: 3100, excluded: [{ nodeId: 'abc', reason: 'late' }], discounted: [], failures: [], attempts: 0 };
    const line = progressLine(report, 20);
    expect(line).toMatch(/^round  3\/20 \[#{3}\.{17}\] participants 3\/4 {2}accuracy 91\.23% {2}loss 0\.2500 {2}height 17 /);
    expect(line).toContain('excluded 1');
    expect(excludedOf([report, { ...report, round: 4, excluded: [] }])).toEqual([{ round: 3, nodeId: 'abc', reason: 'late' }]);
  });
});
