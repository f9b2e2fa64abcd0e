/**
 * The wiring of docker-compose.yml, exercised: every service the default
 * profile starts runs as a local process with exactly the command and
 * environment the compose file gives it (entrypoint.sh maps the command to the
 * service's main), compose hostnames mapped to loopback addresses of their
 * own, named volumes to folders, and the compose `postgres` and `nats`
 * replaced by the real servers of the test run (a fresh database; a stream of
 * this run's own on the shared NATS, whose subjects are named by the compose
 * file's chain id, so one run at a time per NATS). The genesis step's shell command writes
 * the keys first. Then: all four validators commit the same blocks, the
 * registry and the aggregator answer health checks, two replicas of `trainer`
 * (as `--scale trainer=2`) register themselves, and a job submitted with
 * `learnchain job submit` commits its round.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Pool } from 'pg';

import { createClient, unary } from '@learnchain/core';
import { contracts, SERVICE_NAMES } from '@learnchain/proto';

import { using, ValidatorApi } from '../../cli/src/client/services';
import type { Output } from '../../cli/src/command';
import { runCli } from '../../cli/src/main';
import {
  COMPOSE_FILE,
  commandOf,
  dependenciesOf,
  entryOf,
  loopbackAddresses,
  readCompose,
  translateEnvironment,
  translateImageCommand,
  translateValue,
  volumeMounts,
  type ComposeService,
  type HostMap,
} from '../support/compose';
import { eventually, ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

jest.setTimeout(420_000);

const ROOT = join(__dirname, '..', '..');
const READY: Record<string, RegExp> = { validator: /validator running/, registry: /registry running/, aggregator: /aggregator running/, trainer: /trainer running/ };
/** The servers the tests bring; their compose services are not started. */
const REPLACED = ['postgres', 'nats'];
const TRAINER_REPLICAS = 2;

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Output = { info: (l) => out.push(l), error: (l) => err.push(l) };
  return { code: await runCli(args, io), out, err };
}

function json<T>(ran: { out: string[] }): T {
  return JSON.parse(ran.out[ran.out.length - 1] as string) as T;
}

describeWith(['postgres', 'nats'], 'docker-compose.yml wiring, as local processes', () => {
  const tag = uniqueName('compose').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-compose-'));
  // A loopback /24 of this run's own, so a concurrent run cannot take the same ports.
  const prefix = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const compose = readCompose(COMPOSE_FILE, { LEARNCHAIN_LOG_LEVEL: 'info' });
  const names = Object.keys(compose.services);
  const hosts = loopbackAddresses(names, prefix);
  const database = tag;
  // Made in beforeAll: a skipped suite (no servers) still runs this body.
  let adminPool: Pool;
  let databaseUrl = '';
  const running = new Map<string, ServiceProcess[]>();
  const address = (name: string, port: number): string => `${hosts.get(name) as string}:${port}`;

  /** Each replica is its own container with its own address: replicas after the first get one past the named services'. */
  const selfOf = (name: string, replica: number): string => (replica === 0 ? (hosts.get(name) as string) : `${prefix}.${names.length + 1 + replica}`);

  function hostMap(name: string, service: ComposeService, replica = 0): HostMap {
    const mounts = new Map<string, string>();
    for (const [target, volume] of volumeMounts(service)) {
      const folder = join(dir, 'volumes', volume);
      mkdirSync(folder, { recursive: true });
      mounts.set(target, folder);
    }
    return {
      hosts,
      mounts,
      self: selfOf(name, replica),
      // The compose file's postgres and nats are this run's servers; its stream keeps this run apart from others on the same NATS.
      replace: { DATABASE_URL: databaseUrl, NATS_URL: serviceUrl('nats') },
    };
  }

  /** Runs a compose service the way its image would: entrypoint.sh picks the main from the command's first word. */
  async function startService(name: string, replica = 0): Promise<ServiceProcess> {
    const service = compose.services[name] as ComposeService;
    const [role, ...args] = commandOf(service);
    if (!role) throw new Error(`${name} has no command`);
    const map = hostMap(name, service, replica);
    const env = { ...translateEnvironment(service, map), LEARNCHAIN_STREAM: tag };
    const proc = await ServiceProcess.start({
      name: TRAINER_REPLICAS > 1 && name === 'trainer' ? `${name}-${replica + 1}` : name,
      entry: entryOf(role),
      args: args.map((a) => translateValue(a, map)),
      env,
      ready: READY[role] ?? /running/,
      timeoutMs: 180_000,
    });
    running.set(name, [...(running.get(name) ?? []), proc]);
    return proc;
  }

  /** The genesis step: its entrypoint and shell command, with the image's paths and the /genesis volume mapped. */
  async function runGenesis(): Promise<void> {
    const service = compose.services.genesis as ComposeService;
    const entrypoint = Array.isArray(service.entrypoint) ? service.entrypoint : [];
    expect(entrypoint).toEqual(['/bin/sh', '-c']);
    const script = translateImageCommand(translateValue(commandOf(service).join(' '), hostMap('genesis', service)), ROOT, process.execPath);
    await promisify(execFile)('/bin/sh', ['-c', script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
  }

  /** The services of the default profile in waves: each after the ones it depends on. */
  function waves(): string[][] {
    const wanted = names.filter((n) => !REPLACED.includes(n) && n !== 'genesis' && !(compose.services[n]?.profiles?.length));
    const done = new Set([...REPLACED, 'genesis']);
    const out: string[][] = [];
    while (done.size < wanted.length + REPLACED.length + 1) {
      const wave = wanted.filter((n) => !done.has(n) && dependenciesOf(compose.services[n] as ComposeService).every((d) => done.has(d)));
      if (wave.length === 0) throw new Error(`depends_on has a cycle or names a missing service among ${wanted.filter((n) => !done.has(n)).join(', ')}`);
      out.push(wave);
      wave.forEach((n) => done.add(n));
    }
    return out;
  }

  beforeAll(async () => {
    adminPool = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    const url = new URL(serviceUrl('postgres'));
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    await adminPool.query(`CREATE DATABASE "${database}"`);
    await runGenesis();
    for (const wave of waves()) {
      await Promise.all(wave.flatMap((name) => (name === 'trainer' ? Array.from({ length: TRAINER_REPLICAS }, (_, i) => startService(name, i)) : [startService(name)])));
    }
  });

  afterAll(async () => {
    const all = [...running.values()].flat();
    for (const name of ['trainer', 'aggregator', 'registry']) await Promise.all((running.get(name) ?? []).map((p) => p.stop()));
    await Promise.all(all.map((p) => p.stop()));
    const nc = await connect({ servers: serviceUrl('nats') });
    try {
      await (await jetstreamManager(nc)).streams.delete(tag).catch(() => false);
    } finally {
      await nc.close();
    }
    await adminPool?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await adminPool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the keys and the genesis in the genesis volume, for the chain the services name', () => {
    const genesis = JSON.parse(readFileSync(join(dir, 'volumes', 'genesis', 'genesis.json'), 'utf8')) as { chainId: string; validators: unknown[] };
    expect(genesis.validators).toHaveLength(4);
    for (const name of names.filter((n) => running.has(n))) {
      expect(compose.services[name]?.environment?.LEARNCHAIN_CHAIN_ID).toBe(genesis.chainId);
    }
  });

  it('starts every service of the default profile, trainers twice', () => {
    expect([...running.keys()].sort()).toEqual(['aggregator', 'registry', 'trainer', 'validator-0', 'validator-1', 'validator-2', 'validator-3']);
    expect(running.get('trainer')).toHaveLength(TRAINER_REPLICAS);
  });

  it('has all four validators commit the same blocks', async () => {
    const validators = ['validator-0', 'validator-1', 'validator-2', 'validator-3'];
    const heights = await Promise.all(validators.map((v) => eventually(`${v} at height 3`, async () => {
      const ran = await cli('chain', 'status', '--validator', address(v, 7200), '--json');
      const status = json<{ height: number; validators: unknown[] }>(ran);
      return status.height >= 3 ? status : undefined;
    }, 120_000, 500)));
    for (const s of heights) expect(s.validators).toHaveLength(4);
    const hashes = await Promise.all(validators.map(async (v) => json<{ hash: string }>(await cli('chain', 'block', '2', '--validator', address(v, 7200), '--json')).hash));
    expect(new Set(hashes).size).toBe(1);
  });

  it('serves Prometheus metrics from every process at its compose address', async () => {
    const endpoints = [...running.entries()].flatMap(([name, procs]) => procs.map((_, replica) => ({ name, url: `http://${selfOf(name, replica)}:9464/metrics` })));
    expect(endpoints).toHaveLength(6 + TRAINER_REPLICAS);
    for (const { name, url } of endpoints) {
      const text = await (await fetch(url)).text();
      expect({ name, serves: /^learnchain_\w+/m.test(text) }).toEqual({ name, serves: true });
    }
  });

  it('has a healthy registry and aggregator', async () => {
    for (const [name, port, service] of [['registry', 7100, SERVICE_NAMES.registry], ['aggregator', 7300, SERVICE_NAMES.aggregator]] as const) {
      const client = createClient(contracts().health, address(name, port));
      try {
        const answer = await eventually(`${name} serving`, async () => {
          const a = await unary(client, 'Check', { service }, { deadlineMs: 3000 });
          return a.status === 'SERVING' ? a : undefined;
        }, 60_000, 250);
        expect(answer.status).toBe('SERVING');
      } finally {
        client.close();
      }
    }
  });

  it('has each trainer replica register itself with the registry, recorded on chain', async () => {
    const trainers = await eventually('two active trainers', async () => {
      const listed = json<{ members: { node_id: string; role: string; status: string }[] }>(await cli('members', '--registry', address('registry', 7100), '--role', 'trainer', '--status', 'active', '--json'));
      return listed.members.length >= TRAINER_REPLICAS ? listed.members : undefined;
    }, 60_000, 500);
    expect(new Set(trainers.map((t) => t.node_id)).size).toBe(TRAINER_REPLICAS);
    await eventually('the trainers on chain', async () => {
      const { value } = await using(new ValidatorApi(address('validator-0', 7200)), (api) => api.list<{ nodeId: string; status: string }>('members'));
      return trainers.every((t) => value.some((m) => m.nodeId === t.node_id && m.status === 'active')) ? true : undefined;
    }, 60_000, 500);
  });

  it('runs a job submitted with learnchain job submit to its committed round', async () => {
    const jobId = `compose-${Date.now().toString(36)}`;
    const submit = await cli('job', 'submit', '--validator', address('validator-0', 7200), '--aggregator', address('aggregator', 7300), '--job-id', jobId,
      '--rounds', '1', '--rule', 'fedavg', '--trainers', String(TRAINER_REPLICAS), '--min-trainers', String(TRAINER_REPLICAS), '--epochs', '1', '--validation-samples', '200', '--deadline', '120', '--json');
    expect(submit.err).toEqual([]);
    expect(submit.code).toBe(0);
    const watched = await cli('job', 'watch', jobId, '--validator', address('validator-3', 7200), '--json', '--timeout', '240');
    expect(watched.err).toEqual([]);
    // Not committed in time: what the services warned of says why.
    const warnings = watched.code === 0 ? [] : [...running.values()].flat().flatMap((p) => p.warnings().map((line) => `${p.name}: ${line.slice(0, 600)}`));
    expect({ code: watched.code, warnings }).toEqual({ code: 0, warnings: [] });
    const round = JSON.parse(watched.out[0] as string) as { round: number; included: number };
    expect(round).toMatchObject({ round: 1, included: TRAINER_REPLICAS });
    const verified = await cli('chain', 'verify', '--validator', address('validator-2', 7200), '--genesis', join(dir, 'volumes', 'genesis', 'genesis.json'));
    expect(verified.err).toEqual([]);
    expect(verified.code).toBe(0);
  });
});
