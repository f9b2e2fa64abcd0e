/**
 * The training report of a real small run: `learnchain devnet --json` trains
 * a 2-round job over the whole mesh and, at the end, writes the report from
 * the chain (and the models it names); the test opens every PNG the page
 * shows and checks it is a PNG twice the size the page states, and reads the
 * report's data for the round split that the aggregator's RoundResult and the
 * block times make possible.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { runDevnet } from '../support/devnet-run';
import { imagesOf, pngSize } from '../support/png';

// Minutes on a loaded machine (each service shares the CPUs with everything else); about a minute on an idle one.
jest.setTimeout(600_000);

interface ReportData {
  readonly rounds: readonly { round: number; trainingMs: number | null; uploadMs: number | null; aggregationMs: number; commitMs: number | null; wallMs: number | null }[];
  readonly scores: readonly { round: number; set: string; accuracy: number }[];
  readonly bytes: readonly { round: number; bytesPerUpdate: number; encoding: string }[];
  readonly trainers: readonly { nodeId: string; included: number }[];
}

describe('learnchain devnet writes the training report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-report-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every chart as a PNG of the size the page states, from the chain of a real run', async () => {
    // One validator keeps the run short on a busy machine; the report reads its chain as it would any validator's.
    const run = await runDevnet(['--json', '--validators', '1', '--trainers', '3', '--rounds', '2', '--clients', '8', '--epochs', '1', '--validation-samples', '200', '--timeout', '540', '--dir', dir], 570_000);
    const last = run.stdout.trim().split('\n').pop() ?? '';
    let summary: Record<string, unknown>;
    try {
      summary = JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`the last line is not JSON: ${last}\n--- stderr ---\n${run.stderr.slice(-4000)}`);
    }
    expect({ code: run.code, error: summary.error, problem: summary.report_problem }).toEqual({ code: 0, error: undefined, problem: '' });
    const html = summary.report as string;
    expect(html).toBe(join(dir, 'report', 'index.html'));
    // The closing summary names the page too.
    expect(run.stderr).toContain(`report           ${html}`);

    const page = readFileSync(html, 'utf8');
    const images = imagesOf(page);
    expect(images.map((i) => i.src)).toEqual(['accuracy.png', 'loss.png', 'participants.png', 'round-time.png', 'bytes.png', 'contributions.png', 'block-times.png']);
    for (const image of images) {
      const size = pngSize(readFileSync(join(dirname(html), image.src)));
      expect({ file: image.src, ...size }).toEqual({ file: image.src, width: Math.round(image.width * 2), height: Math.round(image.height * 2) });
      expect(existsSync(join(dirname(html), image.src.replace(/\.png$/, '.vl.json')))).toBe(true);
    }

    const data = JSON.parse(readFileSync(join(dirname(html), 'report.json'), 'utf8')) as ReportData;
    expect(data.rounds.map((r) => r.round)).toEqual([1, 2]);
    const [first] = data.rounds;
    // Every trainer reported its training time, the aggregator its clock, and round 2's opening bounds round 1's commit.
    expect(first?.trainingMs).toBeGreaterThan(0);
    expect(first?.uploadMs).not.toBeNull();
    expect(first?.aggregationMs).toBeGreaterThan(0);
    expect(first?.commitMs).toBeGreaterThan(0);
    expect(first?.wallMs).toBeGreaterThan((first?.trainingMs ?? 0) + (first?.aggregationMs ?? 0));
    // Round 0 (the initial model) and both rounds, on the committed validation set and the MNIST test split.
    expect(new Set(data.scores.map((s) => s.round))).toEqual(new Set([0, 1, 2]));
    expect(new Set(data.scores.map((s) => s.set)).size).toBe(2);
    const final = data.scores.filter((s) => s.round === 2 && s.set.startsWith('MNIST'))[0];
    expect(final?.accuracy).toBeCloseTo(summary.accuracy as number, 6);
    // float32 updates of the MLP: 4 bytes per parameter.
    expect(data.bytes.every((b) => b.encoding === 'float32' && b.bytesPerUpdate > 4 * 100_000)).toBe(true);
    expect(data.trainers).toHaveLength(3);
  });
});
