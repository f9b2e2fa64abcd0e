/**
 * `npm run bench -- consensus [seconds]`: four validator processes on loopback.
 *
 * - empty blocks: validators that never wait for transactions (empty block
 *   interval 0): the time between consecutive commits seen by a WatchBlocks client;
 * - commit latency: one transaction at a time, BroadcastTx(wait = commit) to the
 *   next validator in turn, default timeouts;
 * - throughput: pre-signed small transactions (CreateJob) from many signers, sent
 *   to all four validators with a bounded number in flight; committed
 *   transactions per second from the blocks.
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

import { createClient, Identity, serverStream, unary } from '@learnchain/core';
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

async function loaded(files: GenesisFiles, dir: string): Promise<{ latency: number[]; txPerS: number; committed: number; blocks: number; cpuMsPerTx: number; submitted: number; refused: number }> {
  const net = await startNetwork(files, dir, 'load', {});
  try {
    // Commit latency: one transaction at a time, after the mesh settles (the first five are warm-up).
    await new Promise((r) => setTimeout(r, 1000));
    const latency: number[] = [];
    const single = Identity.generate();
    // Half the run, but at least 20 measured transactions (a loaded machine is slow) within four times that.
    const began = performance.now();
    const until = began + (seconds * 1000) / 2;
    const giveUp = began + seconds * 2000;
    for (let n = 1; (performance.now() < until || latency.length < 20) && performance.now() < giveUp; n++) {
      const tx = signTx(single, files.chainId, n, { createJob: { jobId: `lat-${n}`, initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'fedavg' }, minTrainers: 1 } });
      const t0 = performance.now();
      await unary(net.clients[n % 4] as ValidatorClient, 'BroadcastTx', { tx, wait: 'TX_WAIT_COMMIT' });
      if (n > 5) latency.push(performance.now() - t0);
    }
    // Throughput: pre-signed small transactions from many signers, 4 validators, bounded in flight.
    const signers = Array.from({ length: 32 }, () => Identity.generate());
    // Enough for 5,000 tx/s over the run (signing them costs the machine time before the run).
    const perSigner = Math.ceil(Math.min(60_000, seconds * 5_000) / signers.length);
    const total = perSigner * signers.length;
    const txs: v1.Tx[] = [];
    // Signers take turns (a block can hold many signers' transactions; one signer's must follow its nonces).
    for (let n = 0; n < total; n++) {
      const s = n % signers.length;
      const nonce = Math.floor(n / signers.length) + 1;
      txs.push(signTx(signers[s] as Identity, files.chainId, nonce, { createJob: { jobId: `t-${s}-${nonce}`, initialParametersHash: Buffer.alloc(32, 2), rule: { name: 'fedavg' }, minTrainers: 1 } }));
    }
    const cpuBefore = net.cpuMs();
    const watcher = watchBlocks(net.clients[0] as ValidatorClient, seconds * 1000);
    const deadline = performance.now() + seconds * 1000;
    let next = 0;
    let submitted = 0;
    let refused = 0;
    const inFlight = 64;
    await Promise.all(
      Array.from({ length: inFlight }, async (_, w) => {
        while (performance.now() < deadline && next < total) {
          const tx = txs[next++] as v1.Tx;
          // A refused transaction (mempool full) is sent again: one lost would leave its signer's later nonces waiting forever.
          while (performance.now() < deadline) {
            try {
              await unary(net.clients[w % 4] as ValidatorClient, 'BroadcastTx', { tx });
              submitted += 1;
              break;
            } catch {
              refused += 1;
              await new Promise((r) => setTimeout(r, 5)); // back off
            }
          }
        }
      }),
    );
    const blocks = await watcher;
    const committed = blocks.reduce((sum, b) => sum + b.txs, 0);
    const cpuMsPerTx = Number(((net.cpuMs() - cpuBefore) / Math.max(committed, 1)).toFixed(3));
    const span = blocks.length > 1 ? ((blocks[blocks.length - 1] as { at: number }).at - (blocks[0] as { at: number }).at) / 1000 : seconds;
    return { latency, txPerS: Math.round(committed / Math.max(span, 0.001)), committed, blocks: blocks.length, cpuMsPerTx, submitted, refused };
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
    console.log(`throughput: ${load.submitted} txs taken (${load.refused} refusals, sent again), ${load.committed} committed in ${load.blocks} blocks: ${load.txPerS} tx/s`);
    console.log(
      JSON.stringify({
        commit_latency_ms: { p50: percentile(load.latency, 50), p99: percentile(load.latency, 99) },
        tx_per_s: load.txPerS,
        empty_block_latency_ms: { p50: empty.p50, p99: empty.p99 },
        empty_blocks_per_s: Math.round(empty.heights / seconds),
        // CPU of the four validators together, which load on the machine changes much less than latency.
        empty_block_cpu_ms_per_height: empty.cpuMsPerHeight,
        cpu_ms_per_committed_tx: load.cpuMsPerTx,
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
