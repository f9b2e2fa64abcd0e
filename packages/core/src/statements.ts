/**
 * Statements shared by more than one service. A trainer signs its update over
 * this statement; the aggregator checks it before accepting the update, and
 * every validator checks it again before voting for the round.
 */
import type { Canonical } from './canonical';

export interface UpdateStatementFields {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  /** SHA-256 of the parameters the update was trained from. */
  readonly baseModelHash: Uint8Array;
  /** SHA-256 of the encoded update bytes. */
  readonly updateHash: Uint8Array;
  /** The encoding of the update: 'float32' | 'float16' | 'int8'. */
  readonly encoding: string;
  /** Samples trained on, the weight fedavg gives the update. */
  readonly numSamples: number;
}

/** What a trainer signs (domain 'update'): binds the update to chain, job, round and base model. */
export function updateStatement(fields: UpdateStatementFields): Canonical {
  return { ...fields };
}
