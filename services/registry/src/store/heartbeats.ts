/**
 * Group renewal of leases: heartbeats that arrive together are written with one
 * UPDATE ... FROM (VALUES ...) instead of one statement each. A heartbeat that
 * the batch did not renew is diagnosed on its own (unknown, lapsed, stale), which
 * only happens on the unhappy path.
 */
import { sql, type Kysely } from '@learnchain/storage';

import type { RegistryDb } from './schema';

export interface Renewal {
  readonly nodeId: string;
  readonly sequence: number;
  readonly leaseExpiresAtMs: number;
  readonly nowMs: number;
}

interface Pending extends Renewal {
  resolve(epoch: number | undefined): void;
  reject(error: unknown): void;
}

/** The most renewals one statement carries. */
const MAX_BATCH = 512;

export class HeartbeatBatcher {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<RegistryDb>) {}

  /** Resolves with the epoch when renewed, undefined when the member was not renewable. */
  renew(renewal: Renewal): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...renewal, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // One renewal per node per statement; a second one for the same node waits for the next.
        const seen = new Set<string>();
        const batch: Pending[] = [];
        const rest: Pending[] = [];
        for (const item of this.queue) {
          if (batch.length < MAX_BATCH && !seen.has(item.nodeId)) {
            seen.add(item.nodeId);
            batch.push(item);
          } else rest.push(item);
        }
        this.queue = rest;
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const values = sql.join(batch.map((r) => sql`(${r.nodeId}::text, ${r.sequence}::bigint, ${r.leaseExpiresAtMs}::bigint, ${r.nowMs}::bigint)`));
      const result = await sql<{ node_id: string; epoch: string | number }>`
        update members as m
           set lease_expires_at = v.lease, heartbeat_seq = v.seq
          from (values ${values}) as v(node_id, seq, lease, now_ms), registry_meta as r
         where r.id = 1
           and m.node_id = v.node_id
           and m.status = 'active'
           and m.lease_expires_at >= v.now_ms
           and m.heartbeat_seq < v.seq
        returning m.node_id, r.epoch`.execute(this.db);
      const renewed = new Map(result.rows.map((row) => [row.node_id, Number(row.epoch)]));
      for (const item of batch) item.resolve(renewed.get(item.nodeId));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
