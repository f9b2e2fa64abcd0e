/**
 * `learnchain devnet --processes`: every service its own child process (its
 * main, settings in its environment) over real PostgreSQL and NATS, a small
 * job trained to the end and the chain verified; and a child that cannot
 * start is reported by name with its reason.
 */
import { ChildService, ChildStartError } from '../../cli/src/devnet/children';
import { runDevnet } from '../support/devnet-run';
import { describeWith, serviceUrl } from '../support/services';

jest.setTimeout(360_000);

describe('a devnet service as a child process', () => {
  it('names the child, the reason and its last lines when it exits before it runs', async () => {
    const start = ChildService.start({
      name: 'registry-bad',
      service: 'registry',
      env: { LEARNCHAIN_REGISTRY_LISTEN: 'not-an-address', DATABASE_URL: 'pglite:memory' },
      logLevel: 'error',
      forward: () => undefined,
    });
    await expect(start).rejects.toThrow(ChildStartError);
    await expect(start).rejects.toThrow(/registry-bad did not start: exited with [1-9][\s\S]*LEARNCHAIN_REGISTRY_LISTEN/);
  });
});

describeWith(['postgres', 'nats'], 'learnchain devnet --processes', () => {
  it('runs each service as its own process and trains a small job to a verified chain', async () => {
    const run = await runDevnet([
      '--processes', '--database', serviceUrl('postgres'), '--nats', serviceUrl('nats'), '--json',
      '--rounds', '1', '--trainers', '2', '--rule', 'fedavg', '--clients', '8', '--epochs', '1', '--validation-samples', '200', '--timeout', '300',
    ], 330_000);
    const lines = run.stdout.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`the last line is not JSON: ${last}\n--- stderr ---\n${run.stderr.slice(-4000)}`);
    }
    expect({ code: run.code, error: report.error }).toEqual({ code: 0, error: undefined });
    expect(report).toMatchObject({ rounds: 1, chain_verified: true, excluded: 0 });
    expect(run.stderr).toContain('starting 4 validators and the registry (one process each)');
    // Each service's own main stopped on its own SIGTERM: 4 validators, the registry, the aggregator and 2 trainers.
    const stopped = run.stderr.split('\n').filter((l) => / SIGTERM received, shutting down$/.test(l)).map((l) => l.split(':')[0]);
    expect(stopped.sort()).toEqual(['aggregator', 'registry', 'trainer', 'trainer', 'validator', 'validator', 'validator', 'validator']);
  });
});
