/**
 * The aggregator's transaction: a RoundResult, signed (domain 'tx') over the
 * canonical statement {chainId, nonce, body: {roundResult}} exactly as the
 * ledger builds and checks it (its signTx / decodeTx).
 */
import { fromHex, type Identity } from '@learnchain/core';
import { signTx } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import type { RuleSpec } from './domain/job';
import type { StoredResult } from './store/records';

/** Everything a RoundResult says, as plain data (hashes hex). */
export interface RoundResultData {
  readonly jobId: string;
  readonly round: number;
  readonly baseModelHash: string;
  readonly membershipEpoch: number;
  readonly rule: RuleSpec;
  readonly result: StoredResult;
  /** When the aggregator learnt that the base model's round was committed (0 for round 1). */
  readonly baseCommittedAtMs?: number;
}

const DTYPES: Record<string, v1.DType> = { float32: 'DTYPE_FLOAT32', float16: 'DTYPE_FLOAT16', int8: 'DTYPE_INT8' };

function bytes(hex: string): Buffer {
  return Buffer.from(fromHex(hex) ?? new Uint8Array());
}

/** The RoundResult message. */
export function roundResultMessage(data: RoundResultData): v1.RoundResult {
  const { result } = data;
  return {
    jobId: data.jobId,
    round: data.round,
    baseModelHash: bytes(data.baseModelHash),
    newModelHash: bytes(result.newModelHash),
    membershipEpoch: data.membershipEpoch,
    rule: { name: data.rule.name, params: { ...data.rule.params }, byzantineBudget: data.rule.byzantineBudget, normBound: data.rule.normBound },
    included: result.included.map((u) => ({
      nodeId: u.nodeId,
      updateHash: bytes(u.updateHash),
      numSamples: u.numSamples,
      encoding: DTYPES[u.encoding] ?? 'DTYPE_UNSPECIFIED',
      signature: { publicKey: bytes(u.publicKey), signature: bytes(u.signature) },
      decision: u.decision,
      score: u.score,
      trainMicros: u.trainMicros ?? 0,
      receivedAtMs: u.receivedAtMs ?? 0,
      size: u.size ?? 0,
    })),
    excluded: result.excluded.map((e) => ({ nodeId: e.nodeId, updateHash: bytes(e.updateHash), reason: e.reason })),
    metrics: { aggregationMicros: result.aggregationMicros, updateBytes: result.updateBytes, openedAtMs: result.openedAtMs ?? 0, closedAtMs: result.closedAtMs ?? 0, baseCommittedAtMs: data.baseCommittedAtMs ?? 0 },
  };
}

/** The signed transaction carrying a RoundResult, signed as the ledger checks it (@learnchain/ledger signTx). */
export function roundResultTx(identity: Identity, chainId: string, nonce: number, data: RoundResultData): v1.Tx {
  return signTx(identity, chainId, nonce, { roundResult: roundResultMessage(data) });
}
