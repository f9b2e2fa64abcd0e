/**
 * Group renewal of leases: heartbeats that arrive together are written with one
 * UPDATE ... FROM unnest(arrays) instead of one statement each. A heartbeat that
 * the batch did not renew is diagnosed on its own (unknown, lapsed, stale), which
 * only happens on the unhappy path. A lease is only ever lengthened, so two
 * replicas renewing one member cannot shorten each other's renewal.
 */
import { sql, type Kysely } from '@learnchain/storage';

import type { RegistryDb } from './schema';

export interface Renewal {
  readonly nodeId: string;
  /** The signed sequence of a unary heartbeat, which must exceed the stored one; null on an authenticated stream. */
  readonly sequence: number | null;
  readonly leaseExpiresAtMs: number;
  /** A lease that expired before this is lapsed and not renewed: the time now, or 0 while the registry forgives lapses. */
  readonly aliveFromMs: number;
}

/** What a renewal stored: the lease now in the database and the epoch it was read with. */
export interface Renewed {
  readonly epoch: number;
  readonly leaseExpiresAtMs: number;
}

interface Pending extends Renewal {
  resolve(renewed: Renewed | undefined): void;
  reject(error: unknown): void;
}

/** The most renewals one statement carries. */
const MAX_BATCH = 512;
/**
 * Statements in flight at once: renewals that arrive during a write go out in
 * the next one without waiting for the first to finish. A node's renewals still
 * reach the database in the order they came (a unary heartbeat's sequence must
 * rise): a node with a renewal in flight waits for it.
 */
const MAX_IN_FLIGHT = 3;

export class HeartbeatBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Nodes with a renewal in a statement in flight. */
  private readonly writing = new Set<string>();

  constructor(private readonly db: Kysely<RegistryDb>) {}

  /** Resolves with what was stored when renewed, undefined when the member was not renewable. */
  renew(renewal: Renewal): Promise<Renewed | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...renewal, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      for (const item of batch) this.writing.add(item.nodeId);
      void this.write(batch).finally(() => {
        for (const item of batch) this.writing.delete(item.nodeId);
        this.inFlight--;
        this.pump();
      });
    }
  }

  /**
   * The next batch: one renewal per node per statement; a second one for the
   * same node, or one for a node with a renewal in flight, waits for a later one.
   */
  private take(): Pending[] {
    const seen = new Set<string>();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const item of this.queue) {
      if (batch.length < MAX_BATCH && !seen.has(item.nodeId) && !this.writing.has(item.nodeId)) {
        seen.add(item.nodeId);
        batch.push(item);
      } else rest.push(item);
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      // four array parameters whatever the batch size: one statement text, little to encode and parse
      const result = await sql<{ node_id: string; epoch: string | number; lease_expires_at: string | number }>`
        update members as m
           set lease_expires_at = greatest(m.lease_expires_at, v.lease), heartbeat_seq = coalesce(v.seq, m.heartbeat_seq)
          from unnest(${batch.map((r) => r.nodeId)}::text[], ${batch.map((r) => r.sequence)}::bigint[],
                      ${batch.map((r) => r.leaseExpiresAtMs)}::bigint[], ${batch.map((r) => r.aliveFromMs)}::bigint[])
               as v(node_id, seq, lease, alive_from_ms),
               registry_meta as r
         where r.id = 1
           and m.node_id = v.node_id
           and m.status = 'active'
           and m.lease_expires_at >= v.alive_from_ms
           and (v.seq is null or m.heartbeat_seq < v.seq)
        returning m.node_id, r.epoch, m.lease_expires_at`.execute(this.db);
      const renewed = new Map<string, Renewed>(result.rows.map((row) => [row.node_id, { epoch: Number(row.epoch), leaseExpiresAtMs: Number(row.lease_expires_at) }]));
      for (const item of batch) item.resolve(renewed.get(item.nodeId));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
