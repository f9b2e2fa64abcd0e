/**
 * What a trainer shows of itself: Prometheus metrics (rounds by outcome,
 * training, upload and model-fetch seconds, update bytes) and its spans in
 * each round's trace. The node handles a round.opened event inside the trace
 * context its headers carry, and the ports below wrap the model fetch, the
 * local training and the upload in spans of that trace (the upload's gRPC
 * call carries it on to the aggregator in metadata).
 */
import { BYTES_BUCKETS, Counter, Histogram, metricsRegistry, SECONDS_BUCKETS, withSpan, type Registry } from '@learnchain/core';

import type { TrainingJob } from './job';
import type { LocalResult, LocalTrainer, ModelSource, SignedUpdate, SubmitReceipt, UpdateSink } from './ports';
import type { RoundOutcome } from './round';

const SERVICE = 'trainer';

/** The trainer's metrics, in a registry of its own. */
export class TrainerMetrics {
  readonly registry: Registry;
  readonly rounds: Counter<'outcome'>;
  readonly trainingSeconds: Histogram;
  readonly uploadSeconds: Histogram;
  readonly fetchSeconds: Histogram;
  readonly updateBytes: Histogram;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registry = (this.registry = metricsRegistry({ service: SERVICE, ...(options.processMetrics ? { processMetrics: true } : {}) }));
    const registers = [registry];
    this.rounds = new Counter({ name: 'learnchain_trainer_rounds_total', help: 'round.opened events handled, by outcome (submitted, skipped, failed).', labelNames: ['outcome'], registers });
    this.trainingSeconds = new Histogram({ name: 'learnchain_training_seconds', help: 'Local training time of one round.', buckets: SECONDS_BUCKETS, registers });
    this.uploadSeconds = new Histogram({ name: 'learnchain_upload_seconds', help: 'Time to stream one update to the aggregator.', buckets: SECONDS_BUCKETS, registers });
    this.fetchSeconds = new Histogram({ name: 'learnchain_model_fetch_seconds', help: 'Time to fetch and verify a base model.', buckets: SECONDS_BUCKETS, registers });
    this.updateBytes = new Histogram({ name: 'learnchain_update_bytes', help: 'Bytes of each update uploaded.', buckets: BYTES_BUCKETS, registers });
  }

  /** Counts a round's outcome (the node's onOutcome). */
  outcome(outcome: RoundOutcome): void {
    this.rounds.inc({ outcome: outcome.kind });
  }
}

async function timed<T>(histogram: Histogram, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    histogram.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** The local trainer, each training in a 'train' span. */
export function observedTrainer(inner: LocalTrainer, metrics: TrainerMetrics, nodeId: () => string | undefined): LocalTrainer {
  return {
    manifest: (model) => inner.manifest(model),
    train: (job: TrainingJob, base: Float32Array, signal?: AbortSignal): Promise<LocalResult> =>
      withSpan('train', { service: SERVICE, attributes: { 'learnchain.node': nodeId() ?? '', 'learnchain.model': job.model } }, async (span) => {
        const result = await timed(metrics.trainingSeconds, () => inner.train(job, base, signal));
        span.setAttributes({ 'learnchain.samples': result.numSamples, 'learnchain.loss': result.loss });
        return result;
      }),
  };
}

/** The update sink, each upload in an 'upload' span. */
export function observedUpdates(inner: UpdateSink, metrics: TrainerMetrics, nodeId: () => string | undefined): UpdateSink {
  return {
    submit: (update: SignedUpdate, signal?: AbortSignal): Promise<SubmitReceipt> =>
      withSpan('upload', { service: SERVICE, attributes: { 'learnchain.node': nodeId() ?? '', 'learnchain.bytes': update.bytes.byteLength } }, async () => {
        const receipt = await timed(metrics.uploadSeconds, () => inner.submit(update, signal));
        metrics.updateBytes.observe(update.bytes.byteLength);
        return receipt;
      }),
  };
}

/** The model source, each fetch in a 'fetch base model' span. */
export function observedModels(inner: ModelSource, metrics: TrainerMetrics, nodeId: () => string | undefined): ModelSource {
  return {
    fetch: (hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> =>
      withSpan('fetch base model', { service: SERVICE, attributes: { 'learnchain.node': nodeId() ?? '' } }, () => timed(metrics.fetchSeconds, () => inner.fetch(hash, signal))),
  };
}
