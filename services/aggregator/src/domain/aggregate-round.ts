/**
 * What closing a round computes, with no I/O of its own: decode each update
 * (a delta from the base model), aggregate the DECODED deltas with the job's
 * rule through a RuleRunner (validators decode and aggregate the same values),
 * add the aggregate to the base parameters (float32), and sort every update
 * into included (with the rule's decision and score) or excluded (with a reason).
 */
import { AggregationError, inlineRunner, type AggregationResult, type RuleRunner, type Update } from '@learnchain/aggregation';
import { toHex } from '@learnchain/core';
import { decodeUpdate, type ParameterLayout, type UpdateEncoding } from '@learnchain/model/encoding';

import type { StoredResult, UpdateRecord } from '../store/records';
import { ruleOf, type JobSpec } from './job';
import type { Straggler } from './round-policy';

export interface ReceivedUpdate {
  readonly record: UpdateRecord;
  readonly bytes: Uint8Array;
}

export type ClosingOutcome =
  | { readonly kind: 'aggregated'; readonly parameters: Float32Array; readonly result: Omit<StoredResult, 'newModelHash' | 'aggregationMicros'> }
  | { readonly kind: 'failed'; readonly reason: string };

type Included = StoredResult['included'][number];
type Excluded = StoredResult['excluded'][number];

/** Aggregates a closed round's updates onto `base`. */
export async function aggregateRound(
  job: JobSpec,
  base: Float32Array,
  layout: ParameterLayout,
  updates: readonly ReceivedUpdate[],
  stragglers: readonly Straggler[],
  runner: RuleRunner = inlineRunner,
): Promise<ClosingOutcome> {
  const rule = ruleOf(job.rule);
  const allocate = runner.allocate(rule, updates.length, base.length);
  const excluded: Excluded[] = stragglers.map((s) => ({ nodeId: s.nodeId, updateHash: '', reason: s.reason }));
  const decoded: { record: UpdateRecord; values: Float32Array }[] = [];
  let updateBytes = 0;
  for (const { record, bytes } of updates) {
    updateBytes += bytes.byteLength;
    try {
      decoded.push({ record, values: decodeUpdate(bytes, layout, record.encoding as UpdateEncoding, allocate?.()) });
    } catch (error) {
      excluded.push({ nodeId: record.nodeId, updateHash: record.updateHash, reason: `malformed: ${(error as Error).message}` });
    }
  }
  if (decoded.length === 0) return { kind: 'failed', reason: 'no decodable update to aggregate' };
  const inputs: Update[] = decoded.map((u) => ({ id: u.record.updateHash, values: u.values, weight: u.record.numSamples }));
  let outcome: AggregationResult;
  try {
    outcome = await runner.run(rule, inputs, base.length);
  } catch (error) {
    if (error instanceof AggregationError) return { kind: 'failed', reason: `aggregation refused: ${error.message}` };
    throw error;
  }
  const byId = new Map(decoded.map((u) => [u.record.updateHash, u.record]));
  const included: Included[] = [];
  for (const decision of outcome.decisions) {
    const record = byId.get(decision.id);
    if (!record) continue;
    if (decision.status === 'rejected') {
      excluded.push({ nodeId: record.nodeId, updateHash: record.updateHash, reason: `rejected: ${decision.reason}` });
      continue;
    }
    included.push({
      nodeId: record.nodeId,
      updateHash: record.updateHash,
      numSamples: record.numSamples,
      encoding: record.encoding,
      publicKey: toHex(record.publicKey),
      signature: toHex(record.signature),
      decision: decision.status,
      score: decision.score !== null && Number.isFinite(decision.score) ? decision.score : 0,
      trainMicros: record.trainMicros,
      receivedAtMs: record.receivedAtMs,
      size: record.size,
    });
  }
  if (included.length < job.minTrainers) return { kind: 'failed', reason: `only ${included.length} usable updates, the job needs ${job.minTrainers}` };
  const parameters = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) parameters[i] = (base[i] ?? 0) + (outcome.aggregate[i] ?? 0);
  excluded.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  return { kind: 'aggregated', parameters, result: { included, excluded, updateBytes } };
}
