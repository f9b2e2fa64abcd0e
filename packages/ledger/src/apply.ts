/**
 * The ledger's state transition: `applyTx(view, tx, context)` is pure and
 * deterministic; it returns the writes the transaction makes and its outcome.
 * Each signer's nonces run 1, 2, 3, ... without gaps. A transaction refused for
 * its nonce (a replay or a gap) writes nothing; any other refusal still
 * consumes the nonce, so a refused transaction cannot be replayed.
 */
import { addressOf, equalBytes, toHex } from '@learnchain/core';

import { checkSignedProposal, checkVote } from './chain';
import { forgetDeparted, recordDeparture } from './departures';
import type { Genesis } from './genesis';
import { asCanonical, KEYS, read, type JobRecord, type MemberRecord, type ReputationRecord, type RoundRecord, type ValidatorRecord } from './records';
import { checkRoundResult, encodingName } from './round';
import { Overlay, type StateView, type Writes } from './state';
import { canonicalOf, type Tx, type TxOf } from './tx';

/** Where a transaction is executed. */
export interface TxContext {
  readonly genesis: Genesis;
  readonly height: number;
  readonly timeMs: number;
}

export interface TxOutcome {
  readonly accepted: boolean;
  /** Why it was refused; empty when accepted. */
  readonly reason: string;
}

/** A change to the validator set: it takes effect two heights after the block that carries it. */
export interface LedgerValidatorUpdate {
  readonly address: string;
  readonly publicKey: Uint8Array;
  readonly power: number;
}

export interface TxResult {
  readonly writes: Writes;
  readonly outcome: TxOutcome;
  readonly validatorUpdates: readonly LedgerValidatorUpdate[];
}

const JOB_ID = /^[A-Za-z0-9._-]{1,128}$/;

class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function refuse(reason: string): never {
  throw new Refused(reason);
}

/** The last nonce a signer used (0: none). */
export function nonceOf(view: StateView, signerHex: string): number {
  const n = view.get(KEYS.nonce(signerHex));
  return typeof n === 'number' ? n : 0;
}

/** The validators as the ledger records them (with public keys). */
export function ledgerValidators(view: StateView): ValidatorRecord[] {
  return (read<ValidatorRecord[]>(view.get(KEYS.validators)) ?? []).slice();
}

/** The first state: the genesis validators. */
export function genesisWrites(genesis: Genesis): Writes {
  const validators: ValidatorRecord[] = genesis.validators.map((v) => ({ address: v.address, publicKey: v.publicKey, power: v.power }));
  return new Map([
    [KEYS.validators, asCanonical(validators)],
    [KEYS.membership, asCanonical({ epoch: 0 })],
  ]);
}

/** Applies one transaction to a view. Pure: the view is not changed. */
export function applyTx(view: StateView, tx: Tx, ctx: TxContext): TxResult {
  const last = nonceOf(view, tx.signerHex);
  if (tx.nonce <= last) return { writes: new Map(), outcome: { accepted: false, reason: `replay: nonce ${tx.nonce} is not above ${last}` }, validatorUpdates: [] };
  if (tx.nonce !== last + 1) return { writes: new Map(), outcome: { accepted: false, reason: `nonce-gap: expected ${last + 1}, got ${tx.nonce}` }, validatorUpdates: [] };
  const overlay = new Overlay(view);
  const updates: LedgerValidatorUpdate[] = [];
  let outcome: TxOutcome = { accepted: true, reason: '' };
  try {
    switch (tx.kind) {
      case 'registerNode':
        registerNode(overlay, tx, ctx);
        break;
      case 'nodeLeft':
        nodeLeft(overlay, tx, ctx);
        break;
      case 'createJob':
        createJob(overlay, tx, ctx);
        break;
      case 'roundResult':
        roundResult(overlay, tx, ctx);
        break;
      case 'evidence':
        updates.push(...evidence(overlay, tx, ctx));
        break;
      case 'validatorSetUpdate':
        updates.push(...validatorSetUpdate(overlay, tx, ctx));
        break;
    }
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    outcome = { accepted: false, reason: error.reason };
    overlay.writes.clear();
    updates.length = 0;
  }
  overlay.set(KEYS.nonce(tx.signerHex), tx.nonce);
  return { writes: overlay.writes, outcome, validatorUpdates: updates };
}

/**
 * Why the signer may not submit this kind of transaction, or undefined when it
 * may: RegisterNode/NodeLeft need a registry key, RoundResult an aggregator key
 * (genesis or a registered aggregator), ValidatorSetUpdate a genesis authority.
 */
export function authorityProblem(view: StateView, tx: Tx, genesis: Genesis): string | undefined {
  const ctx: TxContext = { genesis, height: 0, timeMs: 0 };
  switch (tx.kind) {
    case 'registerNode':
    case 'nodeLeft':
      return isRegistry(tx, ctx) ? undefined : `not-authorised: ${tx.kind} needs a registry key listed in genesis`;
    case 'roundResult':
      return isAggregator(view, tx, ctx) ? undefined : 'not-authorised: RoundResult needs an aggregator key';
    case 'validatorSetUpdate':
      return genesis.validatorSetAuthorities.includes(tx.signerHex) ? undefined : 'not-authorised: the genesis policy does not allow this key to change validators';
    default:
      return undefined;
  }
}

function isRegistry(tx: Tx, ctx: TxContext): boolean {
  return ctx.genesis.registryKeys.includes(tx.signerHex);
}

function registerNode(s: Overlay, tx: TxOf<'registerNode'>, ctx: TxContext): void {
  if (!isRegistry(tx, ctx)) refuse('not-authorised: RegisterNode needs a registry key listed in genesis');
  const b = tx.body;
  if (b.publicKey.length !== 32) refuse('bad-public-key');
  const nodeId = addressOf(new Uint8Array(b.publicKey));
  if (b.nodeId !== nodeId) refuse('node-id-mismatch: node_id must be the address of public_key');
  if (b.role === 'ROLE_UNSPECIFIED') refuse('role-required');
  const epoch = read<{ epoch: number }>(s.get(KEYS.membership))?.epoch ?? 0;
  if (b.epoch < epoch) refuse(`stale-epoch: ${b.epoch} is below ${epoch}`);
  // A member registered again while active (it joined the registry again before its lease was failed) never left:
  // it keeps the epoch it joined at, so rounds drawn from the epochs between still count it.
  const current = read<MemberRecord>(s.get(KEYS.member(nodeId)));
  const member: MemberRecord = {
    nodeId,
    publicKey: new Uint8Array(b.publicKey),
    role: String(b.role),
    joinedEpoch: current?.status === 'active' ? current.joinedEpoch : b.epoch,
    leftEpoch: null,
    status: 'active',
    reason: '',
    capabilities: canonicalOf(b.capabilities),
  };
  s.set(KEYS.member(nodeId), asCanonical(member));
  s.set(KEYS.memberKey(toHex(b.publicKey)), nodeId);
  s.set(KEYS.membership, asCanonical({ epoch: b.epoch }));
  forgetDeparted(s, b.epoch, ctx.genesis.membership.epochWindow);
}

function nodeLeft(s: Overlay, tx: TxOf<'nodeLeft'>, ctx: TxContext): void {
  if (!isRegistry(tx, ctx)) refuse('not-authorised: NodeLeft needs a registry key listed in genesis');
  const b = tx.body;
  const member = read<MemberRecord>(s.get(KEYS.member(b.nodeId)));
  if (!member) refuse('unknown-member');
  if (member.status !== 'active') refuse('not-active');
  const epoch = read<{ epoch: number }>(s.get(KEYS.membership))?.epoch ?? 0;
  if (b.epoch < epoch || b.epoch < member.joinedEpoch) refuse(`stale-epoch: ${b.epoch}`);
  const status = b.reason.startsWith('failed') ? 'failed' : 'left';
  s.set(KEYS.member(b.nodeId), asCanonical({ ...member, leftEpoch: b.epoch, status, reason: b.reason.slice(0, 256) }));
  s.set(KEYS.membership, asCanonical({ epoch: b.epoch }));
  recordDeparture(s, b.nodeId, b.epoch);
  forgetDeparted(s, b.epoch, ctx.genesis.membership.epochWindow);
}

function createJob(s: Overlay, tx: TxOf<'createJob'>, ctx: TxContext): void {
  const b = tx.body;
  if (!JOB_ID.test(b.jobId)) refuse('bad-job-id: 1-128 characters of [A-Za-z0-9._-]');
  if (s.get(KEYS.job(b.jobId)) !== undefined) refuse('job-exists');
  if (b.initialParametersHash.length !== 32) refuse('bad-initial-parameters-hash');
  if (!b.rule || b.rule.name.length === 0) refuse('rule-required');
  if (b.minTrainers < 1) refuse('min-trainers: at least 1');
  if (b.updateEncoding !== 'DTYPE_UNSPECIFIED' && encodingName(b.updateEncoding) === undefined) refuse('update-encoding: float32, float16 or int8');
  const job: JobRecord = {
    jobId: b.jobId,
    creator: tx.signerHex,
    createdHeight: ctx.height,
    spec: canonicalOf(b),
    head: new Uint8Array(b.initialParametersHash),
    round: 0,
    ruleName: b.rule.name,
    validationDataset: new Uint8Array(b.validation?.datasetHash ?? new Uint8Array(0)),
    maxLoss: b.validation?.maxLoss ?? 0,
    maxLossIncrease: b.validation?.maxLossIncrease ?? 0,
  };
  s.set(KEYS.job(b.jobId), asCanonical(job));
}

function isAggregator(s: StateView, tx: Tx, ctx: TxContext): boolean {
  if (ctx.genesis.aggregatorKeys.includes(tx.signerHex)) return true;
  const nodeId = s.get(KEYS.memberKey(tx.signerHex));
  const member = typeof nodeId === 'string' ? read<MemberRecord>(s.get(KEYS.member(nodeId))) : undefined;
  return member !== undefined && member.status === 'active' && member.role === 'ROLE_AGGREGATOR';
}

function roundResult(s: Overlay, tx: TxOf<'roundResult'>, ctx: TxContext): void {
  if (!isAggregator(s, tx, ctx)) refuse('not-authorised: RoundResult needs an aggregator key');
  const b = tx.body;
  const job = read<JobRecord>(s.get(KEYS.job(b.jobId)));
  if (!job) refuse('unknown-job');
  const problem = checkRoundResult(s, ctx.genesis, job, b);
  if (problem) refuse(problem);
  const record: RoundRecord = {
    jobId: b.jobId,
    round: b.round,
    height: ctx.height,
    parent: new Uint8Array(b.baseModelHash),
    model: new Uint8Array(b.newModelHash),
    aggregator: tx.signerHex,
    membershipEpoch: b.membershipEpoch,
    included: b.included.map((u) => ({ nodeId: u.nodeId, updateHash: new Uint8Array(u.updateHash), decision: u.decision, numSamples: u.numSamples })),
    excluded: b.excluded.map((u) => ({ nodeId: u.nodeId, updateHash: new Uint8Array(u.updateHash), reason: u.reason.slice(0, 256) })),
    metrics: canonicalOf(b.metrics),
  };
  s.set(KEYS.round(b.jobId, b.round), asCanonical(record));
  s.set(KEYS.job(b.jobId), asCanonical({ ...job, head: new Uint8Array(b.newModelHash), round: b.round }));
  for (const u of record.included) bumpReputation(s, u.nodeId, 1, '');
  for (const u of record.excluded) bumpReputation(s, u.nodeId, 0, u.reason);
}

function bumpReputation(s: Overlay, nodeId: string, credit: number, exclusion: string): void {
  const r = read<ReputationRecord>(s.get(KEYS.reputation(nodeId))) ?? { nodeId, credits: 0, exclusions: 0, lastExclusion: '' };
  const next: ReputationRecord = exclusion
    ? { ...r, exclusions: r.exclusions + 1, lastExclusion: exclusion }
    : { ...r, credits: r.credits + credit };
  s.set(KEYS.reputation(nodeId), asCanonical(next));
}

/** The offence an Evidence body proves: who, where, and which message kind ('prevote', 'precommit' or 'proposal'). */
function offenceOf(body: TxOf<'evidence'>['body'], chainId: string): { validator: string; height: number; round: number; type: string } {
  const { voteA, voteB, proposalA, proposalB } = body;
  if (proposalA || proposalB) {
    if (!proposalA || !proposalB || voteA || voteB) refuse('evidence-needs-two-votes-or-two-proposals');
    const a = checkSignedProposal(chainId, proposalA);
    const b = checkSignedProposal(chainId, proposalB);
    if (!a || !b) refuse('evidence-bad-signature');
    if (a.proposer !== b.proposer || a.height !== b.height || a.round !== b.round) refuse('evidence-not-conflicting: proposals differ in proposer, height or round');
    if (a.blockHash === b.blockHash && a.validRound === b.validRound) refuse('evidence-not-conflicting: same proposal');
    return { validator: a.proposer, height: a.height, round: a.round, type: 'proposal' };
  }
  if (!voteA || !voteB) refuse('evidence-needs-two-votes-or-two-proposals');
  const a = checkVote(chainId, voteA);
  const b = checkVote(chainId, voteB);
  if (!a || !b) refuse('evidence-bad-signature');
  if (a.validator !== b.validator || a.height !== b.height || a.round !== b.round || a.type !== b.type) refuse('evidence-not-conflicting: votes differ in validator, height, round or type');
  if (a.value === b.value) refuse('evidence-not-conflicting: same block');
  return { validator: a.validator, height: a.height, round: a.round, type: a.type };
}

function evidence(s: Overlay, tx: TxOf<'evidence'>, ctx: TxContext): LedgerValidatorUpdate[] {
  const offence = offenceOf(tx.body, ctx.genesis.chainId);
  if (offence.height > ctx.height) refuse('evidence-from-the-future');
  const key = KEYS.evidence(offence.validator, offence.height, offence.round, offence.type);
  if (s.get(key) !== undefined) refuse('evidence-duplicate');
  const validators = ledgerValidators(s);
  const offender = validators.find((v) => v.address === offence.validator);
  if (!offender || offender.power === 0) refuse('evidence-not-a-validator');
  s.set(key, asCanonical({ ...offence, committedAt: ctx.height }));
  s.set(KEYS.validators, asCanonical(validators.filter((v) => v.address !== offence.validator)));
  return [{ address: offender.address, publicKey: offender.publicKey, power: 0 }];
}

function validatorSetUpdate(s: Overlay, tx: TxOf<'validatorSetUpdate'>, ctx: TxContext): LedgerValidatorUpdate[] {
  if (!ctx.genesis.validatorSetAuthorities.includes(tx.signerHex)) refuse('not-authorised: the genesis policy does not allow this key to change validators');
  const byAddress = new Map(ledgerValidators(s).map((v) => [v.address, v]));
  const updates: LedgerValidatorUpdate[] = [];
  for (const u of tx.body.updates) {
    if (u.publicKey.length !== 32 || !Number.isSafeInteger(u.power) || u.power < 0) refuse('bad-validator-update');
    const publicKey = new Uint8Array(u.publicKey);
    const address = addressOf(publicKey);
    const current = byAddress.get(address);
    if (current && !equalBytes(current.publicKey, publicKey)) refuse('bad-validator-update');
    if (u.power === 0) byAddress.delete(address);
    else byAddress.set(address, { address, publicKey, power: u.power });
    updates.push({ address, publicKey, power: u.power });
  }
  if (byAddress.size === 0) refuse('would-remove-every-validator');
  s.set(KEYS.validators, asCanonical([...byAddress.values()].sort((x, y) => (x.address < y.address ? -1 : 1))));
  return updates;
}
