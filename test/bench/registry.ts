/**
 * `npm run bench -- registry [--members 10000] [--seconds 20] [--ttl-ms 5000] [--heartbeats stream|unary] [--channels 16]`
 *
 * One registry process; N simulated members (one process, many channels) join,
 * then each heartbeats once a second, spread evenly over the second: over its
 * own HeartbeatStream (default; streams spread over the channels), or with a
 * signed unary Heartbeat call each time. Reports heartbeat latency (beat sent →
 * lease answer received), the registry's CPU seconds per 1,000 heartbeats (from
 * /proc), and how long 100 members that stop at once take to be marked failed.
 * Uses DATABASE_URL / NATS_URL when set, else the embedded PGlite and local bus.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { createClient, Identity, parseFlags, serverStream, signStatement, unary } from '@learnchain/core';
import { capabilitiesStatement, joinStatement, LeaseStream, mustRejoin } from '@learnchain/membership';
import { contracts, type v1 } from '@learnchain/proto';
import { Pool } from 'pg';

import { ServiceProcess } from '../support/processes';

const { flags } = parseFlags(process.argv.slice(2));
const MEMBERS = Number(flags.get('members') ?? 10_000);
const SECONDS = Number(flags.get('seconds') ?? 20);
const TTL_MS = Number(flags.get('ttl-ms') ?? 5000);
const MODE = flags.get('heartbeats') === 'unary' ? 'unary' : 'stream';
const CHANNELS = Number(flags.get('channels') ?? 16);
const CHAIN = `bench-${Date.now().toString(36)}`;
const SCHEMA = `bench_${Date.now().toString(36)}`;

type RegistryClient = InstanceType<ReturnType<typeof contracts>['registry']>;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return ticks / 100;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
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
  const clients: RegistryClient[] = Array.from({ length: CHANNELS }, (_, i) =>
    // A distinct option per client gives each its own connection.
    createClient(contracts().registry, address, { channelOptions: { 'learnchain.channel': i } }),
  );
  const identities = Array.from({ length: MEMBERS }, () => Identity.generate());
  const nodeIds: string[] = new Array<string>(MEMBERS);

  const latencies: number[] = [];
  let measuring = false;
  let errors = 0;
  let sequence = Date.now();
  let sentTotal = 0;
  const stopped = new Set<number>();
  // Stream mode: member i's stream, and when each of its beats went out (by sequence).
  const streams: Array<LeaseStream | undefined> = new Array<LeaseStream | undefined>(MEMBERS);
  // The last SENT_SLOTS beats of each member in flat typed arrays (slot = sequence mod SENT_SLOTS): the
  // simulated members' bookkeeping must not weigh on this process's garbage collector, which shares the
  // event loop that reads the answers.
  const SENT_SLOTS = 4;
  const sentSeq = new Float64Array(MEMBERS * SENT_SLOTS);
  const sentTime = new Float64Array(MEMBERS * SENT_SLOTS);
  const streamBeat = (i: number): void => {
    const stream = streams[i];
    if (!stream) return;
    const seq = stream.beat();
    if (seq > 0 && measuring) {
      sentSeq[i * SENT_SLOTS + (seq % SENT_SLOTS)] = seq;
      sentTime[i * SENT_SLOTS + (seq % SENT_SLOTS)] = performance.now();
      sentTotal++;
    }
  };
  const beat = async (i: number): Promise<void> => {
    const identity = identities[i] as Identity;
    const nodeId = nodeIds[i] as string;
    const seq = ++sequence;
    const signature = signStatement(identity, 'heartbeat', { chainId: CHAIN, nodeId, sequence: seq });
    const started = performance.now();
    try {
      await unary(clients[i % CHANNELS] as RegistryClient, 'heartbeat', { nodeId, sequence: seq, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } });
      if (measuring) latencies.push(performance.now() - started);
    } catch {
      if (measuring) errors++;
    }
  };

  // Each member opens its stream as soon as it has joined.
  const openStream = async (identity: Identity, i: number): Promise<void> => {
    const stream = new LeaseStream({
      client: clients[i % CHANNELS] as RegistryClient,
      chainId: CHAIN,
      identity,
      nodeId: nodeIds[i] as string,
      intervalMs: Infinity, // the scheduler beats
      silenceMs: Infinity,
      onLease: (update) => {
        const slot = i * SENT_SLOTS + (update.sequence % SENT_SLOTS);
        if (sentSeq[slot] !== update.sequence) return;
        sentSeq[slot] = 0;
        if (measuring) latencies.push(performance.now() - sentTime[slot]!);
      },
    });
    void stream.closed.then((reason) => {
      if (streams[i] === stream) streams[i] = undefined;
      if (stopped.has(i) || finished || !opened) return;
      if (measuring) errors++;
      if (reason && measuring) console.error(`member ${i}: stream ended: ${String(reason)}`);
      // As a member would: open a new stream, joining again first when told to.
      reopened++;
      void (async () => {
        if (mustRejoin(reason)) await join(identity, i);
        await openStream(identity, i);
      })().catch((error: unknown) => console.error(`member ${i}: could not come back: ${String(error)}`));
    });
    let opened = false;
    await stream.opened;
    opened = true;
    streams[i] = stream;
  };
  let reopened = 0;
  let finished = false;

  // Member i beats at i/N of every second, from the moment it has joined.
  const inflight = new Set<Promise<void>>();
  const clockStart = performance.now();
  let sent = 0;
  const scheduler = setInterval(() => {
    const due = Math.floor(((performance.now() - clockStart) / 1000) * MEMBERS);
    for (; sent < due; sent++) {
      const i = sent % MEMBERS;
      if (stopped.has(i) || nodeIds[i] === undefined) continue;
      if (MODE === 'stream') {
        streamBeat(i);
        continue;
      }
      const p = beat(i).finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }, 5);

  const joinStart = performance.now();
  const joinCpuBefore = cpuSeconds(registry.pid);
  let rejoins = 0;
  const join = async (identity: Identity, i: number): Promise<void> => {
    const client = clients[i % CHANNELS] as RegistryClient;
    // Setup on a loaded machine can be slow: generous deadlines (the measured phase has none of these calls).
    const challenge = await unary(client, 'getChallenge', { publicKey: Buffer.from(identity.publicKey) }, { deadlineMs: 60_000 });
    const statement = joinStatement({ chainId: CHAIN, nonce: challenge.nonce, issuedAtMs: challenge.issuedAtMs, expiresAtMs: challenge.expiresAtMs, role: 'trainer', capabilities: capabilitiesStatement({}), endpoint: '' });
    const joined = await unary(client, 'join', {
      challenge,
      role: 'ROLE_TRAINER',
      capabilities: {},
      endpoint: '',
      signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'join', statement)) },
    }, { deadlineMs: 60_000 });
    nodeIds[i] = joined.nodeId;
  };
  // Setup retries what a member would retry (a deadline, an unavailable registry, a reset connection on a loaded machine).
  const retrying = async (work: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (attempt >= 5 || (code !== 4 && code !== 13 && code !== 14)) throw error;
        setupRetries++;
      }
    }
  };
  let setupRetries = 0;
  let ready = 0;
  await pool(identities, 128, async (identity, i) => {
    await retrying(() => join(identity, i));
    // As a member would: when the lease lapsed before the stream opened (a slow, loaded start), join again.
    for (let attempt = 0; MODE === 'stream'; attempt++) {
      try {
        await openStream(identity, i);
        break;
      } catch (error) {
        if (!mustRejoin(error) || attempt >= 20) throw error;
        rejoins++;
        await retrying(() => join(identity, i));
      }
    }
    if (++ready % 1000 === 0) console.log(`${ready} members joined and streaming after ${((performance.now() - joinStart) / 1000).toFixed(1)} s`);
  });
  const joinSeconds = (performance.now() - joinStart) / 1000;
  const joinCpuMs = ((cpuSeconds(registry.pid) - joinCpuBefore) * 1000) / MEMBERS;
  console.log(`joined ${MEMBERS} members in ${joinSeconds.toFixed(1)} s (${(MEMBERS / joinSeconds).toFixed(0)} joins/s)`);

  // Measure a steady phase; TTL + 3 s before its end, 100 members stop at once.
  // Read the registry's metrics, then let a second pass before measuring: a scrape is work for both
  // processes, and beats held up behind it would go out together.
  const registryBefore = await scrape();
  const scrapedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  measuring = true;
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  const cpuBefore = cpuSeconds(registry.pid);
  const ownCpuBefore = process.cpuUsage();
  const phaseStart = performance.now();
  const victims = Array.from({ length: 100 }, (_, k) => Math.floor((k * MEMBERS) / 100));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - TTL_MS - 3000)));
  // Detection: when is each of the 100 silent members marked failed? Watched live, from the moment they stop.
  const victimIds = new Set(victims.map((v) => nodeIds[v] as string));
  const detected = new Map<string, number>();
  // Its own connection, away from the heartbeat load.
  const watcher = createClient(contracts().registry, address, { channelOptions: { 'learnchain.channel': 'watch' } });
  const controller = new AbortController();
  const fromEpoch = (await unary(watcher, 'list', { status: 'MEMBER_STATUS_FAILED' }, { deadlineMs: 60_000 })).epoch;
  for (const v of victims) stopped.add(v);
  const failureStart = performance.now();
  const watching = (async () => {
    for await (const change of serverStream(watcher, 'watch', { fromEpoch }, { signal: controller.signal }) as AsyncIterable<v1.MembershipChange__Output>) {
      const id = change.member?.nodeId ?? '';
      if (change.member?.status === 'MEMBER_STATUS_FAILED' && victimIds.has(id) && !detected.has(id)) detected.set(id, performance.now());
      if (detected.size === victimIds.size) break;
    }
  })().catch(() => undefined /* cancelled: report what was seen */);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - (performance.now() - phaseStart))));
  measuring = false;
  const phaseSeconds = (performance.now() - phaseStart) / 1000;
  const cpu = cpuSeconds(registry.pid) - cpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  ownLoop.disable();
  const registryAfter = await scrape();
  const scrapeSeconds = (performance.now() - scrapedAt) / 1000;
  const beatsSent = sentTotal;
  const timeout = setTimeout(() => controller.abort(), 30_000);
  await watching;
  clearTimeout(timeout);
  const lastDetected = Math.max(...detected.values());

  latencies.sort((a, b) => a - b);
  const heartbeats = latencies.length;
  const result = {
    members: MEMBERS,
    heartbeats_over: MODE,
    channels: CHANNELS,
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
    bench_event_loop_ms: { p99: Number((ownLoop.percentile(99) / 1e6).toFixed(1)), max: Number((ownLoop.max / 1e6).toFixed(1)) },
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
  clearInterval(scheduler);
  await Promise.all(inflight);
  finished = true;
  for (const stream of streams) stream?.close();
  watcher.close();
  for (const client of clients) client.close();
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
