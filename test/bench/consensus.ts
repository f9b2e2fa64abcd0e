/**
 * `npm run bench -- consensus [seconds]`: four validator processes on loopback.
 *
 * - empty blocks: validators that never wait for transactions (empty block
 *   interval 0): the time between consecutive commits seen by a WatchBlocks client;
 * - commit latency: one transaction at a time, BroadcastTx(wait = commit) to the
 *   next validator in turn, default timeouts;
 * - throughput: pre-signed small transactions (CreateJob) from many signers, sent
 *   to all four validators with a bounded number in flight; committed
 *   transactions per second from the blocks. Twice, one after the other on the
 *   same validators: one transaction per BroadcastTx call (`tx_per_s`), then
 *   100 per BroadcastTxs call (`tx_per_s_batched`).
 *
 * Uses DATABASE_URL when set (one schema per validator), PGlite in memory otherwise.
 * BENCH_CPU_PROF_DIR: each validator process writes a V8 CPU profile there on exit;
 * BENCH_LOG_LEVEL (default info) and BENCH_LOG_DIR: the validators' logs are
 * written there (at debug, each height's timings: where its time went).
 * The JSON carries the machine's load averages at the start and the end, and
 * the CPU time of the four validators per empty height and per committed
 * transaction (from /proc; on a shared machine it moves less than latency does).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClient, Identity, serverStream, Status, unary } from '@learnchain/core';
import { signTx } from '@learnchain/ledger';
import { contracts, type v1 } from '@learnchain/proto';
import { Pool } from 'pg';

import { writeGenesis, type GenesisFiles } from '../../cli/src/commands/genesis';
import { ServiceProcess } from '../support/processes';
import { freePort } from '../../cli/src/devnet/mesh';

type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;

const seconds = Number(process.argv[2] ?? '8');
const database = process.env.DATABASE_URL ?? 'pglite:memory';
const stamp = `${process.pid}_${Date.now().toString(36)}`;

/** The database schema of validator `i` of a network. */
const schemaOf = (tag: string, i: number): string => `bench_${tag}_${stamp}_${i}`;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number).toFixed(2));
}

interface Network {
  readonly clients: ValidatorClient[];
  /** CPU milliseconds the validator processes have used so far (user + system), from /proc; NaN where unreadable. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** CPU time of a process in milliseconds (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function startNetwork(files: GenesisFiles, dir: string, tag: string, extra: Record<string, string>): Promise<Network> {
  const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const started = await Promise.allSettled(
    [0, 1, 2, 3].map((i) =>
      ServiceProcess.start({
        name: `validator-${i}`,
        entry: 'services/validator/src/main.ts',
        ready: /validator running/,
        timeoutMs: 60_000,
        ...(process.env.BENCH_CPU_PROF_DIR ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_CPU_PROF_DIR, `${tag}-${i}`)] } : {}),
        env: {
          LEARNCHAIN_VALIDATOR_LISTEN: addresses[i] as string,
          LEARNCHAIN_PEERS: addresses.filter((_, j) => j !== i).join(','),
          LEARNCHAIN_KEY_FILE: files.validatorKeys[i] as string,
          LEARNCHAIN_GENESIS_FILE: files.genesisPath,
          DATABASE_URL: database,
          LEARNCHAIN_VALIDATOR_SCHEMA: schemaOf(tag, i),
          LEARNCHAIN_WAL_DIR: join(dir, `${tag}-wal-${i}`),
          LEARNCHAIN_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
          NATS_URL: '',
          ...extra,
        },
      }),
    ),
  );
  const procs = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Leave nothing running behind a failed start.
    await Promise.all(procs.map((p) => p.stop()));
    throw failed.reason;
  }
  const clients = addresses.map((a) => createClient(contracts().validator, a));
  return {
    clients,
    cpuMs: () => procs.reduce((sum, p) => sum + processCpuMs(p.pid), 0),
    async stop() {
      for (const c of clients) c.close();
      await Promise.all(procs.map((p) => p.stop()));
      const logDir = process.env.BENCH_LOG_DIR;
      if (logDir) procs.forEach((p, i) => writeFileSync(join(logDir, `${tag}-${i}.log`), `${p.lines.join('\n')}\n`));
      const warnings = new Map<string, number>();
      for (const p of procs) {
        for (const line of p.lines) {
          if (!line.startsWith('{')) continue;
          const record = JSON.parse(line) as { level: number; msg: string };
          if (record.level >= 40) warnings.set(record.msg, (warnings.get(record.msg) ?? 0) + 1);
        }
      }
      for (const [msg, n] of warnings) console.log(`  ${tag}: ${n} x ${msg}`);
    },
  };
}

/** Commit times of blocks as a watcher sees them, for `ms`. */
async function watchBlocks(client: ValidatorClient, ms: number): Promise<{ at: number; txs: number; height: number }[]> {
  const seen: { at: number; txs: number; height: number }[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const status = await unary(client, 'Status', {});
  try {
    for await (const b of serverStream(client, 'WatchBlocks', { fromHeight: status.latestHeight + 1 }, { signal: controller.signal })) {
      const block = b as v1.GetBlockResponse__Output;
      seen.push({ at: performance.now(), txs: block.block?.txs.length ?? 0, height: block.block?.header?.height ?? 0 });
    }
  } catch {
    // aborted
  } finally {
    clearTimeout(timer);
  }
  return seen;
}

async function emptyBlocks(files: GenesisFiles, dir: string): Promise<{ p50: number; p99: number; heights: number; cpuMsPerHeight: number }> {
  const net = await startNetwork(files, dir, 'empty', { LEARNCHAIN_EMPTY_BLOCK_INTERVAL_MS: '0' });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const cpuBefore = net.cpuMs();
    const blocks = await watchBlocks(net.clients[0] as ValidatorClient, seconds * 1000);
    const cpuMsPerHeight = Number(((net.cpuMs() - cpuBefore) / Math.max(blocks.length, 1)).toFixed(2));
    const gaps = blocks.slice(1).map((b, i) => b.at - (blocks[i] as { at: number }).at);
    return { p50: percentile(gaps, 50), p99: percentile(gaps, 99), heights: blocks.length, cpuMsPerHeight };
  } finally {
    await net.stop();
  }
}

/** Pre-signed small transactions (CreateJob) from 32 signers taking turns, enough for 5,000 tx/s over the run. */
function presigned(chainId: string, tag: string): v1.Tx[] {
  const signers = Array.from({ length: 32 }, () => Identity.generate());
  // Signing them costs the machine time before the run.
  const total = Math.ceil(Math.min(60_000, seconds * 5_000) / signers.length) * signers.length;
  const txs: v1.Tx[] = [];
  // Signers take turns (a block can hold many signers' transactions; one signer's must follow its nonces).
  for (let n = 0; n < total; n++) {
    const s = n % signers.length;
    const nonce = Math.floor(n / signers.length) + 1;
    txs.push(signTx(signers[s] as Identity, chainId, nonce, { createJob: { jobId: `${tag}-${s}-${nonce}`, initialParametersHash: Buffer.alloc(32, 2), rule: { name: 'fedavg' }, minTrainers: 1 } }));
  }
  return txs;
}

interface Throughput {
  readonly txPerS: number;
  readonly committed: number;
  readonly blocks: number;
  readonly cpuMsPerTx: number;
  readonly submitted: number;
  /** Refusals (a full mempool) whose transactions were sent again. */
  readonly refused: number;
}

/**
 * Committed transactions per second while `inFlight` senders push `txs` to the
 * four validators in turn, `perCall` at a time. `send` answers those to send
 * again (refused while the mempool is full): one lost would leave its signer's
 * later nonces waiting forever.
 */
async function throughput(net: Network, txs: readonly v1.Tx[], perCall: number, inFlight: number, send: (client: ValidatorClient, txs: v1.Tx[]) => Promise<v1.Tx[]>): Promise<Throughput> {
  const cpuBefore = net.cpuMs();
  const watcher = watchBlocks(net.clients[0] as ValidatorClient, seconds * 1000);
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  let submitted = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      while (performance.now() < deadline && next < txs.length) {
        let batch = txs.slice(next, next + perCall);
        next += batch.length;
        for (let attempt = 0; batch.length > 0 && performance.now() < deadline; attempt++) {
          const again = await send(net.clients[w % 4] as ValidatorClient, batch);
          submitted += batch.length - again.length;
          refused += again.length;
          // Back off, longer each time the same transactions are refused (5 ms, 10 ms, ... 160 ms).
          if (again.length > 0) await new Promise((r) => setTimeout(r, 5 * 2 ** Math.min(attempt, 5)));
          batch = again;
        }
      }
    }),
  );
  const blocks = await watcher;
  const committed = blocks.reduce((sum, b) => sum + b.txs, 0);
  const cpuMsPerTx = Number(((net.cpuMs() - cpuBefore) / Math.max(committed, 1)).toFixed(3));
  // From the first block seen to the last: the transactions of the blocks after the first (the first one's were committed before the span began).
  const span = blocks.length > 1 ? ((blocks[blocks.length - 1] as { at: number }).at - (blocks[0] as { at: number }).at) / 1000 : Number.NaN;
  const txPerS = blocks.length > 1 ? Math.round((committed - (blocks[0] as { txs: number }).txs) / span) : 0;
  return { txPerS, committed, blocks: blocks.length, cpuMsPerTx, submitted, refused };
}

/** Until every validator's mempool is empty (at most 30 s): the next phase starts from a clean slate. */
async function drained(net: Network): Promise<void> {
  const until = performance.now() + 30_000;
  while (performance.now() < until) {
    const sizes = await Promise.all(net.clients.map((c) => unary(c, 'Status', {}).then((s) => s.mempoolSize)));
    if (sizes.every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function loaded(files: GenesisFiles, dir: string): Promise<{ latency: number[]; single: Throughput; batched: Throughput }> {
  const net = await startNetwork(files, dir, 'load', {});
  try {
    // Commit latency: one transaction at a time, after the mesh settles (the first five are warm-up).
    await new Promise((r) => setTimeout(r, 1000));
    const latency: number[] = [];
    const signer = Identity.generate();
    // Half the run, but at least 20 measured transactions (a loaded machine is slow) within four times that.
    const began = performance.now();
    const until = began + (seconds * 1000) / 2;
    const giveUp = began + seconds * 2000;
    for (let n = 1; (performance.now() < until || latency.length < 20) && performance.now() < giveUp; n++) {
      const tx = signTx(signer, files.chainId, n, { createJob: { jobId: `lat-${n}`, initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'fedavg' }, minTrainers: 1 } });
      const t0 = performance.now();
      await unary(net.clients[n % 4] as ValidatorClient, 'BroadcastTx', { tx, wait: 'TX_WAIT_COMMIT' });
      if (n > 5) latency.push(performance.now() - t0);
    }
    // Throughput, clients sending one transaction per BroadcastTx call, 64 calls in flight.
    const single = await throughput(net, presigned(files.chainId, 'one'), 1, 64, async (client, [tx]) => {
      try {
        await unary(client, 'BroadcastTx', { tx: tx as v1.Tx });
        return [];
      } catch {
        return [tx as v1.Tx];
      }
    });
    await drained(net);
    // The same, clients sending 100 per BroadcastTxs call, 8 calls in flight.
    const batched = await throughput(net, presigned(files.chainId, 'many'), 100, 8, async (client, txs) => {
      try {
        const { admissions } = await unary(client, 'BroadcastTxs', { txs });
        return txs.filter((_, i) => admissions[i]?.code === Status.RESOURCE_EXHAUSTED);
      } catch {
        return txs; // the whole call refused (too many being checked) or failed
      }
    });
    return { latency, single, batched };
  } finally {
    await net.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-bench-'));
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const files = writeGenesis({ validators: 4, out: dir, chainId: `bench-${stamp}`.replace(/_/g, '-') });
  try {
    const empty = await emptyBlocks(files, dir);
    console.log(`empty blocks: ${empty.heights} heights in ${seconds} s, interval p50 ${empty.p50} ms, p99 ${empty.p99} ms`);
    const load = await loaded(files, dir);
    console.log(`commit latency (one tx at a time): ${load.latency.length} txs, p50 ${percentile(load.latency, 50)} ms, p99 ${percentile(load.latency, 99)} ms`);
    for (const [name, t] of [['one per call', load.single], ['100 per call', load.batched]] as const) {
      console.log(`throughput, ${name}: ${t.submitted} txs taken (${t.refused} refusals, sent again), ${t.committed} committed in ${t.blocks} blocks: ${t.txPerS} tx/s, ${t.cpuMsPerTx} CPU ms per tx`);
    }
    console.log(
      JSON.stringify({
        commit_latency_ms: { p50: percentile(load.latency, 50), p99: percentile(load.latency, 99) },
        tx_per_s: load.single.txPerS,
        // Clients submitting 100 transactions per BroadcastTxs call: the same validators, less gRPC per transaction.
        tx_per_s_batched: load.batched.txPerS,
        empty_block_latency_ms: { p50: empty.p50, p99: empty.p99 },
        empty_blocks_per_s: Math.round(empty.heights / seconds),
        // CPU of the four validators together, which load on the machine changes much less than latency.
        empty_block_cpu_ms_per_height: empty.cpuMsPerHeight,
        cpu_ms_per_committed_tx: load.single.cpuMsPerTx,
        cpu_ms_per_committed_tx_batched: load.batched.cpuMsPerTx,
        validators: 4,
        load_average: { start: loadBefore, end: loadavg().map((l) => Number(l.toFixed(2))) },
        database: database.startsWith('pglite') ? 'pglite' : 'postgres',
      }),
    );
  } finally {
    if (database.startsWith('postgres')) {
      const pool = new Pool({ connectionString: database, max: 1 });
      for (const tag of ['empty', 'load']) for (let i = 0; i < 4; i++) await pool.query(`DROP SCHEMA IF EXISTS "${schemaOf(tag, i)}" CASCADE`);
      await pool.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
