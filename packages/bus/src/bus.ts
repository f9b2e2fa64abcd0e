/**
 * The event bus port. Services publish typed events and consume them through
 * named, durable consumers with explicit acknowledgement; the NATS JetStream
 * adapter and the local in-process adapter keep the same promises.
 */
import type { MalformedEventError } from './errors';
import type { PayloadOf, Subject } from './subjects';

/** An event as delivered: its subject, its place in the stream, when it was stored, its headers and payload. */
export interface EventEnvelope<S extends Subject = Subject> {
  readonly subject: S;
  /** The stream sequence, assigned by the transport: 1, 2, 3, ... in publish order. */
  readonly sequence: number;
  /** When the transport stored the event, as Unix time in milliseconds. */
  readonly publishedAt: number;
  /** String headers (trace context travels here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: PayloadOf<S>;
}

/** One delivery of an event to a consumer. Unacknowledged deliveries come again after the ack wait. */
export interface DeliveryOf<S extends Subject> extends EventEnvelope<S> {
  /** 1 on first delivery, counting up on each redelivery. */
  readonly deliveryCount: number;
  /** Marks the event done for this consumer; it is not delivered to it again. */
  ack(): Promise<void>;
  /** Asks for redelivery now, or after `delayMs`. */
  nak(delayMs?: number): Promise<void>;
}

/** A delivery of any of the subjects `S`; switch on `subject` to narrow the payload. */
export type Delivery<S extends Subject = Subject> = S extends Subject ? DeliveryOf<S> : never;

/**
 * Where a new consumer starts: the first event, the next one published, the
 * event of a sequence, or the first event stored at or after a time
 * (milliseconds since the epoch, by the transport's clock; when none is, the
 * next one stored).
 */
export type StartPosition = 'all' | 'new' | { readonly sequence: number } | { readonly time: number };

/** Options of one publish. */
export interface PublishOptions {
  /** Headers carried with the event (not `Nats-*`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** An id for deduplication: a second publish with the same id within the window is not stored again. */
  readonly msgId?: string;
}

/** The transport's confirmation that an event is stored. */
export interface PublishAck {
  readonly sequence: number;
  /** True when `msgId` was seen before and the event was not stored again. */
  readonly duplicate: boolean;
}

/** Options of a subscription. */
export interface SubscribeOptions<S extends Subject> {
  /**
   * A durable consumer's name: it remembers what was acknowledged across
   * subscriptions, reconnects and restarts. Without a name the consumer is
   * ephemeral and lives as long as the subscription.
   */
  readonly consumer?: string;
  /** The subjects to receive; all subjects when absent. */
  readonly subjects?: readonly S[];
  /** Where a new consumer starts (default `'all'`). A durable consumer that exists already resumes where it was. */
  readonly from?: StartPosition;
  /** How long a delivery may stay unacknowledged before it is delivered again. */
  readonly ackWaitMs?: number;
  /** The most deliveries outstanding (unacknowledged) at once. */
  readonly maxAckPending?: number;
  /** Ends the subscription when aborted. */
  readonly signal?: AbortSignal;
  /**
   * Called for each stored message that does not decode (it is terminated,
   * never redelivered). Without it the subscription throws the error from
   * its iterator and ends.
   */
  readonly onMalformed?: (error: MalformedEventError, sequence: number) => void;
}

/** A stream of deliveries. Breaking out of `for await`, `close()` or the abort signal ends it. */
export interface Subscription<S extends Subject = Subject> extends AsyncIterable<Delivery<S>> {
  /** The consumer's name (generated for an ephemeral consumer). */
  readonly consumer: string;
  /**
   * Stops deliveries. Deliveries received but not yet handed out are given
   * back for immediate redelivery; ones still in flight from the server come
   * back after the ack wait; ones handed out may still be acknowledged.
   */
  close(): Promise<void>;
}

/** The event bus port. */
export interface EventBus {
  /** Validates, encodes and stores an event; resolves once the transport confirms it. */
  publish<S extends Subject>(subject: S, payload: PayloadOf<S>, options?: PublishOptions): Promise<PublishAck>;
  /** Opens a subscription on a durable (named) or ephemeral consumer. */
  subscribe<S extends Subject = Subject>(options?: SubscribeOptions<S>): Promise<Subscription<S>>;
  /** Ends every subscription and releases the transport. Idempotent. */
  close(): Promise<void>;
}
