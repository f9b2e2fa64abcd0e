/**
 * `npm run bench -- registry [--members 10000] [--seconds 20] [--ttl-ms 5000] [--heartbeats stream|unary] [--channels 16] [--threads 2]`
 *
 * One registry process; N simulated members join, then each heartbeats once a
 * second, spread evenly over the second: over its own HeartbeatStream (default;
 * streams spread over the channels), or with a signed unary Heartbeat call each
 * time. The members run in --threads worker threads of this process
 * (registry-members.ts), each with its own heap and event loop, so a garbage
 * collection of the simulator holds up only its share of the answers. Reports
 * heartbeat latency (beat sent → lease answer received), the registry's CPU
 * seconds per 1,000 heartbeats (from /proc), and how long 100 members that stop
 * at once take to be marked failed. Uses DATABASE_URL / NATS_URL when set, else
 * the embedded PGlite and local bus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { createClient, parseFlags, serverStream, unary } from '@learnchain/core';
import { contracts, type v1 } from '@learnchain/proto';
import { Pool } from 'pg';

import { ServiceProcess } from '../support/processes';
import type { FromMembers, MembersSetup, ToMembers } from './registry-members';

const { flags } = parseFlags(process.argv.slice(2));
const MEMBERS = Number(flags.get('members') ?? 10_000);
const SECONDS = Number(flags.get('seconds') ?? 20);
const TTL_MS = Number(flags.get('ttl-ms') ?? 5000);
const MODE = flags.get('heartbeats') === 'unary' ? 'unary' : 'stream';
const CHANNELS = Number(flags.get('channels') ?? 16);
const THREADS = Math.max(1, Number(flags.get('threads') ?? 2));
const CHAIN = `bench-${Date.now().toString(36)}`;
const SCHEMA = `bench_${Date.now().toString(36)}`;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return ticks / 100;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One thread of simulated members, and what it has reported. */
class MembersThread {
  readonly worker: Worker;
  readonly joined: Promise<Extract<FromMembers, { type: 'joined' }>>;
  readonly result: Promise<Extract<FromMembers, { type: 'result' }>>;

  constructor(setup: MembersSetup) {
    this.worker = new Worker(join(__dirname, 'registry-members.ts'), { workerData: setup, execArgv: ['--require', require.resolve('tsx/cjs')] });
    const failed = new Promise<never>((_, reject) => {
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`members thread ${setup.index} exited with ${code}`)));
    });
    const reply = <K extends FromMembers['type']>(type: K): Promise<Extract<FromMembers, { type: K }>> =>
      Promise.race([
        new Promise<Extract<FromMembers, { type: K }>>((resolve) => {
          const listen = (message: FromMembers): void => {
            if (message.type !== type) return;
            this.worker.off('message', listen);
            resolve(message as Extract<FromMembers, { type: K }>);
          };
          this.worker.on('message', listen);
        }),
        failed,
      ]);
    this.joined = reply('joined');
    this.result = reply('result');
    this.joined.catch(() => undefined);
    this.result.catch(() => undefined);
  }

  send(message: ToMembers): void {
    this.worker.postMessage(message);
  }
}

async function main(): Promise<void> {
  const registry = await ServiceProcess.start({
    name: 'registry',
    entry: 'services/registry/src/main.ts',
    env: {
      LEARNCHAIN_CHAIN_ID: CHAIN,
      LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0',
      DATABASE_URL: process.env.DATABASE_URL ?? 'pglite:memory',
      LEARNCHAIN_REGISTRY_SCHEMA: SCHEMA,
      ...(process.env.NATS_URL ? { NATS_URL: process.env.NATS_URL, LEARNCHAIN_STREAM: 'learnchain_bench' } : {}),
      LEARNCHAIN_LEASE_TTL_MS: String(TTL_MS),
      LEARNCHAIN_SWEEP_INTERVAL_MS: '100',
      LEARNCHAIN_METRICS_LISTEN: '127.0.0.1:0',
    },
    // REGISTRY_CPU_PROFILE=DIR writes a V8 CPU profile of the registry there.
    ...(process.env.REGISTRY_CPU_PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.REGISTRY_CPU_PROFILE}`] } : {}),
    ready: /registry running/,
  });
  const address = (registry.logs('gRPC server listening')[0] as { address: string }).address;
  const metricsUrl = (registry.logs('registry running')[0] as { metrics: string }).metrics;
  /** The registry's event-loop delay since the last scrape (prom-client resets it on each), and its GC seconds so far. */
  const scrape = async (): Promise<{ loopP99Ms: number; loopMaxMs: number; gcSeconds: number }> => {
    const text = await (await fetch(metricsUrl)).text();
    const value = (pattern: RegExp): number => [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
    return {
      loopP99Ms: value(/^learnchain_nodejs_eventloop_lag_p99_seconds\{[^}]*\} (\S+)$/gm) * 1000,
      loopMaxMs: value(/^learnchain_nodejs_eventloop_lag_max_seconds\{[^}]*\} (\S+)$/gm) * 1000,
      gcSeconds: value(/^learnchain_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm),
    };
  };
  const joinStart = performance.now();
  const joinCpuBefore = cpuSeconds(registry.pid);
  const threads = Array.from(
    { length: THREADS },
    (_, index) =>
      new MembersThread({
        address,
        chainId: CHAIN,
        members: MEMBERS,
        threads: THREADS,
        index,
        channels: Math.max(1, Math.round(CHANNELS / THREADS)),
        mode: MODE,
        clockStartMs: Date.now(),
      }),
  );
  const joined = await Promise.all(threads.map((t) => t.joined));
  const nodeIds = new Map(joined.flatMap((j) => j.nodeIds));
  const rejoins = joined.reduce((sum, j) => sum + j.rejoins, 0);
  const setupRetries = joined.reduce((sum, j) => sum + j.setupRetries, 0);
  const joinSeconds = (performance.now() - joinStart) / 1000;
  const joinCpuMs = ((cpuSeconds(registry.pid) - joinCpuBefore) * 1000) / MEMBERS;
  console.log(`joined ${MEMBERS} members in ${joinSeconds.toFixed(1)} s (${(MEMBERS / joinSeconds).toFixed(0)} joins/s)`);

  // Measure a steady phase; TTL + 3 s before its end, 100 members stop at once.
  // Read the registry's metrics, then let a second pass before measuring: a scrape is work for both
  // processes, and beats held up behind it would go out together.
  const registryBefore = await scrape();
  const scrapedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const t of threads) t.send({ type: 'measure', on: true });
  const cpuBefore = cpuSeconds(registry.pid);
  const ownCpuBefore = process.cpuUsage();
  const phaseStart = performance.now();
  const victims = Array.from({ length: 100 }, (_, k) => Math.floor((k * MEMBERS) / 100));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - TTL_MS - 3000)));
  // Detection: when is each of the 100 silent members marked failed? Watched live, from the moment they stop.
  const victimIds = new Set(victims.map((v) => nodeIds.get(v) as string));
  const detected = new Map<string, number>();
  // Its own connection, away from the heartbeat load.
  const watcher = createClient(contracts().registry, address, { channelOptions: { 'learnchain.channel': 'watch' } });
  const controller = new AbortController();
  const fromEpoch = (await unary(watcher, 'list', { status: 'MEMBER_STATUS_FAILED' }, { deadlineMs: 60_000 })).epoch;
  for (const t of threads) t.send({ type: 'stop', members: victims });
  const failureStart = performance.now();
  const watching = (async () => {
    for await (const change of serverStream(watcher, 'watch', { fromEpoch }, { signal: controller.signal }) as AsyncIterable<v1.MembershipChange__Output>) {
      const id = change.member?.nodeId ?? '';
      if (change.member?.status === 'MEMBER_STATUS_FAILED' && victimIds.has(id) && !detected.has(id)) detected.set(id, performance.now());
      if (detected.size === victimIds.size) break;
    }
  })().catch(() => undefined /* cancelled: report what was seen */);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - (performance.now() - phaseStart))));
  for (const t of threads) t.send({ type: 'measure', on: false });
  const phaseSeconds = (performance.now() - phaseStart) / 1000;
  const cpu = cpuSeconds(registry.pid) - cpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const registryAfter = await scrape();
  const scrapeSeconds = (performance.now() - scrapedAt) / 1000;
  const timeout = setTimeout(() => controller.abort(), 30_000);
  await watching;
  clearTimeout(timeout);
  const lastDetected = Math.max(...detected.values());

  for (const t of threads) t.send({ type: 'finish' });
  const results = await Promise.all(threads.map((t) => t.result));
  const latencies = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0));
  results.reduce((at, r) => (latencies.set(r.latencies, at), at + r.latencies.length), 0);
  latencies.sort();
  const heartbeats = latencies.length;
  const beatsSent = results.reduce((n, r) => n + r.sent, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const reopened = results.reduce((n, r) => n + r.reopened, 0);
  const result = {
    members: MEMBERS,
    heartbeats_over: MODE,
    channels: CHANNELS,
    member_threads: THREADS,
    seconds: Number(phaseSeconds.toFixed(1)),
    ttl_ms: TTL_MS,
    backend: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    heartbeats,
    heartbeats_per_s: Number((heartbeats / phaseSeconds).toFixed(0)),
    // The simulated members' side: beats it got out during the phase, and its own CPU (it shares the 2 cores).
    beats_sent_per_s: Number((beatsSent / phaseSeconds).toFixed(0)),
    bench_cpu_s_per_s: Number(((ownCpu.user + ownCpu.system) / 1e6 / phaseSeconds).toFixed(2)),
    registry_cpu_s_per_s: Number((cpu / phaseSeconds).toFixed(2)),
    // Where a slow answer can come from: either process not getting to its event loop, or the registry collecting
    // garbage (the registry's figures cover the second before the phase too, from one scrape to the next).
    registry_event_loop_ms: { p99: Number(registryAfter.loopP99Ms.toFixed(1)), max: Number(registryAfter.loopMaxMs.toFixed(1)) },
    registry_gc_s_per_s: Number(((registryAfter.gcSeconds - registryBefore.gcSeconds) / scrapeSeconds).toFixed(3)),
    // the worst of the member threads
    bench_event_loop_ms: { p99: Number(Math.max(...results.map((r) => r.loopP99Ms)).toFixed(1)), max: Number(Math.max(...results.map((r) => r.loopMaxMs)).toFixed(1)) },
    errors,
    heartbeat_ms: Object.fromEntries(
      ([['p50', 50], ['p90', 90], ['p99', 99], ['p999', 99.9], ['max', 100]] as const).map(([key, p]) => [key, Number(percentile(latencies, p).toFixed(2))]),
    ),
    cpu_s_per_1000_heartbeats: Number(((cpu / heartbeats) * 1000).toFixed(3)),
    detect_100_failures_s: detected.size === victimIds.size ? Number(((lastDetected - failureStart) / 1000).toFixed(2)) : null,
    detected_failures: detected.size,
    joins_per_s: Number((MEMBERS / joinSeconds).toFixed(0)),
    registry_cpu_ms_per_join: Number(joinCpuMs.toFixed(2)),
    rejoins_before_stream_open: rejoins,
    setup_retries: setupRetries,
    streams_reopened: reopened,
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
  };
  watcher.close();
  await Promise.all(threads.map((t) => t.worker.terminate()));
  await registry.stop();
  if (process.env.DATABASE_URL) {
    // 10,000 members' rows are no use after the run
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pool.end();
  }
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
