/**
 * What the aggregator shows of itself: Prometheus metrics (rounds opened,
 * closed, failed and committed; updates accepted, rejected and excluded by
 * reason; update bytes; aggregation seconds) and each round's trace. The
 * aggregator starts a round's root span when it opens the round (with the
 * round's own ids, core's startRoundSpan) and ends it at the commit; it
 * publishes the round's events and submits its RoundResult inside the round's
 * context, so trainers continue the trace from the event headers and the
 * BroadcastTx call carries it to the validator in gRPC metadata.
 */
import { StatusError } from '@learnchain/core';
import {
  BYTES_BUCKETS,
  Counter,
  Histogram,
  metricsRegistry,
  roundContext,
  SECONDS_BUCKETS,
  startRoundSpan,
  withContext,
  withSpan,
  type Registry,
  type Span,
} from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { UpdateIntake, type SubmitAnswer } from './intake';
import type { StoredResult } from './store/records';

const SERVICE = 'aggregator';

/** The aggregator's metrics, in a registry of its own. */
export class AggregatorMetrics {
  readonly registry: Registry;
  readonly roundsOpened: Counter;
  readonly roundsClosed: Counter<'closed_by'>;
  readonly roundsFailed: Counter;
  readonly roundsCommitted: Counter;
  readonly updates: Counter<'outcome' | 'reason'>;
  readonly updateBytes: Histogram;
  readonly aggregationSeconds: Histogram;
  readonly roundSeconds: Histogram;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registry = (this.registry = metricsRegistry({ service: SERVICE, ...(options.processMetrics ? { processMetrics: true } : {}) }));
    const registers = [registry];
    this.roundsOpened = new Counter({ name: 'learnchain_rounds_opened_total', help: 'Rounds opened (each attempt of a retried round counts).', registers });
    this.roundsClosed = new Counter({ name: 'learnchain_rounds_closed_total', help: 'Rounds closed for aggregation, by what closed them.', labelNames: ['closed_by'], registers });
    this.roundsFailed = new Counter({ name: 'learnchain_rounds_failed_total', help: 'Round attempts that failed (they are retried).', registers });
    this.roundsCommitted = new Counter({ name: 'learnchain_rounds_committed_total', help: 'Rounds whose RoundResult the chain committed.', registers });
    this.updates = new Counter({
      name: 'learnchain_updates_total',
      help: 'Updates by outcome: accepted or rejected at upload (reason: the error reason), excluded at aggregation (reason: the rule or lateness).',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.updateBytes = new Histogram({ name: 'learnchain_update_bytes', help: 'Bytes of each accepted update upload.', buckets: BYTES_BUCKETS, registers });
    this.aggregationSeconds = new Histogram({ name: 'learnchain_aggregation_seconds', help: "Time to aggregate a closed round's updates and store the new model.", buckets: SECONDS_BUCKETS, registers });
    this.roundSeconds = new Histogram({ name: 'learnchain_round_seconds', help: 'Time from opening a round to its commit on chain.', buckets: SECONDS_BUCKETS, registers });
  }
}

/** A short, bounded label for an exclusion reason ("late: no update by the deadline" → "late"). */
export function reasonLabel(reason: string): string {
  const head = reason.split(/[:(]/, 1)[0]?.trim().toLowerCase() ?? '';
  return head.replace(/[^a-z0-9_ -]/g, '').replace(/[ -]+/g, '_').slice(0, 48) || 'unknown';
}

interface OpenRound {
  readonly span: Span;
  readonly openedAt: bigint;
}

/**
 * The round manager's observer: it keeps each open round's root span, counts
 * the round's steps and runs the manager's effects inside the round's context.
 */
export class RoundObserver {
  private readonly open = new Map<string, OpenRound>();

  constructor(
    private readonly chainId: string,
    readonly metrics: AggregatorMetrics,
  ) {}

  private key(jobId: string, round: number): string {
    return `${jobId}/${round}`;
  }

  /** A round (attempt) opened on membership epoch `epoch`: its root span starts with the first attempt. */
  opened(jobId: string, round: number, attempt: number, participants: number, epoch: number): void {
    this.metrics.roundsOpened.inc();
    const key = this.key(jobId, round);
    const held = this.open.get(key);
    const attributes = { 'learnchain.attempt': attempt, 'learnchain.participants': participants, 'learnchain.membership_epoch': epoch };
    if (held) {
      held.span.addEvent('round opened again', attributes);
      return;
    }
    const span = startRoundSpan({ chainId: this.chainId, jobId, round }, { service: SERVICE, attributes });
    this.open.set(key, { span, openedAt: process.hrtime.bigint() });
  }

  closed(jobId: string, round: number, closedBy: string): void {
    this.metrics.roundsClosed.inc({ closed_by: closedBy });
    this.open.get(this.key(jobId, round))?.span.addEvent('round closed', { 'learnchain.closed_by': closedBy });
  }

  failed(jobId: string, round: number, reason: string): void {
    this.metrics.roundsFailed.inc();
    this.open.get(this.key(jobId, round))?.span.addEvent('round failed', { 'learnchain.reason': reason });
  }

  committed(jobId: string, round: number, height: number): void {
    this.metrics.roundsCommitted.inc();
    const key = this.key(jobId, round);
    const held = this.open.get(key);
    if (!held) return;
    this.open.delete(key);
    this.metrics.roundSeconds.observe(Number(process.hrtime.bigint() - held.openedAt) / 1e9);
    held.span.setAttribute('learnchain.height', height);
    held.span.end();
  }

  /** Runs `work` (publishing a round's event) inside the round's trace context. */
  inRound<T>(event: { readonly jobId?: string; readonly round?: number }, work: () => T): T {
    if (event.jobId === undefined || event.round === undefined) return work();
    return withContext(roundContext({ chainId: this.chainId, jobId: event.jobId, round: event.round }), work);
  }

  /** Aggregates in an 'aggregate' span of the round; times it and counts the updates it excluded, by reason. */
  async aggregate<R extends StoredResult | undefined>(jobId: string, round: number, work: () => Promise<R>): Promise<R> {
    const started = process.hrtime.bigint();
    return withSpan('aggregate', { service: SERVICE, parent: roundContext({ chainId: this.chainId, jobId, round }) }, async (span) => {
      const result = await work();
      if (!result) return result;
      this.metrics.aggregationSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      for (const e of result.excluded) this.metrics.updates.inc({ outcome: 'excluded', reason: reasonLabel(e.reason) });
      span.setAttributes({ 'learnchain.included': result.included.length, 'learnchain.excluded': result.excluded.length, 'learnchain.model': result.newModelHash });
      return result;
    });
  }

  /** Submits the RoundResult in a 'submit round result' span (the BroadcastTx call becomes its child). */
  submit<T>(jobId: string, round: number, work: () => Promise<T>): Promise<T> {
    return withSpan('submit round result', { service: SERVICE, parent: roundContext({ chainId: this.chainId, jobId, round }) }, () => work());
  }

  /** Ends the spans of rounds still open (the aggregator is stopping). */
  stop(): void {
    for (const held of this.open.values()) {
      held.span.addEvent('the aggregator stopped before the round committed');
      held.span.end();
    }
    this.open.clear();
  }
}

/** The update intake, counting uploads accepted (and their bytes) and rejected by reason. */
export class ObservedIntake extends UpdateIntake {
  constructor(
    options: ConstructorParameters<typeof UpdateIntake>[0],
    private readonly metrics: AggregatorMetrics,
  ) {
    super(options);
  }

  override async submit(messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<SubmitAnswer> {
    let bytes = 0;
    const counted = (async function* () {
      for await (const message of messages) {
        bytes += message.data?.byteLength ?? 0;
        yield message;
      }
    })();
    try {
      const answer = await super.submit(counted);
      this.metrics.updates.inc({ outcome: 'accepted', reason: answer.duplicate ? 'duplicate' : '' });
      this.metrics.updateBytes.observe(bytes);
      return answer;
    } catch (error) {
      this.metrics.updates.inc({ outcome: 'rejected', reason: error instanceof StatusError ? error.detail.reason : 'error' });
      throw error;
    }
  }
}
