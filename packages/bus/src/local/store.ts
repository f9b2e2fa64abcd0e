/**
 * LocalBroker: an in-memory stand-in for a JetStream server, for the devnet
 * and tests. Named streams keep events with their sequences (until they age
 * out, when the stream has an age limit); consumers live
 * in the broker, so a durable consumer outlasts the buses that use it, as it
 * outlasts a client on NATS. Several LocalEventBus instances may share one broker.
 */
import type { PublishAck, StartPosition } from '../bus';
import { checkName } from '../codec';
import { BusError } from '../errors';
import { LocalConsumer, type LocalConsumerConfig } from './consumer';

/** Timer functions, injectable for tests; real timers by default. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's own timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A stored event: transport subject (prefix included), encoded payload, headers. */
export interface StoredMessage {
  readonly sequence: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly publishedAt: number;
}

export interface LocalBrokerOptions {
  /** Unix time in milliseconds; `Date.now` by default. */
  readonly clock?: () => number;
  readonly timers?: Timers;
  /** How long a publish `msgId` is remembered for deduplication (default 2 minutes, as JetStream). */
  readonly duplicateWindowMs?: number;
}

export class LocalBroker {
  private readonly streams = new Map<string, LocalStream>();
  private lifecycle: 'open' | 'closed' = 'open';
  readonly clock: () => number;
  readonly timers: Timers;
  readonly duplicateWindowMs: number;

  constructor(options: LocalBrokerOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  }

  /** The stream called `name`, created on first use. */
  stream(name: string): LocalStream {
    if (this.lifecycle === 'closed') throw new BusError('the local broker is closed');
    let stream = this.streams.get(checkName('stream', name));
    if (!stream) {
      stream = new LocalStream(this);
      this.streams.set(name, stream);
    }
    return stream;
  }

  /**
   * Stores raw bytes on `subject` (a transport subject) without the codec, as
   * any NATS client could publish them. Consumers will see and reject them if malformed.
   */
  append(stream: string, subject: string, data: Uint8Array, headers: Readonly<Record<string, string>> = {}): PublishAck {
    return this.stream(stream).append(subject, data, headers, undefined);
  }

  /** Ends every consumer's subscriptions and clears every timer. Idempotent. */
  close(): void {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    for (const stream of this.streams.values()) stream.dispose();
  }
}

/** Dropped messages are cut from the front of the array in batches of at least this many. */
const COMPACT_AFTER = 1024;

/** One stream of a LocalBroker. */
export class LocalStream {
  /** Stored messages from index `head` on; the one at index i has sequence `base + i + 1`. */
  private messages: StoredMessage[] = [];
  private head = 0;
  private base = 0;
  /** How long events are kept; 0: no age limit. */
  private maxAgeMs = 0;
  private readonly recentIds = new Map<string, { readonly sequence: number; readonly at: number }>();
  private readonly consumers = new Map<string, LocalConsumer>();
  private ephemeralCount = 0;

  constructor(private readonly broker: LocalBroker) {}

  get lastSequence(): number {
    return this.base + this.messages.length;
  }

  /** The sequence of the oldest event kept (one past the last when none is). */
  get firstSequence(): number {
    return this.base + this.head + 1;
  }

  /** The event stored at `sequence`; undefined once it has aged out. */
  message(sequence: number): StoredMessage | undefined {
    const message = sequence >= this.firstSequence ? this.messages[sequence - this.base - 1] : undefined;
    return message && !this.expired(message, this.broker.clock()) ? message : undefined;
  }

  /** Sets how long the stream keeps events (0: no age limit), as a stream's max_age does on JetStream. */
  limit(maxAgeMs: number): void {
    this.maxAgeMs = maxAgeMs;
    this.dropExpired(this.broker.clock());
  }

  private expired(message: StoredMessage, now: number): boolean {
    return this.maxAgeMs > 0 && now - message.publishedAt >= this.maxAgeMs;
  }

  /** Forgets the events that have aged out. */
  private dropExpired(now: number): void {
    while (this.head < this.messages.length && this.expired(this.messages[this.head] as StoredMessage, now)) this.head += 1;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /** Stores an event; a repeated `msgId` inside the duplicate window is not stored again. */
  append(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>, msgId: string | undefined): PublishAck {
    const now = this.broker.clock();
    if (msgId !== undefined) {
      for (const [id, seen] of this.recentIds) {
        if (now - seen.at < this.broker.duplicateWindowMs) break;
        this.recentIds.delete(id);
      }
      const seen = this.recentIds.get(msgId);
      if (seen) return { sequence: seen.sequence, duplicate: true };
    }
    this.dropExpired(now);
    const sequence = this.lastSequence + 1;
    this.messages.push({ sequence, subject, data: data.slice(), headers: { ...headers }, publishedAt: now });
    if (msgId !== undefined) this.recentIds.set(msgId, { sequence, at: now });
    for (const consumer of this.consumers.values()) consumer.notify();
    return { sequence, duplicate: false };
  }

  /**
   * The durable consumer `name` (created at `from` when new, reconfigured when
   * it exists), or a fresh ephemeral consumer when `name` is undefined.
   */
  consumer(name: string | undefined, config: LocalConsumerConfig, from: StartPosition): LocalConsumer {
    if (name !== undefined) {
      const existing = this.consumers.get(name);
      if (existing) {
        existing.configure(config);
        return existing;
      }
    }
    this.dropExpired(this.broker.clock());
    const start = from === 'all' ? this.firstSequence : from === 'new' ? this.lastSequence + 1 : 'time' in from ? this.firstSince(from.time) : from.sequence;
    const consumerName = name ?? `ephemeral-${(this.ephemeralCount += 1)}`;
    const consumer = new LocalConsumer(consumerName, name !== undefined, config, start, this, this.broker.timers);
    this.consumers.set(consumerName, consumer);
    return consumer;
  }

  /** The sequence of the first message stored at or after `time`; when none is, the next one stored, whenever that is (as JetStream resolves a start time). */
  private firstSince(time: number): number {
    for (let i = this.head; i < this.messages.length; i += 1) {
      if ((this.messages[i] as StoredMessage).publishedAt >= time) return this.base + i + 1;
    }
    return this.lastSequence + 1;
  }

  /** The names of the consumers the stream holds (durable ones until deleted, ephemeral ones while subscribed). */
  consumerNames(): string[] {
    return [...this.consumers.keys()];
  }

  /** Removes a consumer and its timers (ephemeral consumers go when their subscription does). */
  deleteConsumer(name: string): void {
    this.consumers.get(name)?.dispose();
    this.consumers.delete(name);
  }

  dispose(): void {
    for (const consumer of this.consumers.values()) consumer.dispose();
  }
}
