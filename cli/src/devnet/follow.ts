/**
 * Follows a job's rounds on the aggregator (GetRound) until the last one
 * commits: after each commit it fetches the new model by hash, evaluates it on
 * the 2,000-digit MNIST test split and reports a progress line.
 */
import { unary } from '@learnchain/core';
import { evaluate, loadMnist, type Classifier } from '@learnchain/model';
import { parametersOf } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';

import { sleep } from '../client/sleep';
import { GrpcBlobs, type AggregatorClient } from './blobs';

/** One committed round as the devnet saw it. */
export interface RoundReport {
  readonly round: number;
  readonly participants: number;
  readonly included: number;
  readonly accuracy: number;
  readonly loss: number;
  /** The block that committed the round. */
  readonly height: number;
  readonly elapsedMs: number;
  readonly excluded: readonly { readonly nodeId: string; readonly reason: string }[];
  /** Included updates the rule did not keep whole (trimmed, down-weighted, ...), with the rule's word. */
  readonly discounted: readonly { readonly nodeId: string; readonly decision: string }[];
  /** The distinct reasons of failed attempts before the commit. */
  readonly failures: readonly string[];
  /** How many attempts failed before the commit. */
  readonly attempts: number;
}

export interface FollowOptions {
  readonly jobId: string;
  readonly rounds: number;
  readonly model: Classifier;
  readonly aggregator: AggregatorClient;
  readonly deadlineMs: number;
  readonly signal: AbortSignal;
  readonly onRound: (report: RoundReport) => void;
  /** Hears each new reason a round failed for (the aggregator retries it). */
  readonly onFailure?: (round: number, reason: string) => void;
  /** Failed attempts of one round after which the job is given up (default 6). */
  readonly maxFailures?: number;
}

/** Thrown when the job does not finish: the deadline passed or the run was interrupted. */
export class JobNotFinishedError extends Error {
  constructor(
    readonly round: number,
    readonly reason: string,
  ) {
    super(`the job stopped at round ${round}: ${reason}`);
  }
}

/** Evaluates parameters on the MNIST test split (2,000 digits). */
export async function testAccuracy(model: Classifier, parameters: Float32Array): Promise<{ accuracy: number; loss: number }> {
  return evaluate(model, parameters, loadMnist().test);
}

/** Waits for every round of the job to commit, reporting each; resolves to the reports in order. */
export async function followJob(options: FollowOptions): Promise<RoundReport[]> {
  const blobs = new GrpcBlobs(options.aggregator);
  const reports: RoundReport[] = [];
  let last = Date.now();
  for (let round = 1; round <= options.rounds; round++) {
    const failures = new Set<string>();
    let attempts = 0;
    let status: v1.RoundStatus__Output | undefined;
    for (;;) {
      if (options.signal.aborted) throw new JobNotFinishedError(round, 'interrupted');
      if (Date.now() > options.deadlineMs) throw new JobNotFinishedError(round, `timed out${failures.size > 0 ? ` (failures: ${[...failures].join('; ')})` : ''}`);
      const previous = status;
      status = await unary(options.aggregator, 'getRound', { jobId: options.jobId, round }, { deadlineMs: 5000 }).catch(() => undefined);
      if (status?.state === 'ROUND_STATE_COMMITTED' && status.result) break;
      if (status?.state === 'ROUND_STATE_FAILED' && previous?.state !== 'ROUND_STATE_FAILED') {
        attempts += 1;
        const reason = status.failure || 'no reason given';
        if (!failures.has(reason)) options.onFailure?.(round, reason);
        failures.add(reason);
        if (attempts >= (options.maxFailures ?? 6)) throw new JobNotFinishedError(round, `${attempts} attempts failed (${[...failures].join('; ')})`);
      }
      await sleep(200, options.signal);
    }
    const result = status.result as v1.RoundResult__Output;
    const parameters = await blobs.fetch(new Uint8Array(result.newModelHash));
    const { accuracy, loss } = await testAccuracy(options.model, parametersOf(parameters));
    const now = Date.now();
    const report: RoundReport = {
      round,
      participants: status.participants.length,
      included: result.included.length,
      accuracy,
      loss,
      height: Number(status.committedHeight),
      elapsedMs: now - last,
      excluded: result.excluded.map((e) => ({ nodeId: e.nodeId, reason: e.reason })),
      discounted: result.included.filter((u) => u.decision !== '' && u.decision !== 'selected' && u.decision !== 'kept').map((u) => ({ nodeId: u.nodeId, decision: u.decision })),
      failures: [...failures],
      attempts,
    };
    last = now;
    reports.push(report);
    options.onRound(report);
  }
  return reports;
}

/** A short node id for display. */
export function shortId(nodeId: string): string {
  return nodeId.length > 10 ? nodeId.slice(0, 10) : nodeId;
}

