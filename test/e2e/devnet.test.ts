/**
 * `learnchain devnet --json` as a person would run it: one child process with
 * every service inside, a small job (2 rounds, small shards), and the last
 * line of its output one JSON object saying how it went.
 */
import { runDevnet } from '../support/devnet-run';

jest.setTimeout(240_000);

describe('learnchain devnet', () => {
  it('trains a small job to the end over the whole mesh and reports it as JSON, the chain verified', async () => {
    const run = await runDevnet(['--json', '--rounds', '2', '--clients', '8', '--epochs', '1', '--validation-samples', '200', '--timeout', '200'], 220_000);
    const lines = run.stdout.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`the last line is not JSON: ${last}\n--- stderr ---\n${run.stderr.slice(-4000)}`);
    }
    expect({ code: run.code, error: report.error }).toEqual({ code: 0, error: undefined });
    expect(report.rounds).toBe(2);
    expect(report.chain_verified).toBe(true);
    expect(report.height).toEqual(expect.any(Number));
    expect(report.height as number).toBeGreaterThan(2);
    expect(report.excluded).toBe(0);
    expect(report.accuracy).toEqual(expect.any(Number));
    expect(report.initial_accuracy).toEqual(expect.any(Number));
    // The trained model beats the seeded initial one (about chance, 10%) by a clear margin.
    expect(report.accuracy as number).toBeGreaterThan((report.initial_accuracy as number) + 0.2);
    expect(report.accuracy as number).toBeLessThanOrEqual(1);
    // Progress went to stderr, one line per committed round.
    expect(run.stderr.match(/^round \d+\/2 /gm)).toHaveLength(2);
  });
});
