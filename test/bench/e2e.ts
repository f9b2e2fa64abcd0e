// `npm run bench -- e2e [--rounds N] [--max-rounds N] [--validators N] [--skip overhead,accuracy,encodings] [--processes]`: the
// devnet end to end (validators, registry, aggregator and trainers in this process over loopback gRPC, embedded databases;
// with --processes each service its own process over the PostgreSQL and NATS of DATABASE_URL and NATS_URL), three figures:
//   1. round overhead — a round's period (its opening to the next round's) less its slowest trainer's training, as a
//      share of the period — with 4 and with 8 trainers (target ≤ 10%), split from the chain exactly as `learnchain
//      report` splits it; beside it, the same 4-trainer job with rounds not pipelined (each opened once the previous
//      one committed) as the baseline (`overhead_fraction_serial`, skipped with --skip serial);
//   2. rounds and wall time until the `mlp` model reaches 97% on the 2,000-digit MNIST test split, 10 trainers,
//      Dirichlet α = 0.5 (the devnet's other defaults), at most --max-rounds rounds;
//   3. bytes per update and final accuracy with float32, float16 and int8 updates (target: int8 ≥ 3.5x fewer bytes
//      than float32, within 0.5 points of its accuracy), three jobs run one after another on one 4-trainer mesh.
// Beside each overhead, how busy the process's one event loop was while the job ran (`event_loop_busy`): every
// service of the devnet shares it, so near 1 it is that loop, not the round's protocol, that sets the pace.
// BENCH_CPU_PROF_DIR: a V8 CPU profile of this process while each job runs is written there (one process only).
// BENCH_LOG_LEVEL (default error): the services' log level (at debug, each validator's height timings), to stdout.
// Prints figures as it goes, then one JSON line. Never fails on a figure.
import { cpus, loadavg } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

import { ValidatorApi } from '../../cli/src/client/services';
import { aggregatorClient } from '../../cli/src/devnet/blobs';
import { followJob, JobNotFinishedError, type RoundReport } from '../../cli/src/devnet/follow';
import { submitJob } from '../../cli/src/devnet/job';
import { startMesh, type Mesh } from '../../cli/src/devnet/mesh';
import { parseDevnetOptions, type DevnetOptions } from '../../cli/src/devnet/options';
import { readJobFromChain } from '../../cli/src/report/chain';
import type { JobRecordOnChain } from '../../cli/src/report/record';
import { bytesRows, overheadFraction, PHASES, phaseRows, roundTimes, type RoundTime } from '../../cli/src/report/rows';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
const ROUNDS = arg('rounds', 6);
const MAX_ROUNDS = arg('max-rounds', 30);
const VALIDATORS = arg('validators', 4);
const skipAt = process.argv.indexOf('--skip');
const SKIP = new Set(skipAt > 0 ? (process.argv[skipAt + 1] ?? '').split(',') : []);
// Every service its own process, over the PostgreSQL and NATS of DATABASE_URL and NATS_URL (as deployed).
const PROCESSES = process.argv.includes('--processes');
if (PROCESSES && !(process.env.DATABASE_URL && process.env.NATS_URL)) throw new Error('--processes needs DATABASE_URL and NATS_URL');
const TARGET = 0.97;
const ENCODINGS = ['float32', 'float16', 'int8'] as const;

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const round3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

function devnet(flags: Record<string, string | number>): DevnetOptions {
  // A job gives up after four minutes a round on average: a stalled chain ends the section, not the benchmark.
  const timeout = Math.max(600, Number(flags.rounds ?? ROUNDS) * 240);
  const topology = PROCESSES ? { processes: 'true', database: process.env.DATABASE_URL as string, nats: process.env.NATS_URL as string } : {};
  return parseDevnetOptions(new Map(Object.entries({ 'log-level': process.env.BENCH_LOG_LEVEL ?? 'error', timeout, validators: VALIDATORS, ...topology, ...flags }).map(([k, v]) => [k, String(v)])));
}

interface JobRun {
  readonly jobId: string;
  readonly reports: readonly RoundReport[];
  /** From the job's commit to each round's commit, as the follower saw it (ms). */
  readonly elapsedMs: readonly number[];
  readonly record: JobRecordOnChain;
  /** How busy this process's event loop (every service's, in the devnet) was while the job ran, 0 to 1; null with --processes. */
  readonly eventLoopBusy: number | null;
}

/** Profiles this process's CPU while `work` runs, when BENCH_CPU_PROF_DIR names a folder. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir || PROCESSES) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/** Submits one job on a running mesh and follows it; `stop` ends it early after a round. */
async function runJob(mesh: Mesh, options: DevnetOptions, stop: (report: RoundReport) => boolean = () => false): Promise<JobRun> {
  const aggregator = aggregatorClient(mesh.aggregator.address);
  const validator = mesh.validators[0]?.address as string;
  const abort = new AbortController();
  const reports: RoundReport[] = [];
  const elapsedMs: number[] = [];
  const loop = performance.eventLoopUtilization();
  try {
    const job = await submitJob(options, mesh.chainId, aggregator, validator);
    const started = Date.now();
    say(`  job ${job.jobId} (${options.encoding}, ${options.trainers} trainers) committed at height ${job.height}`);
    try {
      await profiled(`job-${options.trainers}-${options.encoding}-${job.jobId}`, () => followJob({
        jobId: job.jobId,
        rounds: options.rounds,
        model: job.model,
        aggregator,
        deadlineMs: Date.now() + options.timeoutMs,
        signal: abort.signal,
        onRound: (report) => {
          reports.push(report);
          elapsedMs.push(Date.now() - started);
          say(`    round ${report.round}: accuracy ${(report.accuracy * 100).toFixed(2)}%, ${report.included}/${report.participants} included, ${(report.elapsedMs / 1000).toFixed(1)} s`);
          if (stop(report)) abort.abort();
        },
        onFailure: (round, reason) => say(`    round ${round} failed: ${reason}`),
      }));
    } catch (error) {
      if (!(error instanceof JobNotFinishedError && abort.signal.aborted)) throw error;
    }
    const api = new ValidatorApi(validator);
    try {
      const eventLoopBusy = PROCESSES ? null : round3(performance.eventLoopUtilization(loop).utilization);
      return { jobId: job.jobId, reports, elapsedMs, record: await readJobFromChain(api, job.jobId), eventLoopBusy };
    } finally {
      api.close();
    }
  } finally {
    aggregator.close();
  }
}

async function withMesh<T>(options: DevnetOptions, work: (mesh: Mesh) => Promise<T>): Promise<T> {
  const started = Date.now();
  const mesh = await startMesh(options);
  say(`  mesh of ${options.trainers} trainers and ${options.validators} validators ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    return await work(mesh);
  } finally {
    await mesh.stop();
    rmSync(mesh.dir, { recursive: true, force: true });
  }
}

/** Rounds whose split is exact: the first (warm-up: sessions, caches) and the last (no next opening bounds its commit) are left out. */
function steadyRounds(times: readonly RoundTime[]): RoundTime[] {
  const last = Math.max(...times.map((t) => t.round));
  const steady = times.filter((t) => t.round > 1 && t.round < last);
  return steady.length > 0 ? steady : times.filter((t) => t.round < last);
}

/** Mean seconds per phase over the rounds given. */
function meanPhases(times: readonly RoundTime[]): Record<string, number> {
  const rows = phaseRows(times);
  return Object.fromEntries(PHASES.map((p) => [p, round3(rows.filter((r) => r.phase === p).reduce((s, r) => s + r.seconds, 0) / Math.max(1, times.length)) ?? 0]));
}

function overheadOf(run: JobRun): { fraction: number | null; rounds: number; period_s: number | null; wall_s: number | null; training_s: number | null; phases_s: Record<string, number>; event_loop_busy: number | null } {
  const steady = steadyRounds(roundTimes(run.record));
  const mean = (xs: (number | null)[]): number | null => {
    const known = xs.filter((x): x is number => x !== null);
    return known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length / 1000 : null;
  };
  return {
    fraction: round3(overheadFraction(steady)),
    rounds: steady.length,
    period_s: round3(mean(steady.map((t) => t.periodMs))),
    wall_s: round3(mean(steady.map((t) => t.wallMs))),
    training_s: round3(mean(steady.map((t) => t.trainingMs))),
    phases_s: meanPhases(steady),
    // Near 1: the services' shared event loop, not the round's protocol, sets the pace.
    event_loop_busy: run.eventLoopBusy,
  };
}

function bytesPerUpdate(run: JobRun): number | null {
  const rows = bytesRows(run.record).filter((r) => r.updates > 0);
  return rows.length > 0 ? Math.round(rows.reduce((s, r) => s + r.bytesPerUpdate, 0) / rows.length) : null;
}

async function main(): Promise<void> {
  const began = Date.now();
  say(`e2e benchmark: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const result: Record<string, unknown> = { validators: VALIDATORS, rounds_per_job: ROUNDS, max_rounds_to_97: MAX_ROUNDS, topology: PROCESSES ? 'processes' : 'one process' };

  const errors: Record<string, string> = {};
  const section = async (name: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      errors[name] = error instanceof Error ? error.message : String(error);
      say(`  ${name} failed: ${errors[name]}`);
    }
  };

  // 1 and 3: one 4-trainer mesh runs the float32, float16 and int8 jobs; the float32 job also gives the 4-trainer overhead.
  const encodings: Partial<Record<(typeof ENCODINGS)[number], JobRun>> = {};
  if (!SKIP.has('encodings') || !SKIP.has('overhead')) {
    say(`\n4 trainers: ${SKIP.has('encodings') ? 'float32' : ENCODINGS.join(', ')} jobs of ${ROUNDS} rounds`);
    const options = devnet({ trainers: 4, rounds: ROUNDS });
    await section('trainers_4', () =>
      withMesh(options, async (mesh) => {
        for (const encoding of SKIP.has('encodings') ? (['float32'] as const) : ENCODINGS) encodings[encoding] = await runJob(mesh, { ...options, encoding });
      }),
    );
  }
  let overhead8: ReturnType<typeof overheadOf> | undefined;
  if (!SKIP.has('overhead')) {
    say(`\n8 trainers: a float32 job of ${ROUNDS} rounds`);
    const options = devnet({ trainers: 8, rounds: ROUNDS });
    await section('trainers_8', async () => {
      overhead8 = overheadOf(await withMesh(options, (mesh) => runJob(mesh, options)));
    });
    const overhead4 = encodings.float32 ? overheadOf(encodings.float32) : undefined;
    result.overhead_fraction = { trainers_4: overhead4?.fraction ?? null, trainers_8: overhead8?.fraction ?? null };
    result.overhead_detail = { trainers_4: overhead4 ?? null, trainers_8: overhead8 ?? null };
    result.overhead_target_met = [overhead4?.fraction, overhead8?.fraction].every((f) => f !== null && f !== undefined && f <= 0.1);
  }
  if (!SKIP.has('overhead') && !SKIP.has('serial')) {
    say(`\n4 trainers, rounds not pipelined (the baseline): a float32 job of ${ROUNDS} rounds`);
    const options = devnet({ trainers: 4, rounds: ROUNDS, pipeline: 'false' });
    let serial: ReturnType<typeof overheadOf> | undefined;
    await section('serial_4', async () => {
      serial = overheadOf(await withMesh(options, (mesh) => runJob(mesh, options)));
    });
    result.overhead_fraction_serial = { trainers_4: serial?.fraction ?? null };
    result.overhead_detail_serial = { trainers_4: serial ?? null };
  }

  if (!SKIP.has('accuracy')) {
    say(`\n10 trainers, Dirichlet α = 0.5: mlp until ${TARGET * 100}% test accuracy (at most ${MAX_ROUNDS} rounds)`);
    const options = devnet({ trainers: 10, rounds: MAX_ROUNDS, alpha: 0.5, model: 'mlp' });
    let run: JobRun | undefined;
    await section('accuracy', async () => {
      run = await withMesh(options, (mesh) => runJob(mesh, options, (r) => r.accuracy >= TARGET));
    });
    if (run) {
      const at = run.reports.findIndex((r) => r.accuracy >= TARGET);
      result.rounds_to_97 = at >= 0 ? (run.reports[at]?.round ?? null) : null;
      result.seconds_to_97 = at >= 0 ? round3((run.elapsedMs[at] ?? 0) / 1000) : null;
      result.accuracy_curve_10_trainers = run.reports.map((r) => round3(r.accuracy));
      result.best_accuracy_10_trainers = round3(Math.max(0, ...run.reports.map((r) => r.accuracy)));
      result.rounds_run_10_trainers = run.reports.length;
      result.seconds_run_10_trainers = round3((run.elapsedMs[run.elapsedMs.length - 1] ?? 0) / 1000);
    } else Object.assign(result, { rounds_to_97: null, seconds_to_97: null });
  }

  if (!SKIP.has('encodings')) {
    const bytes = Object.fromEntries(ENCODINGS.map((e) => [e, encodings[e] ? bytesPerUpdate(encodings[e]) : null]));
    const accuracy = Object.fromEntries(ENCODINGS.map((e) => [e, round3(encodings[e]?.reports.at(-1)?.accuracy ?? null)]));
    result.bytes_per_update = bytes;
    result.accuracy = accuracy;
    const f32 = bytes.float32;
    const i8 = bytes.int8;
    result.int8_bytes_ratio = f32 && i8 ? round3(f32 / i8) : null;
    result.float16_bytes_ratio = f32 && bytes.float16 ? round3(f32 / bytes.float16) : null;
    const drop = accuracy.float32 !== null && accuracy.int8 !== null ? round3(((accuracy.float32 as number) - (accuracy.int8 as number)) * 100) : null;
    result.int8_accuracy_drop_pt = drop;
    result.int8_target_met = result.int8_bytes_ratio !== null && (result.int8_bytes_ratio as number) >= 3.5 && drop !== null && drop <= 0.5;
  }
  if (Object.keys(errors).length > 0) result.errors = errors;
  result.total_s = round3((Date.now() - began) / 1000);
  result.cpus = cpus().length;
  result.load_average_end = loadavg().map((x) => Math.round(x * 10) / 10);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`e2e benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
