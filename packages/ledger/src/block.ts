/**
 * Executing a block: its transactions in order against the state, each seeing
 * the writes of those before it. Pure: the result is the block's writes, one
 * outcome per transaction and the validator-set changes it makes.
 */
import { applyTx, type LedgerValidatorUpdate, type TxContext, type TxOutcome } from './apply';
import { Overlay, type StateView, type Writes } from './state';
import type { Tx } from './tx';

export interface BlockResult {
  readonly writes: Writes;
  readonly outcomes: readonly TxOutcome[];
  /** The block's validator-set changes, last one per validator wins. */
  readonly validatorUpdates: readonly LedgerValidatorUpdate[];
}

export function executeBlock(view: StateView, txs: readonly Tx[], ctx: TxContext): BlockResult {
  const overlay = new Overlay(view);
  const outcomes: TxOutcome[] = [];
  const updates = new Map<string, LedgerValidatorUpdate>();
  for (const tx of txs) {
    const result = applyTx(overlay, tx, ctx);
    overlay.merge(result.writes);
    outcomes.push(result.outcome);
    for (const u of result.validatorUpdates) updates.set(u.address, u);
  }
  return { writes: overlay.writes, outcomes, validatorUpdates: [...updates.values()] };
}
