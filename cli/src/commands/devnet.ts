/**
 * `learnchain devnet`: the whole mesh in one process — validators, a registry,
 * an aggregator and trainers over real gRPC on loopback, embedded databases
 * and an in-process event transport — running the default MNIST job to the
 * end, with a progress line per round and a summary, the chain verified from
 * genesis by the light client.
 */
import { join } from 'node:path';

import { startTelemetry } from '@learnchain/core';
import { verifyChain } from '@learnchain/ledger';

import { parseArgs, type Command, type Output } from '../command';
import { aggregatorClient } from '../devnet/blobs';
import { followJob, JobNotFinishedError, testAccuracy, type RoundReport } from '../devnet/follow';
import { submitJob } from '../devnet/job';
import { startMesh, type Mesh } from '../devnet/mesh';
import { DEVNET_USAGE, parseDevnetOptions, type DevnetOptions } from '../devnet/options';
import { excludedOf, progressLine, summaryLines, type DevnetSummary } from '../devnet/report';
import { writeReport } from '../report';
import { grpcChainSource } from './chain-verify';

async function run(options: DevnetOptions, out: Output, signal: AbortSignal, onMesh: (mesh: Mesh) => void): Promise<DevnetSummary> {
  const say = options.json ? (line: string) => out.error(line) : (line: string) => out.info(line);
  const started = Date.now();
  say(`learnchain devnet: ${options.validators} validators, a registry, an aggregator, ${options.trainers} trainers${options.byzantine > 0 ? ` (${options.byzantine} running ${options.attack})` : ''}; rule ${options.rule}, model ${options.model}, ${options.rounds} rounds`);
  // An interrupt during start stops at the next step (startMesh stops what has started).
  const mesh = await startMesh(options, (step) => {
    if (signal.aborted) throw new JobNotFinishedError(0, 'interrupted while starting');
    say(`  ${step}...`);
  });
  onMesh(mesh);
  if (signal.aborted) throw new JobNotFinishedError(0, 'interrupted');
  const aggregator = aggregatorClient(mesh.aggregator.address);
  try {
    const validator = mesh.validators[0]?.address as string;
    say(`  genesis and keys in ${mesh.dir}; chain ${mesh.chainId}`);
    say(`  validators ${mesh.validators.map((v) => v.address).join(' ')}; registry ${mesh.registry.address}; aggregator ${mesh.aggregator.address}`);
    const job = await submitJob(options, mesh.chainId, aggregator, validator);
    const startMs = Date.now() - started;
    const initial = await testAccuracy(job.model, job.model.initialParams);
    say(`ready in ${(startMs / 1000).toFixed(1)} s: job ${job.jobId} committed at height ${job.height}; initial accuracy ${(initial.accuracy * 100).toFixed(1)}%`);
    const reports: RoundReport[] = await followJob({
      jobId: job.jobId,
      rounds: options.rounds,
      model: job.model,
      aggregator,
      deadlineMs: started + options.timeoutMs,
      signal,
      onRound: (report) => say(progressLine(report, options.rounds)),
      onFailure: (round, reason) => say(`round ${round} failed: ${reason} (the aggregator retries it)`),
    });
    const source = grpcChainSource(validator);
    let verdict;
    try {
      verdict = await verifyChain(mesh.genesis, source);
    } finally {
      source.close();
    }
    const final = reports[reports.length - 1];
    // The training report, read back from the chain and the models it names, while the mesh still serves them.
    const report = await writeReport({ jobId: job.jobId, validator, aggregator: mesh.aggregator.address, out: join(mesh.dir, 'report') }).then(
      (written) => ({ html: written.html, problem: '' }),
      (error: unknown) => ({ html: '', problem: error instanceof Error ? error.message : String(error) }),
    );
    return {
      job: job.jobId,
      chainId: mesh.chainId,
      accuracy: final?.accuracy ?? initial.accuracy,
      loss: final?.loss ?? initial.loss,
      initialAccuracy: initial.accuracy,
      rounds: reports.length,
      height: verdict.height,
      excluded: excludedOf(reports),
      chainVerified: verdict.ok,
      chainProblem: verdict.ok ? '' : `at height ${verdict.height}: ${verdict.reason}`,
      startMs,
      totalMs: Date.now() - started,
      options,
      report,
    };
  } finally {
    aggregator.close();
  }
}

export const devnetCommand: Command = {
  path: ['devnet'],
  summary: 'run the whole mesh in this process and train the default MNIST job',
  usage: DEVNET_USAGE,
  async run(args: readonly string[], out: Output): Promise<number> {
    const options = parseDevnetOptions(parseArgs(args).flags);
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, the services in this process export their spans (one trace per round).
    const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const telemetry = endpoint ? startTelemetry({ serviceName: 'learnchain-devnet', endpoint }) : undefined;
    const abort = new AbortController();
    let mesh: Mesh | undefined;
    let interrupted = false;
    const onSignal = (): void => {
      if (interrupted) return;
      interrupted = true;
      out.error('\ninterrupted: stopping trainers, aggregator, registry, validators...');
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await run(options, out, abort.signal, (m) => {
        mesh = m;
        if (interrupted) abort.abort();
      });
      await mesh?.stop();
      for (const line of summaryLines(summary)) (options.json ? out.error : out.info)(line);
      if (options.json) out.info(JSON.stringify(toJson(summary)));
      if (!summary.chainVerified) return 1;
      if (options.target !== undefined && summary.accuracy < options.target) {
        out.error(`learnchain devnet: accuracy ${(summary.accuracy * 100).toFixed(2)}% is below the target ${(options.target * 100).toFixed(2)}%`);
        return 1;
      }
      return 0;
    } catch (error) {
      await mesh?.stop();
      if (interrupted) {
        out.error('stopped.');
        return 130;
      }
      const message = error instanceof JobNotFinishedError ? error.message : `the devnet failed: ${error instanceof Error ? error.message : String(error)}`;
      out.error(`learnchain devnet: ${message}`);
      if (options.json) out.info(JSON.stringify({ ok: false, error: message }));
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await telemetry?.shutdown().catch(() => undefined);
    }
  },
};

function toJson(s: DevnetSummary): Record<string, unknown> {
  return {
    ok: s.chainVerified,
    accuracy: s.accuracy,
    loss: s.loss,
    initial_accuracy: s.initialAccuracy,
    rounds: s.rounds,
    height: s.height,
    excluded: s.excluded.length,
    excluded_updates: s.excluded,
    chain_verified: s.chainVerified,
    chain_problem: s.chainProblem,
    start_s: s.startMs / 1000,
    total_s: s.totalMs / 1000,
    job: s.job,
    chain_id: s.chainId,
    trainers: s.options.trainers,
    byzantine: s.options.byzantine,
    attack: s.options.attack,
    rule: s.options.rule,
    model: s.options.model,
    report: s.report?.html || null,
    report_problem: s.report?.problem ?? '',
  };
}
