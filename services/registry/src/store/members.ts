/**
 * The registry's state in PostgreSQL (or PGlite). Every change runs in one
 * transaction that bumps the membership epoch under the meta row's lock, so
 * epochs are handed out in commit order and a reader following `epoch > e`
 * never skips a change. Lease sweeping claims rows with SKIP LOCKED, so several
 * registry replicas share one database without evicting a node twice.
 */
import { randomBytes } from 'node:crypto';

import type { CapabilitiesStatement, RoleName } from '@learnchain/membership';
import { migrateToLatest, sql, type Insertable, type Kysely, type Storage, type Transaction } from '@learnchain/storage';

import { JoinProofError, LeaseLostError, MembershipChangedError, StaleHeartbeatError, UnknownMemberError } from '../errors';
import { compactedEpoch, forgetDeparted, type ForgetOptions, type Forgotten } from './departed';
import { HeartbeatBatcher, type Renewed } from './heartbeats';
import { JoinQueue } from './joins';
import { migrations, type MemberStatusName, type RegistryDb } from './schema';

export interface MemberRecord {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly role: RoleName;
  readonly capabilities: CapabilitiesStatement;
  readonly endpoint: string;
  readonly status: MemberStatusName;
  readonly joinedEpoch: number;
  readonly leaseExpiresAtMs: number;
}

export interface ChangeRecord {
  readonly epoch: number;
  readonly status: MemberStatusName;
  readonly previousStatus: MemberStatusName | null;
  readonly reason: string;
  readonly member: MemberRecord;
  readonly atMs: number;
}

type MemberRow = RegistryDb['members'];
type Db = Kysely<RegistryDb> | Transaction<RegistryDb>;

function toMember(row: { [K in keyof MemberRow]: MemberRow[K] extends infer T ? (T extends { __select__: infer S } ? S : T) : never }): MemberRecord {
  return {
    nodeId: row.node_id,
    publicKey: new Uint8Array(row.public_key),
    role: row.role as RoleName,
    capabilities: JSON.parse(row.capabilities) as CapabilitiesStatement,
    endpoint: row.endpoint,
    status: row.status,
    joinedEpoch: Number(row.joined_epoch),
    leaseExpiresAtMs: Number(row.lease_expires_at),
  };
}

export function toChange(row: {
  epoch: string | number | bigint;
  status: MemberStatusName;
  previous_status: MemberStatusName | null;
  reason: string;
  member: string;
  at_ms: string | number | bigint;
}): ChangeRecord {
  return {
    epoch: Number(row.epoch),
    status: row.status,
    previousStatus: row.previous_status,
    reason: row.reason,
    member: parseMemberJson(row.member),
    atMs: Number(row.at_ms),
  };
}

function memberJson(member: MemberRecord): string {
  return JSON.stringify({ ...member, publicKey: Buffer.from(member.publicKey).toString('hex') });
}

function changeRow(change: ChangeRecord): Insertable<RegistryDb['membership_changes']> {
  return {
    epoch: change.epoch,
    node_id: change.member.nodeId,
    status: change.status,
    previous_status: change.previousStatus,
    reason: change.reason,
    member: memberJson(change.member),
    at_ms: change.atMs,
  };
}

function parseMemberJson(text: string): MemberRecord {
  const parsed = JSON.parse(text) as Omit<MemberRecord, 'publicKey'> & { publicKey: string };
  return { ...parsed, publicKey: new Uint8Array(Buffer.from(parsed.publicKey, 'hex')) };
}

/** Which members a List names. */
export interface MemberFilter {
  readonly role?: RoleName;
  readonly status?: MemberStatusName;
}

/** Where a page of a List starts, how long it is, and the epoch of the list's first page (absent: any). */
export interface MemberPage {
  readonly afterNodeId?: string;
  readonly limit: number;
  readonly atEpoch?: number;
}

/** A page of members at `epoch`; `next` is where the next page starts ('' when none follows). */
export interface MemberList {
  readonly epoch: number;
  readonly members: MemberRecord[];
  readonly next: string;
}

/** Members by role and status at one epoch. */
export interface Census {
  readonly epoch: number;
  readonly counts: readonly { readonly role: RoleName; readonly status: MemberStatusName; readonly count: number }[];
}

export interface JoinInput {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly role: RoleName;
  readonly capabilities: CapabilitiesStatement;
  readonly endpoint: string;
  readonly nonce: Uint8Array;
  readonly nonceExpiresAtMs: number;
  readonly nowMs: number;
  readonly leaseTtlMs: number;
}

/** How a lease is renewed: from when, for how long, and which lapsed leases are renewed too (the member still active). */
export interface LeaseTerms {
  readonly nowMs: number;
  readonly leaseTtlMs: number;
  /** A lease that lapsed at this time or later is renewed (the registry forgives it: see Outages); default: none. */
  readonly forgivenFromMs?: number;
}

export class MemberStore {
  private readonly heartbeats: HeartbeatBatcher;
  private readonly joins: JoinQueue<JoinInput, ChangeRecord>;

  private constructor(
    private readonly db: Kysely<RegistryDb>,
    readonly secret: Uint8Array,
  ) {
    this.heartbeats = new HeartbeatBatcher(db);
    this.joins = new JoinQueue<JoinInput, ChangeRecord>((batch) => this.joinBatch(batch));
  }

  /** Migrates the schema and loads (or creates, once, for all replicas) the challenge secret. */
  static async create(storage: Storage<RegistryDb>): Promise<MemberStore> {
    await migrateToLatest(storage, migrations);
    await storage.db
      .insertInto('registry_meta')
      .values({ id: 1, epoch: 0, secret: randomBytes(32) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const meta = await storage.db.selectFrom('registry_meta').select('secret').where('id', '=', 1).executeTakeFirstOrThrow();
    return new MemberStore(storage.db, new Uint8Array(meta.secret));
  }

  private async bumpEpoch(tx: Db): Promise<number> {
    const row = await tx.updateTable('registry_meta').set({ epoch: sql`epoch + 1` }).where('id', '=', 1).returning('epoch').executeTakeFirstOrThrow();
    return Number(row.epoch);
  }

  private async record(tx: Db, change: ChangeRecord): Promise<ChangeRecord> {
    await tx.insertInto('membership_changes').values(changeRow(change)).execute();
    return change;
  }

  /** The membership epoch, read in `db` (a transaction, or the store's database). */
  async epoch(db: Db = this.db): Promise<number> {
    const row = await db.selectFrom('registry_meta').select('epoch').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.epoch);
  }

  /** Admits (or re-admits) a node: consumes the nonce, grants a lease, bumps the epoch (batched with concurrent joins). */
  async join(input: JoinInput): Promise<ChangeRecord> {
    return this.joins.submit(input);
  }

  private async joinBatch(inputs: readonly JoinInput[]): Promise<Array<ChangeRecord | JoinProofError>> {
    return this.db.transaction().execute(async (tx) => {
      const consumed = await tx
        .insertInto('used_challenges')
        .values(inputs.map((input) => ({ nonce: input.nonce, expires_at: input.nonceExpiresAtMs })))
        .onConflict((oc) => oc.column('nonce').doNothing())
        .returning('nonce')
        .execute();
      const fresh = new Set(consumed.map((row) => Buffer.from(row.nonce).toString('hex')));
      const admitted = inputs.filter((input) => fresh.has(Buffer.from(input.nonce).toString('hex')));
      const changes = new Map<JoinInput, ChangeRecord>();
      if (admitted.length > 0) {
        const ids = admitted.map((input) => input.nodeId);
        const previous = await tx.selectFrom('members').select(['node_id', 'status']).where('node_id', 'in', ids).forUpdate().execute();
        const previousStatus = new Map(previous.map((row) => [row.node_id, row.status]));
        const top = await tx.updateTable('registry_meta').set({ epoch: sql`epoch + ${admitted.length}` }).where('id', '=', 1).returning('epoch').executeTakeFirstOrThrow();
        const first = Number(top.epoch) - admitted.length + 1;
        admitted.forEach((input, k) => {
          const epoch = first + k;
          const member: MemberRecord = {
            nodeId: input.nodeId,
            publicKey: input.publicKey,
            role: input.role,
            capabilities: input.capabilities,
            endpoint: input.endpoint,
            status: 'active',
            joinedEpoch: epoch,
            leaseExpiresAtMs: input.nowMs + input.leaseTtlMs,
          };
          const before = previousStatus.get(input.nodeId);
          changes.set(input, { epoch, status: 'active', previousStatus: before ?? null, reason: before ? 'rejoined' : 'joined', member, atMs: input.nowMs });
        });
        const records = [...changes.values()];
        await tx
          .insertInto('members')
          .values(
            records.map(({ member }) => ({
              node_id: member.nodeId,
              public_key: member.publicKey,
              heartbeat_seq: 0,
              role: member.role,
              capabilities: JSON.stringify(member.capabilities),
              endpoint: member.endpoint,
              status: member.status,
              joined_epoch: member.joinedEpoch,
              lease_expires_at: member.leaseExpiresAtMs,
            })),
          )
          .onConflict((oc) =>
            oc.column('node_id').doUpdateSet((eb) => ({
              role: eb.ref('excluded.role'),
              capabilities: eb.ref('excluded.capabilities'),
              endpoint: eb.ref('excluded.endpoint'),
              status: eb.ref('excluded.status'),
              joined_epoch: eb.ref('excluded.joined_epoch'),
              lease_expires_at: eb.ref('excluded.lease_expires_at'),
            })),
          )
          .execute();
        await tx.insertInto('membership_changes').values(records.map(changeRow)).execute();
      }
      return inputs.map((input) => changes.get(input) ?? new JoinProofError('replayed_challenge', 'this challenge was already used to join'));
    });
  }

  /**
   * Renews a live lease: one UPDATE, no epoch change. Throws UnknownMemberError,
   * LeaseLostError (left, failed, or lapsed: join again) or StaleHeartbeatError.
   */
  async heartbeat(nodeId: string, sequence: number, terms: LeaseTerms): Promise<Renewed> {
    return this.renew(nodeId, sequence, terms);
  }

  /**
   * Renews the lease of a member heartbeating on an authenticated stream (no
   * sequence to check). Throws UnknownMemberError or LeaseLostError.
   */
  async renewLease(nodeId: string, terms: LeaseTerms): Promise<Renewed> {
    return this.renew(nodeId, null, terms);
  }

  private async renew(nodeId: string, sequence: number | null, { nowMs, leaseTtlMs, forgivenFromMs }: LeaseTerms): Promise<Renewed> {
    const aliveFromMs = Math.min(nowMs, forgivenFromMs ?? nowMs);
    const renewed = await this.heartbeats.renew({ nodeId, sequence, leaseExpiresAtMs: nowMs + leaseTtlMs, aliveFromMs });
    if (renewed !== undefined) return renewed;
    const row = await this.db.selectFrom('members').select(['status', 'lease_expires_at', 'heartbeat_seq']).where('node_id', '=', nodeId).executeTakeFirst();
    if (!row) throw new UnknownMemberError(nodeId);
    if (row.status !== 'active') throw new LeaseLostError(nodeId, row.status);
    if (Number(row.lease_expires_at) < aliveFromMs) throw new LeaseLostError(nodeId, 'lease lapsed');
    // A live member the batch did not renew: a stale sequence, or (on a stream) a race with a concurrent change.
    if (sequence === null) return { epoch: await this.epoch(), leaseExpiresAtMs: Number(row.lease_expires_at) };
    throw new StaleHeartbeatError(nodeId, sequence, Number(row.heartbeat_seq));
  }

  /** A graceful exit. Throws UnknownMemberError, or LeaseLostError when the node is not active. */
  async leave(nodeId: string, reason: string, nowMs: number): Promise<ChangeRecord> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('members').selectAll().where('node_id', '=', nodeId).forUpdate().executeTakeFirst();
      if (!row) throw new UnknownMemberError(nodeId);
      if (row.status !== 'active') throw new LeaseLostError(nodeId, row.status);
      const epoch = await this.bumpEpoch(tx);
      await tx.updateTable('members').set({ status: 'left', lease_expires_at: nowMs }).where('node_id', '=', nodeId).execute();
      const member = { ...toMember(row), status: 'left' as const, leaseExpiresAtMs: nowMs };
      return this.record(tx, { epoch, status: 'left', previousStatus: 'active', reason: reason || 'left', member, atMs: nowMs });
    });
  }

  /**
   * Marks members whose lease lapsed before `lapsedBeforeMs` (default: now; earlier while lapses are forgiven)
   * as failed; rows another replica is sweeping are skipped.
   */
  async sweep(nowMs: number, lapsedBeforeMs = nowMs, limit = 500): Promise<ChangeRecord[]> {
    return this.db.transaction().execute(async (tx) => {
      const expired = await tx
        .selectFrom('members')
        .selectAll()
        .where('status', '=', 'active')
        .where('lease_expires_at', '<', Math.min(nowMs, lapsedBeforeMs))
        .orderBy('lease_expires_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      const changes: ChangeRecord[] = [];
      for (const row of expired) {
        const epoch = await this.bumpEpoch(tx);
        await tx.updateTable('members').set({ status: 'failed' }).where('node_id', '=', row.node_id).execute();
        const lapsedFor = nowMs - Number(row.lease_expires_at);
        changes.push(
          await this.record(tx, { epoch, status: 'failed', previousStatus: 'active', reason: `lease lapsed ${lapsedFor} ms ago`, member: { ...toMember(row), status: 'failed' }, atMs: nowMs }),
        );
      }
      await tx.deleteFrom('used_challenges').where('expires_at', '<', nowMs).execute();
      return changes;
    });
  }

  /** A page of the members in node id order, at the current epoch (MembershipChangedError when `page.atEpoch` names another). */
  async list(filter: MemberFilter, page: MemberPage): Promise<MemberList> {
    // One snapshot for the epoch and the members: under read committed, a join committing between the two reads would show a member of a later epoch.
    return this.db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
      const epoch = await this.epoch(tx);
      if (page.atEpoch !== undefined && page.atEpoch !== epoch) throw new MembershipChangedError(page.atEpoch, epoch);
      let query = tx.selectFrom('members').selectAll().orderBy('node_id').limit(page.limit + 1);
      if (filter.role) query = query.where('role', '=', filter.role);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (page.afterNodeId) query = query.where('node_id', '>', page.afterNodeId);
      const rows = await query.execute();
      const members = rows.slice(0, page.limit).map(toMember);
      return { epoch, members, next: rows.length > page.limit ? (members.at(-1)?.nodeId ?? '') : '' };
    });
  }

  /** How many members there are of each role and status (counted by the database), with the epoch. */
  async census(): Promise<Census> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('members')
        .select(['role', 'status', (eb) => eb.fn.countAll<string | number>().as('count')])
        .groupBy(['role', 'status'])
        .execute();
      return { epoch: await this.epoch(tx), counts: rows.map((r) => ({ role: r.role as RoleName, status: r.status as MemberStatusName, count: Number(r.count) })) };
    });
  }

  /** Deletes members that departed, and changes made, before `options.beforeMs` (store/departed.ts). */
  forgetDeparted(options: ForgetOptions): Promise<Forgotten> {
    return forgetDeparted(this.db, options);
  }

  /** The epoch up to which changes may have been deleted; Watch cannot start before it. */
  compactedEpoch(): Promise<number> {
    return compactedEpoch(this.db);
  }

  /** Changes with epoch > `after`, oldest first. */
  async changesAfter(after: number, limit = 1000): Promise<ChangeRecord[]> {
    const rows = await this.db.selectFrom('membership_changes').selectAll().where('epoch', '>', after).orderBy('epoch').limit(limit).execute();
    return rows.map(toChange);
  }

  /**
   * Hands unpublished changes, oldest first, to `publish` and marks them published
   * when it resolves (the outbox pattern: an event is published at least once,
   * even across a crash; the epoch makes a stable deduplication id).
   */
  async drainOutbox(publish: (change: ChangeRecord) => Promise<void>, limit = 100): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('membership_changes').selectAll().where('published', '=', false).orderBy('epoch').limit(limit).forUpdate().skipLocked().execute();
      if (rows.length === 0) return 0;
      for (const row of rows) await publish(toChange(row));
      await tx
        .updateTable('membership_changes')
        .set({ published: true })
        .where('epoch', 'in', rows.map((r) => Number(r.epoch)))
        .execute();
      return rows.length;
    });
  }
}
