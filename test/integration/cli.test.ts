/**
 * The `learnchain` command against a running mesh of real processes (a
 * validator, the registry, the aggregator and a trainer over real PostgreSQL
 * and NATS): chain status and block, members, job submit signed with a key
 * file, job list, job watch until the job's last round commits, chain verify,
 * human and --json output, and an unreachable address named in the error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Identity } from '@learnchain/core';
import { Pool } from 'pg';

import { ValidatorApi } from '../../cli/src/client/services';
import { ValidatorAdapter } from '../../services/aggregator/src/adapters/validator';
import { intakeOf } from '../../services/aggregator/src/domain/job';
import { writeGenesis, type GenesisFiles } from '../../cli/src/commands/genesis';
import { followRounds } from '../../cli/src/commands/job-watch';
import type { Output } from '../../cli/src/command';
import { runCli } from '../../cli/src/main';
import { ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';
import { freePort } from '../../cli/src/devnet/mesh';

jest.setTimeout(240_000);

interface Ran {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function cli(...args: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Output = { info: (l) => out.push(l), error: (l) => err.push(l) };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** The one JSON object a --json command printed last. */
function lastJson<T>(ran: Ran): T {
  return JSON.parse(ran.out[ran.out.length - 1] as string) as T;
}

describeWith(['postgres', 'nats'], 'learnchain CLI against a running mesh', () => {
  const tag = uniqueName('cli').toLowerCase();
  const chainId = tag.replace(/_/g, '-');
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-cli-'));
  const procs: ServiceProcess[] = [];
  let files: GenesisFiles;
  let validator = '';
  let registry = '';
  let aggregator = '';
  const jobId = `cli-job-${Date.now().toString(36)}`;
  const submitter = Identity.generate();
  const submitterKey = join(dir, 'submitter.key.json');

  async function launch(name: string, entry: string, env: Record<string, string>, ready: RegExp): Promise<ServiceProcess> {
    const common = { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_LOG_LEVEL: 'info', LEARNCHAIN_STREAM: tag, DATABASE_URL: serviceUrl('postgres'), NATS_URL: serviceUrl('nats') };
    const proc = await ServiceProcess.start({ name, entry, env: { ...common, ...env }, ready, timeoutMs: 120_000 });
    procs.push(proc);
    return proc;
  }

  beforeAll(async () => {
    files = writeGenesis({ validators: 1, out: dir, chainId });
    submitter.writeKeyFile(submitterKey);
    [validator, registry, aggregator] = (await Promise.all([freePort(), freePort(), freePort()])).map((p) => `127.0.0.1:${p}`) as [string, string, string];
    await Promise.all([
      launch('validator', 'services/validator/src/main.ts', {
        LEARNCHAIN_VALIDATOR_LISTEN: validator,
        LEARNCHAIN_KEY_FILE: files.validatorKeys[0] as string,
        LEARNCHAIN_GENESIS_FILE: files.genesisPath,
        LEARNCHAIN_VALIDATOR_SCHEMA: `${tag}_validator`,
        LEARNCHAIN_WAL_DIR: join(dir, 'wal'),
        LEARNCHAIN_AGGREGATOR: aggregator,
        LEARNCHAIN_EMPTY_BLOCK_INTERVAL_MS: '300',
      }, /validator running/),
      launch('registry', 'services/registry/src/main.ts', {
        LEARNCHAIN_REGISTRY_LISTEN: registry,
        LEARNCHAIN_REGISTRY_SCHEMA: `${tag}_registry`,
        LEARNCHAIN_VALIDATORS: validator,
        LEARNCHAIN_REGISTRY_KEY_FILE: files.registryKey,
      }, /registry running/),
    ]);
    await launch('aggregator', 'services/aggregator/src/main.ts', {
      LEARNCHAIN_AGGREGATOR_LISTEN: aggregator,
      LEARNCHAIN_AGGREGATOR_SCHEMA: `${tag}_aggregator`,
      LEARNCHAIN_REGISTRY: registry,
      LEARNCHAIN_VALIDATORS: validator,
      LEARNCHAIN_AGGREGATOR_KEY_FILE: files.aggregatorKey,
      LEARNCHAIN_ROUND_GRACE_MS: '300',
      LEARNCHAIN_ROUND_TICK_MS: '100',
    }, /aggregator running/);
    await launch('trainer', 'services/trainer/src/main.ts', {
      LEARNCHAIN_REGISTRY: registry,
      LEARNCHAIN_AGGREGATOR: aggregator,
      LEARNCHAIN_VALIDATORS: validator,
      LEARNCHAIN_PARTITION: 'iid',
      LEARNCHAIN_CLIENTS: '16',
      LEARNCHAIN_CLIENT_INDEX: '0',
      LEARNCHAIN_DEVICE: 'cpu',
    }, /trainer running/);
  });

  afterAll(async () => {
    for (const proc of procs.reverse()) await proc.stop().catch(() => undefined);
    const pool = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    for (const name of ['validator', 'registry', 'aggregator']) await pool.query(`DROP SCHEMA IF EXISTS "${tag}_${name}" CASCADE`).catch(() => undefined);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the chain status and a block, human and --json', async () => {
    const human = await cli('chain', 'status', '--validator', validator);
    expect(human.code).toBe(0);
    expect(human.out.join('\n')).toContain(`chain      ${chainId}`);
    const status = lastJson<{ chain_id: string; height: number; validators: { address: string; power: number }[] }>(await cli('chain', 'status', '--validator', validator, '--json'));
    expect(status.chain_id).toBe(chainId);
    expect(status.validators).toEqual([{ address: Identity.fromFile(files.validatorKeys[0] as string).address, power: 1 }]);
    expect(status.height).toBeGreaterThanOrEqual(1);

    const block = lastJson<{ height: number; hash: string; chain_id: string; commit: { signers: string[] } }>(await cli('chain', 'block', '1', '--validator', validator, '--json'));
    expect(block).toMatchObject({ height: 1, chain_id: chainId, commit: { signers: [status.validators[0]?.address] } });
    expect(block.hash).toMatch(/^[0-9a-f]{64}$/);
    const text = await cli('chain', 'block', '1', '--validator', validator);
    expect(text.code).toBe(0);
    expect(text.out[0]).toBe(`block 1 of ${chainId}`);
    expect(text.out.join('\n')).toContain(`hash       ${block.hash}`);

    const missing = await cli('chain', 'block', '999999', '--validator', validator);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/NOT_FOUND/);
  });

  it('lists the registry members, filtered by role and status', async () => {
    const all = lastJson<{ epoch: number; members: { node_id: string; role: string; status: string; device: string }[] }>(await cli('members', '--registry', registry, '--json'));
    const trainers = all.members.filter((m) => m.role === 'trainer');
    expect(trainers).toHaveLength(1);
    expect(trainers[0]).toMatchObject({ status: 'active', device: 'cpu' });
    const active = lastJson<{ members: unknown[] }>(await cli('members', '--registry', registry, '--role', 'trainer', '--status', 'active', '--json'));
    expect(active.members).toHaveLength(1);
    const failed = lastJson<{ members: unknown[] }>(await cli('members', '--registry', registry, '--status', 'failed', '--json'));
    expect(failed.members).toHaveLength(0);
    const human = await cli('members', '--registry', registry, '--role', 'trainer');
    expect(human.out.join('\n')).toContain(trainers[0]?.node_id);
  });

  it('submits a job signed with a key file, lists it, watches it to its last round, and verifies the chain', async () => {
    const submit = await cli('job', 'submit', '--validator', validator, '--aggregator', aggregator, '--key', submitterKey, '--job-id', jobId,
      '--rounds', '1', '--rule', 'fedavg', '--trainers', '1', '--min-trainers', '1', '--epochs', '1', '--validation-samples', '200', '--deadline', '60', '--json');
    expect(submit.err).toEqual([]);
    expect(submit.code).toBe(0);
    const submitted = lastJson<{ job_id: string; chain_id: string; height: number; signer: string; nonce: number; initial_model: string }>(submit);
    expect(submitted).toMatchObject({ job_id: jobId, chain_id: chainId, signer: submitter.address, nonce: 1 });
    expect(submitted.initial_model).toMatch(/^[0-9a-f]{64}$/);

    // The same key again: the next nonce is read from the chain; the ledger refuses a second job with this id.
    const again = await cli('job', 'submit', '--validator', validator, '--aggregator', aggregator, '--key', submitterKey, '--job-id', jobId, '--rounds', '1', '--validation-samples', '10');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('job-exists');

    const listed = lastJson<{ jobs: { job_id: string; rounds: number; rule: string; created_height: number }[] }>(await cli('job', 'list', '--validator', validator, '--json'));
    expect(listed.jobs.find((j) => j.job_id === jobId)).toMatchObject({ rounds: 1, rule: 'fedavg', created_height: submitted.height });

    const watched = await cli('job', 'watch', jobId, '--validator', validator, '--json', '--interval', '200', '--timeout', '180');
    expect(watched.err).toEqual([]);
    expect(watched.code).toBe(0);
    const rounds = watched.out.slice(0, -1).map((l) => JSON.parse(l) as { round: number; included: number; height: number });
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ round: 1, included: 1 });
    expect(lastJson<{ finished: boolean; round: number; stopped: string }>(watched)).toMatchObject({ finished: true, round: 1, stopped: 'finished' });

    // The aggregator's read of the ledger's job list (what it learns jobs from at start) sees the job finished.
    const ledger = new ValidatorAdapter({ addresses: [validator] });
    try {
      const page = await ledger.jobs('');
      expect(page.malformed).toEqual([]);
      const found = page.jobs.find((j) => j.spec.jobId === jobId);
      expect(found).toMatchObject({ round: 1, spec: { rounds: 1, rule: { name: 'fedavg' }, minTrainers: 1 } });
      expect(intakeOf(found!)).toEqual({ kind: 'finished' });
    } finally {
      ledger.close();
    }

    const human = await cli('job', 'watch', jobId, '--validator', validator);
    expect(human.out[human.out.length - 1]).toMatch(new RegExp(`^job ${jobId} finished: 1/1 rounds committed`));
    const list = await cli('job', 'list', '--validator', validator);
    expect(list.out.find((l) => l.startsWith(jobId))).toMatch(/fedavg\s+1\/1\s+\d+\s+finished$/);

    const block = lastJson<{ txs: { kind: string; accepted: boolean; summary: string }[] }>(await cli('chain', 'block', String(rounds[0]?.height), '--validator', validator, '--json'));
    expect(block.txs.find((t) => t.kind === 'roundResult')).toMatchObject({ accepted: true, summary: expect.stringContaining(`job ${jobId} round 1: 1 included`) as unknown });

    const verified = await cli('chain', 'verify', '--validator', validator, '--genesis', files.genesisPath);
    expect(verified.code).toBe(0);
    expect(verified.out.join('\n')).toContain(`chain ${chainId} verified`);
  });

  it('stops watching a job that makes no progress on timeout (exit 1) or on an interrupt', async () => {
    // Three trainers per round, one running: the job is on chain but its first round cannot close.
    const stalled = `${jobId}-stalled`;
    const submit = await cli('job', 'submit', '--validator', validator, '--aggregator', aggregator, '--job-id', stalled, '--rounds', '2', '--rule', 'fedavg',
      '--trainers', '3', '--min-trainers', '3', '--validation-samples', '10');
    expect(submit.code).toBe(0);
    const timedOut = await cli('job', 'watch', stalled, '--validator', validator, '--json', '--interval', '100', '--timeout', '1');
    expect(timedOut.code).toBe(1);
    expect(lastJson(timedOut)).toEqual({ job_id: stalled, round: 0, rounds: 2, finished: false, head: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, stopped: 'timeout' });

    const controller = new AbortController();
    const api = new ValidatorApi(validator);
    try {
      const seen: unknown[] = [];
      const following = followRounds({ api, jobId: stalled, intervalMs: 100, signal: controller.signal, onRound: (r) => seen.push(r) });
      setTimeout(() => controller.abort(), 300);
      expect(await following).toMatchObject({ stopped: 'interrupted', job: { job_id: stalled, round: 0, finished: false } });
      expect(seen).toEqual([]);
    } finally {
      api.close();
    }
  });

  it('names the service and the address it could not reach, and exits 1', async () => {
    const port = await freePort();
    const validatorDown = await cli('job', 'watch', jobId, '--validator', `127.0.0.1:${port}`);
    expect(validatorDown.code).toBe(1);
    expect(validatorDown.err.join('\n')).toContain(`cannot reach validator at 127.0.0.1:${port}: `);
    const aggregatorDown = await cli('job', 'submit', '--validator', validator, '--aggregator', `127.0.0.1:${port}`, '--validation-samples', '10');
    expect(aggregatorDown.code).toBe(1);
    expect(aggregatorDown.err.join('\n')).toContain(`cannot reach aggregator at 127.0.0.1:${port}: `);
    const unknown = await cli('job', 'watch', 'no-such-job', '--validator', validator);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toContain('job no-such-job is not on chain');
  });
});
