/**
 * @learnchain/ledger — the chain's application: transactions and their
 * canonical statements, the deterministic state transition, the application
 * hash, block execution, round verification ports, and the light client.
 */
export * from './errors';
export * from './genesis';
export * from './tx';
export * from './chain';
export { LedgerState, Overlay, canonicalJson, statePath } from './state';
export type { StateView, Writes } from './state';
export { applyTx, authorityProblem, genesisWrites, ledgerValidators, nonceOf } from './apply';
export type { LedgerValidatorUpdate, TxContext, TxOutcome, TxResult } from './apply';
export { executeBlock } from './block';
export type { BlockResult } from './block';
export { ARCHIVED_KEY_PATTERN, isArchivedKey, KEYS } from './records';
export type { JobRecord, MemberRecord, ReputationRecord, RoundRecord, ValidatorRecord } from './records';
export { checkRoundResult, encodingName, isActiveAt, jobEncoding } from './round';
export * from './verifier';
export * from './validators';
export * from './lightclient';
