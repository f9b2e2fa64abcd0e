/**
 * The table of event subjects: every event learnchain publishes, its subject
 * and its payload type, with the codec that validates it. Services name
 * subjects through this table only, never as scattered string literals.
 */
import { bool, bytes, list, oneOf, optional, record, text, uint, type RequiredCodec } from './schema';

/** A node's role in the cluster. */
export type NodeRole = 'trainer' | 'aggregator' | 'validator';
const NODE_ROLES = ['trainer', 'aggregator', 'validator'] as const;

/** Fields every membership event carries: who changed, and the epoch the change produced. */
export interface MembershipChange {
  /** The node's id (derived from its public key by the registry). */
  readonly nodeId: string;
  /** The node's ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  readonly role: NodeRole;
  /** The membership epoch after this change. */
  readonly epoch: number;
}

/** `learnchain.membership.joined`: a node was admitted and holds a lease. */
export interface MembershipJoined extends MembershipChange {
  /** What the node offers (e.g. `cuda`), as it declared on joining. */
  readonly capabilities?: readonly string[];
}

/** `learnchain.membership.left`: a node left gracefully. */
export interface MembershipLeft extends MembershipChange {
  readonly reason?: string;
}

/** `learnchain.membership.failed`: a node missed its lease and was removed. */
export interface MembershipFailed extends MembershipChange {
  readonly reason: string;
}

/** `learnchain.job.created`: a training job was committed on chain. */
export interface JobCreated {
  readonly chainId: string;
  readonly jobId: string;
  /** SHA-256 of the job's initial model. */
  readonly initialModelHash: Uint8Array;
  /** The height of the block that committed the job. */
  readonly height: number;
  /** The robust aggregation rule, by name (e.g. `trimmed-mean`). */
  readonly rule: string;
  readonly minTrainers: number;
  /** How long a round stays open, in milliseconds. */
  readonly roundDeadlineMs: number;
}

/** `learnchain.round.opened`: the aggregator asks `participants` to train on the base model. */
export interface RoundOpened {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  /** SHA-256 of the model to train from. */
  readonly baseModelHash: Uint8Array;
  /** When the round closes at the latest, as Unix time in milliseconds. */
  readonly deadlineMs: number;
  /** Node ids asked to train in this round. */
  readonly participants: readonly string[];
  /** The membership epoch the participants were drawn from. */
  readonly epoch: number;
  /** Which opening of the round this is, from 1: a round that failed is opened again, maybe on the same base. */
  readonly attempt?: number;
}

/** An update the aggregator accepted into a round. */
export interface IncludedUpdate {
  readonly nodeId: string;
  /** SHA-256 of the signed update. */
  readonly updateHash: Uint8Array;
}

/** An update (or a missing one) the aggregator dropped, with why. */
export interface ExcludedUpdate {
  readonly nodeId: string;
  readonly reason: string;
}

/**
 * `learnchain.update.accepted`: the aggregator stored an update in an open
 * round. Advisory (published once the update is stored, not through the
 * aggregator's outbox): validators fetch the update while the round still
 * runs rather than all of a round's at its close; round.closed says which
 * updates the round kept.
 */
export interface UpdateAccepted {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  /** SHA-256 of the signed update. */
  readonly updateHash: Uint8Array;
  /** The update's size in bytes. */
  readonly size: number;
}

/** `learnchain.round.closed`: the aggregator stopped taking updates and is aggregating. */
export interface RoundClosed {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  /** Whether the round closed on quorum (plus grace) or on its deadline. */
  readonly closedBy: 'quorum' | 'deadline';
  readonly included: readonly IncludedUpdate[];
  readonly excluded: readonly ExcludedUpdate[];
}

/** `learnchain.round.committed`: the round's result was committed on chain. */
export interface RoundCommitted {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  /** SHA-256 of the aggregated model, the next round's base. */
  readonly newModelHash: Uint8Array;
  readonly height: number;
  readonly blockHash: Uint8Array;
}

/** `learnchain.round.failed`: the round produced no committed result. */
export interface RoundFailed {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  readonly reason: string;
  /** Whether the aggregator opens the round again. */
  readonly willRetry: boolean;
}

/** `learnchain.block.committed`: a validator committed a block. */
export interface BlockCommitted {
  readonly chainId: string;
  readonly height: number;
  /** SHA-256 of the block header. */
  readonly blockHash: Uint8Array;
  /** The ledger state root after the block. */
  readonly appHash: Uint8Array;
  readonly txCount: number;
  /** The block time, as Unix time in milliseconds. */
  readonly time: number;
}

/** The event subjects by name, for code that wants a constant rather than a literal. */
export const SUBJECT = {
  membershipJoined: 'learnchain.membership.joined',
  membershipLeft: 'learnchain.membership.left',
  membershipFailed: 'learnchain.membership.failed',
  jobCreated: 'learnchain.job.created',
  roundOpened: 'learnchain.round.opened',
  updateAccepted: 'learnchain.update.accepted',
  roundClosed: 'learnchain.round.closed',
  roundCommitted: 'learnchain.round.committed',
  roundFailed: 'learnchain.round.failed',
  blockCommitted: 'learnchain.block.committed',
} as const satisfies Record<string, Subject>;

/** Every event subject and its payload type. */
export interface EventPayloads {
  'learnchain.membership.joined': MembershipJoined;
  'learnchain.membership.left': MembershipLeft;
  'learnchain.membership.failed': MembershipFailed;
  'learnchain.round.opened': RoundOpened;
  'learnchain.update.accepted': UpdateAccepted;
  'learnchain.round.closed': RoundClosed;
  'learnchain.round.committed': RoundCommitted;
  'learnchain.round.failed': RoundFailed;
  'learnchain.job.created': JobCreated;
  'learnchain.block.committed': BlockCommitted;
}

/** An event subject, without any namespace prefix. */
export type Subject = keyof EventPayloads;
/** The payload type of `S`. */
export type PayloadOf<S extends Subject> = EventPayloads[S];

const HASH = 32;
const id = () => text(256);
const membership = {
  nodeId: id(),
  publicKey: bytes(32),
  role: oneOf(NODE_ROLES),
  epoch: uint(),
};

/** The validating codec of each subject's payload. */
export const PAYLOAD_CODECS: { readonly [S in Subject]: RequiredCodec<EventPayloads[S]> } = {
  'learnchain.membership.joined': record<MembershipJoined>({ ...membership, capabilities: optional(list(text(64), 64)) }),
  'learnchain.membership.left': record<MembershipLeft>({ ...membership, reason: optional(text()) }),
  'learnchain.membership.failed': record<MembershipFailed>({ ...membership, reason: text() }),
  'learnchain.job.created': record<JobCreated>({
    chainId: id(),
    jobId: id(),
    initialModelHash: bytes(HASH),
    height: uint(1),
    rule: text(64),
    minTrainers: uint(1),
    roundDeadlineMs: uint(1),
  }),
  'learnchain.round.opened': record<RoundOpened>({
    chainId: id(),
    jobId: id(),
    round: uint(),
    baseModelHash: bytes(HASH),
    deadlineMs: uint(),
    participants: list(id()),
    epoch: uint(),
    attempt: optional(uint(1)),
  }),
  'learnchain.update.accepted': record<UpdateAccepted>({ chainId: id(), jobId: id(), round: uint(), nodeId: id(), updateHash: bytes(HASH), size: uint() }),
  'learnchain.round.closed': record<RoundClosed>({
    chainId: id(),
    jobId: id(),
    round: uint(),
    closedBy: oneOf(['quorum', 'deadline']),
    included: list(record<IncludedUpdate>({ nodeId: id(), updateHash: bytes(HASH) })),
    excluded: list(record<ExcludedUpdate>({ nodeId: id(), reason: text() })),
  }),
  'learnchain.round.committed': record<RoundCommitted>({
    chainId: id(),
    jobId: id(),
    round: uint(),
    newModelHash: bytes(HASH),
    height: uint(1),
    blockHash: bytes(HASH),
  }),
  'learnchain.round.failed': record<RoundFailed>({
    chainId: id(),
    jobId: id(),
    round: uint(),
    reason: text(),
    willRetry: bool(),
  }),
  'learnchain.block.committed': record<BlockCommitted>({
    chainId: id(),
    height: uint(1),
    blockHash: bytes(HASH),
    appHash: bytes(HASH),
    txCount: uint(),
    time: uint(),
  }),
};

/** All event subjects, in table order. */
export const SUBJECTS: readonly Subject[] = Object.keys(PAYLOAD_CODECS) as Subject[];

/** Whether `value` names an event subject in the table. */
export function isSubject(value: string): value is Subject {
  return Object.prototype.hasOwnProperty.call(PAYLOAD_CODECS, value);
}
