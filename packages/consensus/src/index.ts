/**
 * @learnchain/consensus — the Tendermint algorithm as a pure state machine.
 *
 * The host (the validator service, or the simulator) owns everything else:
 * - it builds a state with `createState` and starts it with a `start-height` input;
 * - it verifies signatures BEFORE a message becomes a `proposal` / `vote` input;
 * - it carries out effects in order: for `broadcast` it signs, appends to its
 *   write-ahead log, then sends; it turns `schedule-timeout` kinds into durations
 *   that grow with the round; it answers `request-proposal` with `proposal-value`
 *   and `validate-proposal` with `verdict`; on `commit` it stores the block with
 *   its certificate and sends `start-height` for the next height;
 * - after a crash it restores the last checkpointed state and re-applies the
 *   inputs its write-ahead log holds (the core is deterministic, so it signs the
 *   same votes again and never conflicting ones).
 */
export { apply, MAX_FUTURE_MESSAGES, MAX_ROUND } from './core';
export type { Transition } from './core';
export { createState, validatorsAt } from './state';
export type { ConsensusState, CreateStateOptions, ScheduledUpdates } from './state';
export type {
  BroadcastEffect,
  CommitCertificateInput,
  CommitEffect,
  Effect,
  EvidenceEffect,
  Input,
  ProposalInput,
  ProposalValueInput,
  RequestProposalEffect,
  ScheduleTimeoutEffect,
  StartHeightInput,
  TimeoutElapsedInput,
  ValidateProposalEffect,
  VerdictInput,
  VoteInput,
} from './io';
export { NIL, valueKey } from './types';
export type {
  Address,
  CommitCertificate,
  ConsensusMessage,
  Evidence,
  Proposal,
  Step,
  Timeout,
  TimeoutKind,
  Validator,
  ValidatorSet,
  ValidatorUpdate,
  ValueId,
  Vote,
  VoteType,
} from './types';
export {
  advanceProposer,
  applyValidatorUpdates,
  isOneThird,
  isQuorum,
  makeValidatorSet,
  powerOf,
  proposerAt,
} from './validators';
export { checkCommit, verifyCommit } from './certificate';
export type { CertificateFault } from './certificate';
export { HeightMismatchError, InvalidValidatorSetError, SimulationUsageError } from './errors';
