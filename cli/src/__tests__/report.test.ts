import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Status, StatusError, toHex } from '@learnchain/core';
import { buildModel, encodeDataset } from '@learnchain/model';
import { parameterBytes } from '@learnchain/model/encoding';

import { runCli } from '../main';
import { renderReport } from '../report';
import { reportHtml } from '../report/html';
import { collectJob, JobNotOnChainError } from '../report/record';
import { scoreModels } from '../report/scores';
import { blockRows, bytesRows, outcomeRows, overheadFraction, phaseRows, reasonKind, roundTimes, trainerRows } from '../report/rows';
import { accuracyChart, bytesChart, participantsChart, roundTimeChart } from '../report/specs';
import { imagesOf, pngSize } from '../../../test/support/png';
import { CHAIN, JOB, NODES, PLAN, reportChain, ROUND_MS, T0 } from './support/report-chain';

const record = () => collectJob(CHAIN, JOB, reportChain());

describe("the report's model scores", () => {
  it('scores the models the aggregator keeps and names the rounds whose model it deleted; another failure fails the scoring', async () => {
    const r = record();
    const dataset = encodeDataset({ images: new Float32Array(3 * 784).fill(0.5), labels: Uint8Array.from([1, 2, 3]), count: 3, sampleShape: [1, 28, 28], classes: 10 });
    const job = { ...r.job, dataset: 'custom', validationHash: 'ab'.repeat(32) };
    const params = parameterBytes(buildModel('mlp', { seed: 0 }).initialParams);
    const kept = new Set([job.initialModelHash, toHex(new Uint8Array(r.rounds[2]?.result.newModelHash ?? []))]);
    const blobs = {
      fetch: async (hash: Uint8Array): Promise<Uint8Array> => {
        const hex = toHex(hash);
        if (hex === job.validationHash) return dataset;
        if (kept.has(hex)) return params;
        throw new StatusError(Status.NOT_FOUND, { field: 'hash', reason: 'deleted', message: `blob ${hex} was deleted` });
      },
    };
    const { rows, deleted } = await scoreModels({ ...r, job }, blobs);
    expect(deleted).toEqual([1, 2]);
    expect(rows.map((x) => x.round)).toEqual([0, 3]);
    expect(rows.every((x) => x.set.startsWith('committed validation set') && Number.isFinite(x.loss))).toBe(true);
    await expect(scoreModels({ ...r, job }, { fetch: () => Promise.reject(new Error('aggregator unreachable')) })).rejects.toThrow('aggregator unreachable');
  });
});

describe('the report read from blocks', () => {
  it('finds the job, its accepted rounds in order, the refused one and the blocks of its span', () => {
    const r = record();
    expect(r.job).toMatchObject({ jobId: JOB, model: 'mlp', rule: 'trimmed-mean', byzantineBudget: 1, encoding: 'int8', rounds: 3, height: 3, localEpochs: 2 });
    expect(r.rounds.map((x) => [x.round, x.height])).toEqual([[1, 5], [2, 7], [3, 10]]);
    expect(r.refused).toEqual([{ round: 2, height: 8, reason: 'round 2 is not the next round of the job' }]);
    expect(r.blocks.map((b) => b.height)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(() => collectJob(CHAIN, 'another-job', reportChain())).toThrow(JobNotOnChainError);
  });

  it('splits each round into its phases from the aggregator, trainer and block times', () => {
    const [one, two, three] = roundTimes(record());
    expect(one).toEqual({
      round: 1,
      trainingMs: PLAN.slowestTrainingMs,
      uploadMs: PLAN.lastArrivalMs - PLAN.slowestTrainingMs,
      closingMs: PLAN.closeMs - PLAN.lastArrivalMs,
      aggregationMs: PLAN.aggregationMs,
      submissionMs: PLAN.blockMs - PLAN.closeMs - PLAN.aggregationMs,
      commitMs: 10_000 - PLAN.blockMs, // round 2 opened 10 s after round 1
      wallMs: 10_000,
      periodMs: 10_000,
      commitIsBound: false,
    });
    // The refused result's block (height 8) came before round 3 opened: it bounds round 2's commit.
    expect(two).toMatchObject({ round: 2, commitMs: 9000 - PLAN.blockMs, wallMs: 9000, periodMs: 10_000, commitIsBound: true });
    // Round 3's last included update came from A at 6.8 s; only the next block bounds its commit.
    expect(three).toMatchObject({ round: 3, uploadMs: 800, closingMs: 500, commitMs: PLAN.lastCommitBoundMs, wallMs: PLAN.blockMs + PLAN.lastCommitBoundMs, periodMs: PLAN.blockMs + PLAN.lastCommitBoundMs, commitIsBound: true });
    const rows = phaseRows(roundTimes(record()));
    expect(rows.filter((r) => r.round === 1).map((r) => r.phase)).toEqual(['training', 'fetch + upload', 'closing', 'aggregation', 'to proposal', 'proposal to commit']);
    const periods = 10_000 + 10_000 + PLAN.blockMs + PLAN.lastCommitBoundMs;
    expect(overheadFraction(roundTimes(record()))).toBeCloseTo((periods - 3 * PLAN.slowestTrainingMs) / periods, 10);
  });

  it('takes a commit time from the next round when rounds overlap, and charges a round its period', () => {
    const r = record();
    // Round 2 opened on round 1's model right after its aggregation; the aggregator learnt of round 1's commit 1 s after its proposal.
    const opened1 = T0 + ROUND_MS;
    const opened2 = opened1 + PLAN.closeMs + PLAN.aggregationMs + 100;
    const rounds = r.rounds.map((x) => (x.round !== 2 ? x : { ...x, result: { ...x.result, metrics: { ...x.result.metrics!, openedAtMs: opened2, baseCommittedAtMs: opened1 + PLAN.blockMs + 1000 } } }));
    const [one] = roundTimes({ ...r, rounds });
    expect(one).toMatchObject({ round: 1, commitMs: 1000, wallMs: PLAN.blockMs + 1000, periodMs: opened2 - opened1, commitIsBound: false });
    // The commit ran beside round 2's training: round 1 costs the job its period only.
    expect(overheadFraction([one!])).toBeCloseTo((opened2 - opened1 - PLAN.slowestTrainingMs) / (opened2 - opened1), 10);
  });

  it('counts outcomes per round and per trainer, with each exclusion’s reason word', () => {
    const r = record();
    expect(reasonKind('late: no update by the deadline')).toBe('late');
    expect(reasonKind('')).toBe('unspecified');
    expect(outcomeRows(r).filter((x) => x.round === 2)).toEqual([
      { round: 2, outcome: 'included', included: true, count: 1 },
      { round: 2, outcome: 'included (trimmed)', included: true, count: 1 },
      { round: 2, outcome: 'excluded: late', included: false, count: 1 },
    ]);
    const [a, b, c] = trainerRows(r);
    expect(a).toMatchObject({ nodeId: NODES[0], included: 3, excluded: 0, samples: 3000, meanTrainingMs: PLAN.slowestTrainingMs, bytes: 150_000 });
    expect(b).toMatchObject({ nodeId: NODES[1], included: 2, excluded: 1 });
    expect(Object.fromEntries(b?.outcomes ?? [])).toEqual({ included: 1, 'included (trimmed)': 1, 'excluded: rejected': 1 });
    expect(c).toMatchObject({ nodeId: NODES[2], included: 2, excluded: 1 });
    expect(bytesRows(r).map((x) => [x.round, x.totalBytes, x.bytesPerUpdate, x.encoding])).toEqual([[1, 150_000, 50_000, 'int8'], [2, 100_000, 50_000, 'int8'], [3, 150_000, 50_000, 'int8']]);
    expect(blockRows(r).find((x) => x.height === 5)).toEqual({ height: 5, seconds: (PLAN.blockMs - 3000) / 1000, holds: 'round result' });
    expect(blockRows(r).find((x) => x.height === 6)?.holds).toBe('empty');
  });

  it('puts the data into the Vega-Lite specs', () => {
    const times = roundTimes(record());
    const spec = roundTimeChart(times).spec as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(phaseRows(times).length);
    const accuracy = accuracyChart([{ round: 0, set: 'test', accuracy: 0.1, loss: 2.3 }, { round: 1, set: 'test', accuracy: 0.8, loss: 0.6 }]).spec as { data: { values: unknown[] } };
    expect(accuracy.data.values).toEqual([{ round: 0, set: 'test', accuracy: 0.1 }, { round: 1, set: 'test', accuracy: 0.8 }]);
    expect(JSON.stringify(participantsChart(outcomeRows(record())).spec)).toContain('excluded: rejected');
  });

  it('keeps a long run readable: round labels thinned where they would overlap, bytes labels only while they fit', () => {
    const rounds = (n: number) => Array.from({ length: n }, (_, i) => ({ round: i + 1, totalBytes: 4096, updates: 4, bytesPerUpdate: 1024, encoding: 'float32' }));
    const layers = (n: number) => (bytesChart(rounds(n)).spec as { layer: { mark: { type: string } }[] }).layer.map((l) => l.mark.type);
    expect([layers(20), layers(150)]).toEqual([['bar', 'text'], ['bar']]);
    const axis = (roundTimeChart(roundTimes(record())).spec as { encoding: { x: { axis: { labelOverlap?: string } } } }).encoding.x.axis;
    expect(axis.labelOverlap).toBe('parity');
  });

  it('writes a page that names every chart with its size and escapes what the chain says', () => {
    const r = record();
    const html = reportHtml({
      record: { ...r, chainId: '<script>x</script>' },
      times: roundTimes(r),
      scores: [],
      trainers: trainerRows(r),
      exclusions: [{ round: 2, nodeId: NODES[2], reason: 'late: <b>deadline</b>' }],
      bytes: bytesRows(r),
      overhead: 0.25,
      charts: [{ file: 'round-time.png', heading: 'Round time', caption: 'phases', cssWidth: 800, cssHeight: 400 }],
      notes: [],
      generatedAt: new Date(T0),
    });
    expect(html).toContain('<img src="round-time.png" width="800" height="400"');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('late: &lt;b&gt;deadline&lt;/b&gt;');
    expect(html).toContain('25.00%');
  });
});

describe('the rendered report', () => {
  jest.setTimeout(120_000);
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'learnchain-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a PNG per chart, twice the size the page states, and a page that references each', async () => {
    const scores = [0, 1, 2, 3].flatMap((round) => [
      { round, set: 'committed validation set (1,000 samples)', accuracy: 0.1 + round * 0.25, loss: 2.3 - round * 0.6 },
      { round, set: 'MNIST test split (2,000 digits)', accuracy: 0.1 + round * 0.24, loss: 2.3 - round * 0.58 },
    ]);
    const written = await renderReport({ record: record(), scores, notes: [], out: dir });
    const html = readFileSync(written.html, 'utf8');
    const names = ['accuracy', 'loss', 'participants', 'round-time', 'bytes', 'contributions', 'block-times'];
    expect(written.images.map((i) => i.path)).toEqual(names.map((n) => join(dir, `${n}.png`)));
    const stated = new Map(imagesOf(html).map((i) => [i.src, i]));
    expect([...stated.keys()]).toEqual(names.map((n) => `${n}.png`));
    for (const image of written.images) {
      const size = pngSize(readFileSync(image.path));
      expect(size).toEqual({ width: image.width, height: image.height });
      const tag = stated.get(image.path.slice(dir.length + 1));
      expect(size.width).toBe(Math.round((tag?.width ?? 0) * 2));
      expect(size.height).toBe(Math.round((tag?.height ?? 0) * 2));
      expect(size.width).toBeGreaterThan(640 * 2);
    }
    const data = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { rounds: unknown[]; exclusions: unknown[] };
    expect(data.rounds).toHaveLength(3);
    expect(data.exclusions).toHaveLength(2);
  });
});

describe('learnchain report flags', () => {
  const run = async (...args: string[]): Promise<{ code: number; err: string }> => {
    const err: string[] = [];
    const code = await runCli(['report', ...args], { info: () => undefined, error: (l) => err.push(l) });
    return { code, err: err.join('\n') };
  };

  it('names the missing or malformed flag', async () => {
    expect(await run('--out', '/tmp/x')).toEqual({ code: 2, err: expect.stringContaining('--job ID is required') });
    expect(await run('--job', 'j')).toEqual({ code: 2, err: expect.stringContaining('--out DIR is required') });
    expect(await run('--job', 'j', '--out', '/tmp/x', '--validator', 'nowhere')).toEqual({ code: 2, err: expect.stringContaining('--validator must be HOST:PORT, got nowhere') });
    expect(await run('--job', 'j', '--out', '/tmp/x', '--colour', 'red')).toEqual({ code: 2, err: expect.stringContaining('unknown flag --colour') });
  });
});
