/**
 * Four validator processes on loopback against real PostgreSQL and NATS: they
 * commit heights; one killed with -9 is not missed, and restarted it catches up
 * by block sync and votes again; a validator that crashes between logging and
 * sending its precommit never signs a conflicting one after restart; a
 * Byzantine validator that equivocates is caught and loses its power; the light
 * client verifies the chain and names the height of a block changed in storage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NatsEventBus, SUBJECT } from '@learnchain/bus';
import { createClient, Identity, signStatement, Status, toHex, unary, updateStatement } from '@learnchain/core';
import { helloStatement, signTx } from '@learnchain/ledger';
import { contracts, type v1 } from '@learnchain/proto';
import { Pool } from 'pg';

import { writeGenesis, type GenesisFiles } from '../../cli/src/commands/genesis';
import { eventually, ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';
import { freePort } from '../../cli/src/devnet/mesh';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describeWith(['postgres', 'nats'], 'validator processes', () => {
  const chainId = uniqueName('vchain').replace(/_/g, '-');
  const schemaBase = uniqueName('validator').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-validators-'));
  const procs: (ServiceProcess | undefined)[] = [];
  type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;
  const clients: ValidatorClient[] = [];
  const api = (i: number): ValidatorClient => clients[i] as ValidatorClient;
  let files: GenesisFiles;
  let ports: number[] = [];
  let addresses: string[] = [];
  const validatorAddresses: string[] = [];
  const pool = new Pool({ connectionString: serviceUrl('postgres'), max: 2 });
  let bus: NatsEventBus;
  const stream = uniqueName('validator_it');
  const blockEvents: number[] = [];
  const jobEvents: string[] = [];

  const schema = (i: number): string => `${schemaBase}_${i}`;

  function env(i: number, extra: Record<string, string> = {}): Record<string, string> {
    return {
      LEARNCHAIN_VALIDATOR_LISTEN: addresses[i] as string,
      LEARNCHAIN_PEERS: addresses.filter((_, j) => j !== i).join(','),
      LEARNCHAIN_KEY_FILE: files.validatorKeys[i] as string,
      LEARNCHAIN_GENESIS_FILE: files.genesisPath,
      DATABASE_URL: serviceUrl('postgres'),
      LEARNCHAIN_VALIDATOR_SCHEMA: schema(i),
      LEARNCHAIN_WAL_DIR: join(dir, `wal-${i}`),
      NATS_URL: serviceUrl('nats'),
      LEARNCHAIN_STREAM: stream,
      LEARNCHAIN_EMPTY_BLOCK_INTERVAL_MS: '100',
      LEARNCHAIN_TIMEOUT_PROPOSE_MS: '800',
      LEARNCHAIN_TIMEOUT_ROUND_MS: '300',
      // Two check gossiped transactions' signatures on a worker thread, two on the event loop.
      LEARNCHAIN_SIGNATURE_THREADS: i < 2 ? '1' : '0',
      ...extra,
    };
  }

  async function start(i: number, extra: Record<string, string> = {}, ready = /validator running/): Promise<ServiceProcess> {
    const proc = await ServiceProcess.start({ name: `validator-${i}`, entry: 'services/validator/src/main.ts', env: env(i, extra), ready });
    procs[i] = proc;
    return proc;
  }

  const status = (i: number): Promise<v1.StatusResponse__Output> => unary(api(i), 'Status', {}, { deadlineMs: 3000 });
  const height = async (i: number): Promise<number> => (await status(i)).latestHeight;
  const block = (i: number, h: number): Promise<v1.GetBlockResponse__Output> => unary(api(i), 'GetBlock', { height: h });

  async function reaches(i: number, target: number, timeoutMs = 30_000): Promise<number> {
    return eventually(`validator ${i} at height ${target}`, async () => {
      const h = await height(i);
      return h >= target ? h : undefined;
    }, timeoutMs, 100);
  }

  beforeAll(async () => {
    files = writeGenesis({ validators: 4, out: dir, chainId });
    ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
    addresses = ports.map((p) => `127.0.0.1:${p}`);
    for (const path of files.validatorKeys) validatorAddresses.push(Identity.fromFile(path).address);
    for (const a of addresses) clients.push(createClient(contracts().validator, a));
    bus = await NatsEventBus.create({ servers: serviceUrl('nats'), stream, subjectsPrefix: chainId });
    const subscription = await bus.subscribe({ subjects: [SUBJECT.blockCommitted, SUBJECT.jobCreated] });
    void (async () => {
      for await (const d of subscription) {
        if (d.subject === SUBJECT.blockCommitted) blockEvents.push(d.payload.height);
        if (d.subject === SUBJECT.jobCreated) jobEvents.push(d.payload.jobId);
        await d.ack();
      }
    })().catch(() => undefined);
    await Promise.all([0, 1, 2, 3].map((i) => start(i)));
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p?.stop()));
    for (const c of clients) c.close();
    await bus?.close();
    for (let i = 0; i < 4; i++) await pool.query(`DROP SCHEMA IF EXISTS "${schema(i)}" CASCADE`);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits heights on all four, commits a transaction, and announces blocks and jobs on NATS', async () => {
    await Promise.all([0, 1, 2, 3].map((i) => reaches(i, 3)));
    const client = Identity.generate();
    const tx = signTx(client, chainId, 1, { createJob: { jobId: 'job-a', model: 'mlp', initialParametersHash: Buffer.alloc(32, 7), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 1000 } });
    const result = await unary(api(2), 'BroadcastTx', { tx, wait: 'TX_WAIT_COMMIT' });
    expect(result).toMatchObject({ accepted: true, reason: '' });
    // The call answers once one validator committed; the others may be a moment behind.
    await Promise.all([0, 1, 2, 3].map((i) => reaches(i, result.height)));
    const job = await unary(api(0), 'QueryState', { path: 'jobs/job-a' });
    expect(JSON.parse(job.json)).toMatchObject({ jobId: 'job-a', head: '07'.repeat(32), round: 0 });
    const same = await Promise.all([0, 1, 2, 3].map(async (i) => toHex((await block(i, result.height)).blockHash)));
    expect(new Set(same).size).toBe(1);
    await eventually('block.committed events', () => (blockEvents.length > 0 ? blockEvents.length : undefined));
    await eventually('job.created for job-a', () => (jobEvents.includes('job-a') ? true : undefined));
    // Every validator publishes each block under one message id: JetStream keeps one copy.
    expect(new Set(blockEvents).size).toBe(blockEvents.length);
  });

  it('commits transactions submitted many in one call', async () => {
    const client = Identity.generate();
    const txs = [1, 2, 3].map((nonce) => signTx(client, chainId, nonce, { createJob: { jobId: `batch-${nonce}`, model: 'mlp', initialParametersHash: Buffer.alloc(32, nonce), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 1000 } }));
    const { admissions } = await unary(api(1), 'BroadcastTxs', { txs });
    expect(admissions.map((a) => a.queued)).toEqual([true, true, true]);
    // Waiting on another validator: the last of them reached it (gossip) or reaches it now, and commits after the other two.
    const last = await unary(api(3), 'BroadcastTx', { tx: txs[2] as v1.Tx, wait: 'TX_WAIT_COMMIT' });
    expect(last).toMatchObject({ accepted: true, txHash: admissions[2]?.txHash });
    await reaches(1, last.height);
    for (const nonce of [1, 2, 3]) expect(JSON.parse((await unary(api(1), 'QueryState', { path: `jobs/batch-${nonce}` })).json)).toMatchObject({ jobId: `batch-${nonce}` });
    // The job list, two at a time: each page names where the next starts, the last names none.
    const listed: string[] = [];
    let after = '';
    do {
      const page = await unary(api(1), 'QueryState', { path: 'jobs', after, limit: 2 });
      const ids = (JSON.parse(page.json) as { jobId: string }[]).map((j) => j.jobId);
      expect(ids.length).toBeLessThanOrEqual(2);
      if (page.nextAfter !== '') expect(page.nextAfter).toBe(ids[ids.length - 1]);
      listed.push(...ids);
      after = page.nextAfter;
    } while (after !== '');
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining(['batch-1', 'batch-2', 'batch-3']));
    expect(listed.length).toBeGreaterThan(2);
    expect(JSON.parse((await unary(api(1), 'QueryState', { path: 'jobs' })).json).map((j: { jobId: string }) => j.jobId)).toEqual(listed);
  });

  it('refuses bad input with clear statuses, and never commits a round it cannot verify', async () => {
    const code = async (work: Promise<unknown>): Promise<number | undefined> => work.then(() => undefined, (error: { code?: number }) => error.code);
    const client = Identity.generate();
    expect(await code(unary(api(0), 'BroadcastTx', { tx: { chainId, nonce: 1 } }))).toBe(Status.INVALID_ARGUMENT);
    const good = signTx(client, chainId, 1, { createJob: { jobId: 'job-r', initialParametersHash: Buffer.alloc(32, 3), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 1000 } });
    const forged = { ...good, signature: { publicKey: good.signature?.publicKey as Buffer, signature: Buffer.alloc(64, 1) } };
    expect(await code(unary(api(0), 'BroadcastTx', { tx: forged }))).toBe(Status.UNAUTHENTICATED);
    const huge = signTx(client, chainId, 1, { createJob: { jobId: 'job-huge', partition: 'x'.repeat(100_000), initialParametersHash: Buffer.alloc(32, 3), rule: { name: 'fedavg' }, minTrainers: 1 } });
    expect(await code(unary(api(0), 'BroadcastTx', { tx: huge }))).toBe(Status.INVALID_ARGUMENT);
    // A Hello from a key that is not a validator, and one whose signature covers the wrong nonce.
    const gossipEnds = (signer: Identity, nonceOf: (theirs: Buffer) => Buffer, garbage = 0): Promise<number | undefined> =>
      new Promise((resolve) => {
        const consensus = createClient(contracts().consensus, addresses[0] as string);
        const call = consensus.Gossip();
        call.on('data', (m: v1.ConsensusMessage__Output) => {
          if (!m.hello) return;
          const nonce = nonceOf(m.hello.nonce);
          const signature = signStatement(signer, 'hello', helloStatement(chainId, signer.address, nonce));
          call.write({ hello: { chainId, address: signer.address, latestHeight: 0, nonce, signature: { publicKey: Buffer.from(signer.publicKey), signature: Buffer.from(signature) } } });
          // After a good Hello: empty messages, and votes whose signatures do not verify.
          for (let i = 0; i < garbage; i++) {
            if (i % 2 === 0) call.write({});
            else call.write({ vote: { height: 1_000_000, round: 0, type: 'VOTE_TYPE_PREVOTE', blockHash: Buffer.alloc(32), validator: signer.address, signature: { publicKey: Buffer.from(signer.publicKey), signature: Buffer.alloc(64, 7) } } });
          }
        });
        call.on('error', (error: { code?: number }) => {
          consensus.close();
          resolve(error.code);
        });
      });
    expect(await gossipEnds(Identity.generate(), (n) => n)).toBe(Status.PERMISSION_DENIED);
    expect(await gossipEnds(Identity.fromFile(files.validatorKeys[1] as string), () => Buffer.alloc(32, 9))).toBe(Status.UNAUTHENTICATED);
    expect(await gossipEnds(Identity.fromFile(files.validatorKeys[1] as string), (n) => n, 40)).toBe(Status.INVALID_ARGUMENT);
    await reaches(0, (await height(0)) + 2);
    // A well-formed round whose blobs no validator can fetch: it is voted against, dropped, and the chain goes on.
    expect((await unary(api(1), 'BroadcastTx', { tx: good, wait: 'TX_WAIT_COMMIT' })).accepted).toBe(true);
    const registry = Identity.fromFile(files.registryKey);
    const aggregator = Identity.fromFile(files.aggregatorKey);
    const trainer = Identity.generate();
    const joined = await unary(api(1), 'BroadcastTx', { tx: signTx(registry, chainId, 1, { registerNode: { nodeId: trainer.address, publicKey: Buffer.from(trainer.publicKey), role: 'ROLE_TRAINER', epoch: 1 } }), wait: 'TX_WAIT_COMMIT' });
    expect(joined.accepted).toBe(true);
    const updateHash = Buffer.alloc(32, 5);
    const statement = updateStatement({ chainId, jobId: 'job-r', round: 1, baseModelHash: Buffer.alloc(32, 3), updateHash, encoding: 'float32', numSamples: 10 });
    const included = [{ nodeId: trainer.address, updateHash, numSamples: 10, encoding: 'DTYPE_FLOAT32' as const, decision: 'selected', signature: { publicKey: Buffer.from(trainer.publicKey), signature: Buffer.from(signStatement(trainer, 'update', statement)) } }];
    const round = signTx(aggregator, chainId, 1, { roundResult: { jobId: 'job-r', round: 1, baseModelHash: Buffer.alloc(32, 3), newModelHash: Buffer.alloc(32, 6), membershipEpoch: 1, rule: { name: 'fedavg' }, included } });
    await unary(api(2), 'BroadcastTx', { tx: round });
    const from = await height(0);
    await reaches(0, from + 5);
    const jobState = await unary(api(0), 'QueryState', { path: 'jobs/job-r' });
    expect(JSON.parse(jobState.json)).toMatchObject({ round: 0 });
    expect(procs.some((p) => p?.logs('proposed block is invalid').some((r) => /blobs: .*no aggregator configured/.test(String(r.reason))))).toBe(true);
  });

  it('keeps committing without a validator killed with -9; restarted, it catches up by block sync and votes again', async () => {
    await (procs[1] as ServiceProcess).kill();
    const before = await height(0);
    await reaches(0, before + 4);
    const restarted = await start(1);
    const target = await height(0);
    await reaches(1, target);
    expect(restarted.logs('synced blocks').length).toBeGreaterThan(0);
    const after = (await height(0)) + 1;
    await eventually('a commit with the restarted validator precommit', async () => {
      const h = await height(0);
      if (h < after) return undefined;
      const commit = (await block(0, h)).commit as v1.Commit__Output;
      return commit.precommits.some((v) => v.validator === validatorAddresses[1]) ? h : undefined;
    }, 30_000, 200);
  });

  it('never signs a conflicting precommit after crashing between the log fsync and the send', async () => {
    await (procs[3] as ServiceProcess).stop();
    const crashAt = (await height(0)) + 3;
    const crashing = await start(3, { LEARNCHAIN_TEST_CRASH_AFTER_PRECOMMIT_HEIGHT: String(crashAt) }, /validator running|TEST crash/);
    const line = await eventually('the forced crash', () => crashing.lines.find((l) => l.startsWith('TEST crash')), 30_000);
    expect(await crashing.stop()).toBe(17);
    const key = /precommit (\d+)\/(\d+)\/precommit/.exec(line);
    expect(key).not.toBeNull();
    const crashedAt = Number(key?.[1]);
    expect(crashedAt).toBeGreaterThanOrEqual(crashAt);
    const wal = readFileSync(join(dir, 'wal-3', 'consensus.wal'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; key?: string; value?: string | null });
    const precommit = wal.find((e) => e.t === 'signed' && e.key === `${crashedAt}/${key?.[2]}/precommit` && e.key.endsWith('/precommit'));
    expect(precommit).toBeDefined();
    const restarted = await start(3);
    await reaches(3, crashedAt + 2);
    expect(restarted.logs('double-sign refused')).toEqual([]);
    expect(restarted.logs('replaying write-ahead log').length + restarted.logs('resent a message signed before the restart').length).toBeGreaterThan(0);
    // Whatever the others committed at that height, any precommit of validator 3 in it is the logged one.
    const commit = (await block(0, crashedAt)).commit as v1.Commit__Output;
    for (const v of commit.precommits.filter((p) => p.validator === validatorAddresses[3])) expect(toHex(v.blockHash)).toBe(precommit?.value ?? '');
    const validators = await unary(api(0), 'QueryState', { path: 'validators' });
    expect((JSON.parse(validators.json) as unknown[]).length).toBe(4);
  });

  it('stores a commit that proves the decision after crashing between deciding a block and storing it', async () => {
    await (procs[3] as ServiceProcess).stop();
    const crashAt = (await height(0)) + 3;
    const crashing = await start(3, { LEARNCHAIN_TEST_CRASH_AT_DECISION_HEIGHT: String(crashAt) }, /validator running|TEST crash/);
    const line = await eventually('the forced crash', () => crashing.lines.find((l) => l.startsWith('TEST crash')), 30_000);
    expect(await crashing.stop()).toBe(18);
    const crashedAt = Number(/decided height (\d+)/.exec(line)?.[1]);
    expect(crashedAt).toBeGreaterThanOrEqual(crashAt);
    // Restarted, it decides that height again from its log, which holds no peer's signature: the commit it stores is a peer's.
    await start(3);
    await reaches(3, crashedAt + 2);
    const verified = await runCli(['chain', 'verify', '--validator', addresses[3] as string, '--genesis', files.genesisPath]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('catches an equivocating validator: evidence is committed and its power removed', async () => {
    await (procs[2] as ServiceProcess).stop();
    const from = (await height(0)) + 2;
    const byzantine = await start(2, { LEARNCHAIN_TEST_EQUIVOCATE_HEIGHT: String(from) });
    const offender = validatorAddresses[2] as string;
    const removedAt = await eventually('the offender removed from the ledger validators', async () => {
      const q = await unary(api(0), 'QueryState', { path: 'validators' });
      const list = JSON.parse(q.json) as { address: string }[];
      return list.some((v) => v.address === offender) ? undefined : q.height;
    }, 40_000, 200);
    expect(byzantine.logs('TEST Byzantine: sent a conflicting prevote').length).toBeGreaterThan(0);
    const honest = [0, 1, 3].map((i) => procs[i] as ServiceProcess);
    expect(honest.some((p) => p.logs('conflicting votes: evidence submitted').length > 0)).toBe(true);
    // Conflicting proposals, when it proposed before its power went, are turned into evidence too.
    if (byzantine.logs('TEST Byzantine: sent a conflicting proposal').length > 0) {
      await eventually('evidence of the conflicting proposals', async () => (honest.some((p) => p.logs('conflicting proposals: evidence submitted').length > 0) ? true : undefined), 10_000, 100);
    }
    await byzantine.stop();
    procs[2] = undefined;
    // Two heights later its power is zero: the three others commit on their own, and its signatures are in no commit.
    await reaches(0, removedAt + 5, 40_000);
    const late = (await block(0, removedAt + 4)).commit as v1.Commit__Output;
    expect(late.precommits.some((v) => v.validator === offender)).toBe(false);
  });

  it('verifies the chain from genesis with the light client, and names the height of a block changed in storage', async () => {
    const good = await runCli(['chain', 'verify', '--validator', addresses[0] as string, '--genesis', files.genesisPath]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/verified: heights 1-\d+/);
    const tampered = 5;
    const changed = await pool.query(
      `UPDATE "${schema(1)}".chain_blocks SET block = overlay(block placing $1 from position($2::bytea in block) for 1) WHERE height = $3`,
      [Buffer.from('~'), Buffer.from(chainId), tampered],
    );
    expect(changed.rowCount).toBe(1);
    const bad = await runCli(['chain', 'verify', '--validator', addresses[1] as string, '--genesis', files.genesisPath]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`failed at height ${tampered}:`));
  });
});
