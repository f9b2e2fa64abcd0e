/**
 * The round events' outbox: an event is written in the same transaction as
 * the round state it announces, and a relay publishes it afterwards, marking
 * it published once the bus took it. A crash between the state change and the
 * publish leaves the event in the table, and the next relay pass sends it (at
 * least once; its message id lets the bus drop a copy that did go out).
 */
import { decodePayload, encodePayload, type PayloadOf, type Subject } from '@learnchain/bus';
import type { Kysely, Transaction } from '@learnchain/storage';

import type { AggregatorDb } from './schema';

/** An event to publish: subject, payload and a stable message id (deduplication). */
export interface OutboxEvent<S extends Subject = Subject> {
  readonly subject: S;
  readonly payload: PayloadOf<S>;
  readonly msgId: string;
}

/** An event with its subject and payload checked together (for callers building one by subject). */
export function outboxEvent<S extends Subject>(subject: S, payload: PayloadOf<S>, msgId: string): OutboxEvent {
  return { subject, payload, msgId } as unknown as OutboxEvent;
}

/** Writes `event` inside `trx` (validated by the bus codec now, not at publish time); a message id already there is kept. */
export async function enqueueEvent(trx: Transaction<AggregatorDb> | Kysely<AggregatorDb>, event: OutboxEvent, atMs: number): Promise<void> {
  await trx
    .insertInto('event_outbox')
    .values({ msg_id: event.msgId, subject: event.subject, payload: Buffer.from(encodePayload(event.subject, event.payload)), created_at_ms: atMs })
    .onConflict((c) => c.column('msg_id').doNothing())
    .execute();
}

/** Publishes one event; throws when the bus did not take it. */
export type PublishEvent = (event: OutboxEvent) => Promise<void>;

export class EventOutbox {
  constructor(private readonly db: Kysely<AggregatorDb>) {}

  /**
   * Hands unpublished events, oldest first, to `publish`, marking each one
   * published as the bus takes it; stops at the first failure (that event and
   * the later ones stay for the next pass, in order). Rows are taken with
   * SKIP LOCKED, so two replicas never send the same batch at once.
   * Returns how many were published; throws the publish failure after
   * recording what went out before it.
   */
  async drain(publish: PublishEvent, limit = 100): Promise<number> {
    const { sent, failure } = await this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('event_outbox').select(['seq', 'msg_id', 'subject', 'payload']).where('published', '=', false).orderBy('seq').limit(limit).forUpdate().skipLocked().execute();
      const done: number[] = [];
      let error: unknown;
      for (const row of rows) {
        const subject = row.subject as Subject;
        try {
          await publish({ subject, payload: decodePayload(subject, new Uint8Array(row.payload)), msgId: row.msg_id } as OutboxEvent);
        } catch (caught) {
          error = caught;
          break;
        }
        done.push(Number(row.seq));
      }
      if (done.length > 0) await trx.updateTable('event_outbox').set({ published: true }).where('seq', 'in', done).execute();
      return { sent: done.length, failure: error };
    });
    if (failure !== undefined) throw failure;
    return sent;
  }

  /** Events not yet published (for status and tests). */
  async pending(): Promise<number> {
    const row = await this.db.selectFrom('event_outbox').select((eb) => eb.fn.countAll().as('n')).where('published', '=', false).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
