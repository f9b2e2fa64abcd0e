/**
 * The subscription both adapters hand out: a queue of raw deliveries from the
 * transport, decoded and validated as they are handed to the consumer.
 */
import type { Delivery, Subscription, SubscribeOptions } from './bus';
import { decodePayload } from './codec';
import { MalformedEventError } from './errors';
import { isSubject, type Subject } from './subjects';

/** A message as the transport delivers it, before decoding. */
export interface RawDelivery {
  /** The event subject, prefix removed. */
  readonly subject: string;
  readonly sequence: number;
  readonly publishedAt: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
  readonly deliveryCount: number;
  ack(): Promise<void>;
  nak(delayMs?: number): Promise<void>;
  /** Stops redelivery for good (used for messages that cannot be decoded). */
  term(): Promise<void>;
}

/** What a subscription needs from its adapter. */
export interface SubscriptionWiring<S extends Subject> {
  readonly consumer: string;
  /** Subjects to hand out; deliveries of others are acknowledged and skipped. Undefined: all. */
  readonly subjects: ReadonlySet<string> | undefined;
  readonly onMalformed: SubscribeOptions<S>['onMalformed'];
  readonly signal: AbortSignal | undefined;
  /** Stops the transport feeding this subscription. Called once, on close. */
  detach(): Promise<void>;
}

type Lifecycle = 'open' | 'closing' | 'closed';

/** A subscription fed by `push` from a transport. */
export class EventSubscription<S extends Subject> implements Subscription<S>, AsyncIterator<Delivery<S>> {
  readonly consumer: string;
  private lifecycle: Lifecycle = 'open';
  private readonly buffer: RawDelivery[] = [];
  private wakers: (() => void)[] = [];
  private failure: { readonly error: unknown } | undefined;
  private closed: Promise<void> | undefined;
  private readonly onAbort = (): void => this.closeQuietly();

  constructor(private readonly wiring: SubscriptionWiring<S>) {
    this.consumer = wiring.consumer;
    if (wiring.signal?.aborted) {
      this.lifecycle = 'closing';
      queueMicrotask(this.onAbort);
    } else {
      wiring.signal?.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Whether deliveries are still being accepted. */
  get isOpen(): boolean {
    return this.lifecycle === 'open';
  }

  /** Queues a delivery from the transport; after close it is given back for redelivery. */
  push(delivery: RawDelivery): void {
    if (this.lifecycle !== 'open') {
      delivery.nak().catch(() => undefined);
      return;
    }
    this.buffer.push(delivery);
    this.wake();
  }

  /** Ends the subscription with a transport error, thrown by the iterator. */
  fail(error: unknown): void {
    if (this.lifecycle === 'open') this.failure = { error };
    this.closeQuietly();
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  /** Closes without a caller to report to; a failure stays on the `close()` promise. */
  private closeQuietly(): void {
    this.close().catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery<S>> {
    return this;
  }

  async next(): Promise<IteratorResult<Delivery<S>>> {
    for (;;) {
      if (this.lifecycle !== 'open') {
        const failure = this.failure;
        this.failure = undefined;
        if (failure) throw failure.error;
        return { done: true, value: undefined };
      }
      const raw = this.buffer.shift();
      if (raw === undefined) {
        await new Promise<void>((resolve) => this.wakers.push(resolve));
        continue;
      }
      const delivery = await this.open(raw);
      if (delivery) return { done: false, value: delivery };
    }
  }

  async return(): Promise<IteratorResult<Delivery<S>>> {
    await this.close();
    return { done: true, value: undefined };
  }

  private async open(raw: RawDelivery): Promise<Delivery<S> | undefined> {
    if (this.wiring.subjects && !this.wiring.subjects.has(raw.subject)) {
      await raw.ack();
      return undefined;
    }
    let payload;
    try {
      if (!isSubject(raw.subject)) throw new MalformedEventError(raw.subject, 'subject', 'is not in the table of event subjects');
      payload = decodePayload(raw.subject, raw.data);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      await raw.term();
      if (this.wiring.onMalformed) {
        this.wiring.onMalformed(error, raw.sequence);
        return undefined;
      }
      this.fail(error);
      return undefined;
    }
    const delivery: Delivery = {
      subject: raw.subject,
      sequence: raw.sequence,
      publishedAt: raw.publishedAt,
      headers: raw.headers,
      payload,
      deliveryCount: raw.deliveryCount,
      ack: () => raw.ack(),
      nak: (delayMs?: number) => raw.nak(delayMs),
    } as Delivery;
    return delivery as Delivery<S>;
  }

  private async shutdown(): Promise<void> {
    this.lifecycle = 'closing';
    this.wiring.signal?.removeEventListener('abort', this.onAbort);
    this.wake();
    try {
      await this.wiring.detach();
    } finally {
      const unhanded = this.buffer.splice(0);
      await Promise.allSettled(unhanded.map((d) => d.nak()));
      this.lifecycle = 'closed';
      this.wake();
    }
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}
