/**
 * The aggregator's transaction: a RoundResult, signed (domain 'tx') over the
 * canonical encoding of {chainId, nonce, body: {roundResult: ...}} as chain.proto
 * says of every Tx. The statement is built here and only here, so that it can be
 * aligned with the ledger's check in one place.
 */
import { fromHex, signStatement, type Canonical, type Identity } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import type { RuleSpec } from './domain/job';
import type { StoredResult } from './store/rounds';

/** Everything a RoundResult says, as plain data (hashes hex). */
export interface RoundResultData {
  readonly jobId: string;
  readonly round: number;
  readonly baseModelHash: string;
  readonly membershipEpoch: number;
  readonly rule: RuleSpec;
  readonly result: StoredResult;
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
    })),
    excluded: result.excluded.map((e) => ({ nodeId: e.nodeId, updateHash: bytes(e.updateHash), reason: e.reason })),
    metrics: { aggregationMicros: result.aggregationMicros, updateBytes: result.updateBytes },
  };
}

/** The canonical statement of a RoundResult (what the transaction signature covers). */
export function roundResultStatement(data: RoundResultData): Canonical {
  const { result } = data;
  const params: Record<string, number> = {};
  for (const key of Object.keys(data.rule.params).sort()) params[key] = data.rule.params[key] ?? 0;
  return {
    jobId: data.jobId,
    round: data.round,
    baseModelHash: bytes(data.baseModelHash),
    newModelHash: bytes(result.newModelHash),
    membershipEpoch: data.membershipEpoch,
    rule: { name: data.rule.name, params, byzantineBudget: data.rule.byzantineBudget, normBound: data.rule.normBound },
    included: result.included.map((u) => ({
      nodeId: u.nodeId,
      updateHash: bytes(u.updateHash),
      numSamples: u.numSamples,
      encoding: u.encoding,
      publicKey: bytes(u.publicKey),
      signature: bytes(u.signature),
      decision: u.decision,
      score: u.score,
    })),
    excluded: result.excluded.map((e) => ({ nodeId: e.nodeId, updateHash: bytes(e.updateHash), reason: e.reason })),
    metrics: { aggregationMicros: result.aggregationMicros, updateBytes: result.updateBytes },
  };
}

/** The signed transaction carrying a RoundResult. */
export function roundResultTx(identity: Identity, chainId: string, nonce: number, data: RoundResultData): v1.Tx {
  const statement: Canonical = { chainId, nonce, body: { roundResult: roundResultStatement(data) } };
  return {
    chainId,
    nonce,
    roundResult: roundResultMessage(data),
    signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'tx', statement)) },
  };
}
