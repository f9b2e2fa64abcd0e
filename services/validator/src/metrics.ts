/**
 * What a validator shows of itself: Prometheus metrics (verification time and
 * verdicts, block height, commit latency) and the spans it adds to each
 * round's trace ('verify round' before it votes, 'commit round' once the block
 * holding the RoundResult is stored). The round's trace is found from the
 * RoundResult itself (core's roundContext), so no consensus message carries
 * trace context.
 */
import { Counter, Gauge, Histogram, metricsRegistry, roundContext, SECONDS_BUCKETS, SpanStatusCode, startSpan, withSpan, type Registry } from '@learnchain/core';
import type { RoundCheck, RoundVerdict, RoundVerifier } from '@learnchain/ledger';

import type { Chain, CommittedBlock } from './chain';

const SERVICE = 'validator';

/** The validator's metrics, in a registry of its own. */
export class ValidatorMetrics {
  readonly registry: Registry;
  readonly verificationSeconds: Histogram<'verdict'>;
  readonly roundsVerified: Counter<'verdict'>;
  readonly blockHeight: Gauge;
  readonly blocksCommitted: Counter;
  readonly txsCommitted: Counter<'kind' | 'outcome'>;
  readonly commitLatencySeconds: Histogram;
  readonly blobsServed: Counter<'source'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registry = (this.registry = metricsRegistry({ service: SERVICE, ...(options.processMetrics ? { processMetrics: true } : {}) }));
    this.verificationSeconds = new Histogram({
      name: 'learnchain_verification_seconds',
      help: 'Time to verify one RoundResult before voting (re-executing the aggregate, checking the loss).',
      labelNames: ['verdict'],
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.roundsVerified = new Counter({ name: 'learnchain_rounds_verified_total', help: 'RoundResults verified, by verdict.', labelNames: ['verdict'], registers: [registry] });
    this.blockHeight = new Gauge({ name: 'learnchain_block_height', help: 'Height of the last block this validator committed.', registers: [registry] });
    this.blocksCommitted = new Counter({ name: 'learnchain_blocks_committed_total', help: 'Blocks committed and stored.', registers: [registry] });
    this.txsCommitted = new Counter({ name: 'learnchain_txs_committed_total', help: 'Transactions in committed blocks, by kind and outcome.', labelNames: ['kind', 'outcome'], registers: [registry] });
    this.commitLatencySeconds = new Histogram({
      name: 'learnchain_commit_latency_seconds',
      help: "Time from a block's proposal (its header time) until this validator stored it committed.",
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.blobsServed = new Counter({
      name: 'learnchain_verification_blobs_total',
      help: 'Blobs the round checks asked for, by where they came from: cache (kept or prefetched), in-flight (joined a fetch under way), source (fetched from the aggregator).',
      labelNames: ['source'],
      registers: [registry],
    });
  }
}

/** A RoundVerifier that times each verification and traces it under the round's trace. */
export function observedVerifier(inner: RoundVerifier, metrics: ValidatorMetrics, validator: string): RoundVerifier {
  return {
    async verify(check: RoundCheck): Promise<RoundVerdict> {
      const ref = { chainId: check.chainId, jobId: check.result.jobId, round: Number(check.result.round) };
      const started = process.hrtime.bigint();
      const attributes = { 'learnchain.validator': validator, 'learnchain.job': ref.jobId, 'learnchain.round': ref.round };
      return withSpan('verify round', { service: SERVICE, parent: roundContext(ref), attributes }, async (span) => {
        let verdict: RoundVerdict | undefined;
        try {
          verdict = await inner.verify(check);
          span.setAttribute('learnchain.verdict', verdict.valid ? 'valid' : 'invalid');
          if (!verdict.valid) span.setStatus({ code: SpanStatusCode.ERROR, message: verdict.reason });
          return verdict;
        } finally {
          const label = verdict === undefined ? 'error' : verdict.valid ? 'valid' : 'invalid';
          metrics.verificationSeconds.observe({ verdict: label }, Number(process.hrtime.bigint() - started) / 1e9);
          metrics.roundsVerified.inc({ verdict: label });
        }
      });
    },
  };
}

/** Follows committed blocks: height, latency, transaction counts, and a 'commit round' span for each RoundResult. */
export function observeCommits(chain: Chain, chainId: string, metrics: ValidatorMetrics, validator: string): () => void {
  metrics.blockHeight.set(chain.tip.height);
  return chain.onBlock((committed: CommittedBlock) => {
    const now = Date.now();
    const proposedAt = Number(committed.block.header?.timeMs ?? now);
    metrics.blockHeight.set(committed.height);
    metrics.blocksCommitted.inc();
    metrics.commitLatencySeconds.observe(Math.max(0, now - proposedAt) / 1000);
    for (const [i, tx] of committed.txs.entries()) {
      const accepted = committed.outcomes[i]?.accepted ?? false;
      metrics.txsCommitted.inc({ kind: tx.kind, outcome: accepted ? 'accepted' : 'refused' });
      if (tx.kind !== 'roundResult') continue;
      const ref = { chainId, jobId: tx.body.jobId, round: Number(tx.body.round) };
      // The span runs from the block's proposal to its stored commit on this validator.
      const span = startSpan('commit round', {
        service: SERVICE,
        parent: roundContext(ref),
        startTime: Math.min(proposedAt, now),
        attributes: { 'learnchain.validator': validator, 'learnchain.job': ref.jobId, 'learnchain.round': ref.round, 'learnchain.height': committed.height, 'learnchain.accepted': accepted },
      });
      if (!accepted) span.setStatus({ code: SpanStatusCode.ERROR, message: committed.outcomes[i]?.reason ?? 'refused' });
      span.end(now);
    }
  });
}
