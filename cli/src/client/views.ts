/**
 * What the CLI shows, as plain data (the --json form) built from the services'
 * answers, and the human lines made from that data. Pure: no I/O.
 */
import { addressOf, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

const hex = (bytes: Uint8Array | null | undefined): string => (bytes ? toHex(new Uint8Array(bytes)) : '');
const short = (text: string, n = 12): string => (text.length > n ? text.slice(0, n) : text);
const time = (ms: number): string => (ms > 0 ? new Date(ms).toISOString() : '-');

/** `chain status` as data. */
export interface ChainStatusView {
  readonly chain_id: string;
  readonly address: string;
  readonly height: number;
  readonly block_hash: string;
  readonly app_hash: string;
  readonly block_time_ms: number;
  readonly catching_up: boolean;
  readonly mempool_size: number;
  readonly validators: readonly { readonly address: string; readonly power: number }[];
}

export function chainStatusView(status: v1.StatusResponse__Output): ChainStatusView {
  return {
    chain_id: status.chainId,
    address: status.address,
    height: status.latestHeight,
    block_hash: hex(status.latestBlockHash),
    app_hash: hex(status.latestAppHash),
    block_time_ms: status.latestBlockTimeMs,
    catching_up: status.catchingUp,
    mempool_size: status.mempoolSize,
    validators: (status.validators?.validators ?? []).map((v) => ({ address: v.address, power: v.power })),
  };
}

export function chainStatusLines(view: ChainStatusView): string[] {
  const power = view.validators.reduce((sum, v) => sum + v.power, 0);
  return [
    `chain      ${view.chain_id}`,
    `validator  ${view.address}${view.catching_up ? ' (catching up)' : ''}`,
    `height     ${view.height}  at ${time(view.block_time_ms)}`,
    `block      ${view.block_hash}`,
    `app hash   ${view.app_hash}`,
    `mempool    ${view.mempool_size} transaction${view.mempool_size === 1 ? '' : 's'}`,
    `validators ${view.validators.length} (total power ${power})`,
    ...view.validators.map((v) => `  ${v.address}  power ${v.power}`),
  ];
}

/** One transaction of a block: what it is, who signed it and the ledger's verdict. */
export interface TxView {
  readonly hash: string;
  readonly kind: string;
  readonly signer: string;
  readonly nonce: number;
  readonly accepted: boolean;
  readonly reason: string;
  readonly summary: string;
}

/** A one-line description of a transaction's body. */
export function txSummary(tx: v1.Tx__Output): string {
  switch (tx.body) {
    case 'createJob': {
      const b = tx.createJob as v1.CreateJob__Output;
      return `job ${b.jobId}: model ${b.model}, rule ${b.rule?.name ?? '?'}, ${b.rounds} rounds, at least ${b.minTrainers} trainers`;
    }
    case 'roundResult': {
      const b = tx.roundResult as v1.RoundResult__Output;
      return `job ${b.jobId} round ${b.round}: ${b.included.length} included, ${b.excluded.length} excluded, model ${short(hex(b.newModelHash))}`;
    }
    case 'registerNode': {
      const b = tx.registerNode as v1.RegisterNode__Output;
      return `node ${b.nodeId} joins as ${roleName(b.role)} at epoch ${b.epoch}`;
    }
    case 'nodeLeft': {
      const b = tx.nodeLeft as v1.NodeLeft__Output;
      return `node ${b.nodeId} leaves at epoch ${b.epoch}: ${b.reason}`;
    }
    case 'evidence': {
      const b = tx.evidence as v1.Evidence__Output;
      return `conflicting votes by ${b.voteA?.validator ?? '?'} at height ${b.voteA?.height ?? '?'}`;
    }
    case 'validatorSetUpdate': {
      const b = tx.validatorSetUpdate as v1.ValidatorSetUpdate__Output;
      return `${b.updates.length} validator power change${b.updates.length === 1 ? '' : 's'}`;
    }
    default:
      return 'unknown transaction';
  }
}

/** `chain block` as data. */
export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly chain_id: string;
  readonly time_ms: number;
  readonly proposer: string;
  readonly previous_block_hash: string;
  readonly app_hash: string;
  readonly data_hash: string;
  readonly validators_hash: string;
  readonly txs: readonly TxView[];
  /** The validators whose precommits certify this block, and the round they were cast in. */
  readonly commit: { readonly round: number; readonly signers: readonly string[] };
  /** The signers of the previous height's commit, carried in this block. */
  readonly last_commit_signers: readonly string[];
}

const signersOf = (commit: v1.Commit__Output | null | undefined): string[] =>
  (commit?.precommits ?? []).filter((p) => p.blockHash.length > 0).map((p) => p.validator).sort();

export function blockView(answer: v1.GetBlockResponse__Output): BlockView {
  const block = answer.block;
  const header = block?.header;
  return {
    height: header?.height ?? 0,
    hash: hex(answer.blockHash),
    chain_id: header?.chainId ?? '',
    time_ms: header?.timeMs ?? 0,
    proposer: header?.proposer ?? '',
    previous_block_hash: hex(header?.previousBlockHash),
    app_hash: hex(header?.appHash),
    data_hash: hex(header?.dataHash),
    validators_hash: hex(header?.validatorsHash),
    txs: (block?.txs ?? []).map((tx, i) => {
      const outcome = answer.outcomes[i];
      const key = tx.signature ? new Uint8Array(tx.signature.publicKey) : new Uint8Array(0);
      return {
        hash: hex(outcome?.txHash),
        kind: tx.body ?? 'unknown',
        signer: key.length === 32 ? addressOf(key) : '',
        nonce: tx.nonce,
        accepted: outcome?.accepted ?? false,
        reason: outcome?.reason ?? '',
        summary: txSummary(tx),
      };
    }),
    commit: { round: answer.commit?.round ?? 0, signers: signersOf(answer.commit) },
    last_commit_signers: signersOf(block?.lastCommit),
  };
}

export function blockLines(view: BlockView): string[] {
  const lines = [
    `block ${view.height} of ${view.chain_id}`,
    `  hash       ${view.hash}`,
    `  time       ${time(view.time_ms)}`,
    `  proposer   ${view.proposer}`,
    `  previous   ${view.previous_block_hash || '(genesis)'}`,
    `  app hash   ${view.app_hash}`,
    `  data hash  ${view.data_hash}`,
    `  txs        ${view.txs.length}`,
  ];
  for (const tx of view.txs) {
    lines.push(`    ${short(tx.hash)} ${tx.kind.padEnd(18)} ${tx.accepted ? 'accepted' : `refused (${tx.reason})`}  ${tx.summary}`);
    lines.push(`      signed by ${tx.signer} nonce ${tx.nonce}`);
  }
  lines.push(`  commit     round ${view.commit.round}, ${view.commit.signers.length} precommit${view.commit.signers.length === 1 ? '' : 's'}: ${view.commit.signers.join(' ')}`);
  if (view.height > 1) lines.push(`  last commit signed by ${view.last_commit_signers.length}: ${view.last_commit_signers.join(' ')}`);
  return lines;
}

/** A job as the ledger records it (QueryState "jobs/ID"). */
export interface JobRecordJson {
  readonly jobId: string;
  readonly creator: string;
  readonly createdHeight: number;
  readonly head: string;
  readonly round: number;
  readonly ruleName: string;
  readonly spec: { readonly model?: string; readonly rounds?: number; readonly minTrainers?: number; readonly dataset?: string };
}

/** A committed round as the ledger records it (QueryState "jobs/ID/rounds/N"). */
export interface RoundRecordJson {
  readonly jobId: string;
  readonly round: number;
  readonly height: number;
  readonly model: string;
  readonly parent: string;
  readonly aggregator: string;
  readonly membershipEpoch: number;
  readonly included: readonly { readonly nodeId: string; readonly decision: string; readonly numSamples: number }[];
  readonly excluded: readonly { readonly nodeId: string; readonly reason: string }[];
  readonly metrics: { readonly validationLoss?: number; readonly validationAccuracy?: number; readonly baseLoss?: number } | null;
}

/** A job in `job list` and `job watch`. */
export interface JobView {
  readonly job_id: string;
  readonly model: string;
  readonly dataset: string;
  readonly rule: string;
  readonly round: number;
  readonly rounds: number;
  readonly finished: boolean;
  readonly created_height: number;
  readonly creator: string;
  readonly head: string;
}

export function jobView(record: JobRecordJson): JobView {
  const rounds = record.spec.rounds ?? 0;
  return {
    job_id: record.jobId,
    model: record.spec.model ?? '',
    dataset: record.spec.dataset ?? '',
    rule: record.ruleName,
    round: record.round,
    rounds,
    finished: rounds > 0 && record.round >= rounds,
    created_height: record.createdHeight,
    creator: record.creator,
    head: record.head,
  };
}

export function jobLines(jobs: readonly JobView[]): string[] {
  if (jobs.length === 0) return ['no jobs on chain'];
  const width = Math.max(6, ...jobs.map((j) => j.job_id.length));
  return [
    `${'JOB'.padEnd(width)}  MODEL  RULE               ROUND    CREATED  STATE`,
    ...jobs.map((j) => `${j.job_id.padEnd(width)}  ${j.model.padEnd(5)}  ${j.rule.padEnd(17)}  ${`${j.round}/${j.rounds}`.padEnd(7)}  ${String(j.created_height).padEnd(7)}  ${j.finished ? 'finished' : 'running'}`),
  ];
}

/** One committed round in `job watch`. */
export interface RoundView {
  readonly job_id: string;
  readonly round: number;
  readonly rounds: number;
  readonly height: number;
  readonly model: string;
  readonly included: number;
  readonly excluded: readonly { readonly node_id: string; readonly reason: string }[];
  readonly validation_loss: number | null;
  readonly validation_accuracy: number | null;
}

export function roundView(record: RoundRecordJson, rounds: number): RoundView {
  return {
    job_id: record.jobId,
    round: record.round,
    rounds,
    height: record.height,
    model: record.model,
    included: record.included.length,
    excluded: record.excluded.map((e) => ({ node_id: e.nodeId, reason: e.reason })),
    validation_loss: record.metrics?.validationLoss ?? null,
    validation_accuracy: record.metrics?.validationAccuracy ?? null,
  };
}

export function roundLine(view: RoundView): string {
  const metrics = [
    view.validation_accuracy !== null && view.validation_accuracy > 0 ? `accuracy ${(view.validation_accuracy * 100).toFixed(2)}%` : '',
    view.validation_loss !== null && view.validation_loss > 0 ? `loss ${view.validation_loss.toFixed(4)}` : '',
  ].filter((s) => s !== '');
  const excluded = view.excluded.length === 0 ? '' : `  excluded ${view.excluded.map((e) => `${short(e.node_id, 10)} (${e.reason})`).join(', ')}`;
  return `round ${String(view.round).padStart(3)}/${view.rounds}  height ${view.height}  included ${view.included}${metrics.length ? `  ${metrics.join('  ')}` : ''}  model ${short(view.model)}${excluded}`;
}

/** The role words of the registry's enum. */
export const ROLES = ['trainer', 'aggregator', 'validator'] as const;
export const MEMBER_STATUSES = ['active', 'left', 'failed'] as const;

export function roleName(role: string): string {
  return role.replace(/^ROLE_/, '').toLowerCase();
}

export function statusName(status: string): string {
  return status.replace(/^MEMBER_STATUS_/, '').toLowerCase();
}

/** A member in `members`. */
export interface MemberView {
  readonly node_id: string;
  readonly role: string;
  readonly status: string;
  readonly joined_epoch: number;
  readonly lease_expires_at_ms: number;
  readonly endpoint: string;
  readonly device: string;
  readonly dataset_size: number;
}

export function membersView(answer: Pick<v1.ListMembersResponse__Output, 'epoch' | 'members'>): { epoch: number; members: MemberView[] } {
  return {
    epoch: answer.epoch,
    members: answer.members.map((m) => ({
      node_id: m.nodeId,
      role: roleName(m.role),
      status: statusName(m.status),
      joined_epoch: m.joinedEpoch,
      lease_expires_at_ms: m.leaseExpiresAtMs,
      endpoint: m.endpoint,
      device: m.capabilities?.device ?? '',
      dataset_size: m.capabilities?.datasetSize ?? 0,
    })),
  };
}

export function memberLines(view: { epoch: number; members: readonly MemberView[] }): string[] {
  const lines = [`membership epoch ${view.epoch}: ${view.members.length} member${view.members.length === 1 ? '' : 's'}`];
  if (view.members.length > 0) lines.push(`${'NODE'.padEnd(40)}  ROLE        STATUS  JOINED  DEVICE  SAMPLES`);
  for (const m of view.members) {
    lines.push(`${m.node_id.padEnd(40)}  ${m.role.padEnd(10)}  ${m.status.padEnd(6)}  ${String(m.joined_epoch).padEnd(6)}  ${(m.device || '-').padEnd(6)}  ${m.dataset_size || '-'}`);
  }
  return lines;
}
