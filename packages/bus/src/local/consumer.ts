/**
 * A consumer of a local stream: the in-memory counterpart of a JetStream
 * consumer with explicit acks. It remembers the next fresh sequence, which
 * deliveries wait for an ack (each with its ack-wait timer), and which are due
 * again; it hands deliveries round-robin to the attached sinks.
 */
import type { RawDelivery } from '../subscription';
import type { StoredMessage, Timers } from './store';

/** Where deliveries go: a subscription's queue. */
export interface ConsumerSink {
  push(delivery: RawDelivery): void;
  /** The transport is going away. */
  end(): void;
}

/** A consumer's settings; a durable consumer's may change on re-subscribe. */
export interface LocalConsumerConfig {
  /** Transport subject patterns (NATS wildcards `*` and `>`). */
  readonly filters: readonly string[];
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
}

/** The stream as a consumer sees it. */
export interface ConsumedStream {
  readonly firstSequence: number;
  readonly lastSequence: number;
  /** Undefined once the event has aged out of the stream. */
  message(sequence: number): StoredMessage | undefined;
}

export class LocalConsumer {
  private nextSequence: number;
  /** Delivered, not yet acknowledged: sequence → ack-wait timer. */
  private readonly pending = new Map<number, unknown>();
  /** Due for redelivery, ascending. */
  private ready: number[] = [];
  /** Naked with a delay: sequence → timer. */
  private readonly delayed = new Map<number, unknown>();
  /** Deliveries so far of each unacknowledged sequence. */
  private readonly counts = new Map<number, number>();
  private readonly sinks: ConsumerSink[] = [];
  private turn = 0;
  private pumping = false;

  constructor(
    readonly name: string,
    readonly durable: boolean,
    private config: LocalConsumerConfig,
    startSequence: number,
    private readonly stream: ConsumedStream,
    private readonly timers: Timers,
  ) {
    this.nextSequence = startSequence;
  }

  /** Changes filters, ack wait or flow limit (as a durable's update does). */
  configure(config: LocalConsumerConfig): void {
    this.config = config;
  }

  /** Starts delivering to `sink`; returns the function that stops it. */
  attach(sink: ConsumerSink): () => void {
    this.sinks.push(sink);
    this.pump();
    return () => {
      const at = this.sinks.indexOf(sink);
      if (at >= 0) this.sinks.splice(at, 1);
    };
  }

  get attached(): number {
    return this.sinks.length;
  }

  /** Called by the stream after each append. */
  notify(): void {
    this.pump();
  }

  ack(sequence: number): void {
    this.forget(sequence);
    this.pump();
  }

  nak(sequence: number, delayMs = 0): void {
    if (!this.pending.has(sequence)) return;
    this.timers.clearTimeout(this.pending.get(sequence));
    this.pending.delete(sequence);
    if (delayMs > 0) {
      this.delayed.set(
        sequence,
        this.timers.setTimeout(() => {
          this.delayed.delete(sequence);
          this.due(sequence);
        }, delayMs),
      );
    } else {
      this.due(sequence);
    }
    this.pump();
  }

  /** Ends every sink and clears every timer. */
  dispose(): void {
    for (const timer of [...this.pending.values(), ...this.delayed.values()]) this.timers.clearTimeout(timer);
    this.pending.clear();
    this.delayed.clear();
    this.ready = [];
    for (const sink of this.sinks.splice(0)) sink.end();
  }

  private forget(sequence: number): void {
    if (this.pending.has(sequence)) this.timers.clearTimeout(this.pending.get(sequence));
    if (this.delayed.has(sequence)) this.timers.clearTimeout(this.delayed.get(sequence));
    this.pending.delete(sequence);
    this.delayed.delete(sequence);
    this.counts.delete(sequence);
    this.ready = this.ready.filter((s) => s !== sequence);
  }

  private due(sequence: number): void {
    if (!this.ready.includes(sequence)) {
      this.ready.push(sequence);
      this.ready.sort((a, b) => a - b);
    }
    this.pump();
  }

  private expire(sequence: number): void {
    if (!this.pending.has(sequence)) return;
    this.pending.delete(sequence);
    this.due(sequence);
  }

  private nextFresh(): StoredMessage | undefined {
    // Events that aged out of the stream before this consumer reached them are passed over, as on JetStream.
    this.nextSequence = Math.max(this.nextSequence, this.stream.firstSequence);
    while (this.nextSequence <= this.stream.lastSequence) {
      const message = this.stream.message(this.nextSequence);
      this.nextSequence += 1;
      if (message && this.config.filters.some((f) => matchesSubject(f, message.subject))) return message;
    }
    return undefined;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.sinks.length > 0 && this.pending.size < this.config.maxAckPending) {
        const again = this.ready.shift();
        if (again === undefined) {
          const message = this.nextFresh();
          if (message === undefined) break;
          this.deliver(message);
          continue;
        }
        const message = this.stream.message(again);
        // A delivery due again whose event has aged out of the stream is not delivered again.
        if (message === undefined) this.forget(again);
        else this.deliver(message);
      }
    } finally {
      this.pumping = false;
    }
  }

  private deliver(message: StoredMessage): void {
    const { sequence } = message;
    const deliveryCount = (this.counts.get(sequence) ?? 0) + 1;
    this.counts.set(sequence, deliveryCount);
    this.pending.set(
      sequence,
      this.timers.setTimeout(() => this.expire(sequence), this.config.ackWaitMs),
    );
    const sink = this.sinks[this.turn++ % this.sinks.length];
    sink?.push({
      subject: message.subject,
      sequence,
      publishedAt: message.publishedAt,
      headers: message.headers,
      data: message.data,
      deliveryCount,
      ack: async () => this.ack(sequence),
      nak: async (delayMs?: number) => this.nak(sequence, delayMs),
      term: async () => this.ack(sequence),
    });
  }
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function matchesSubject(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i += 1) {
    const token = want[i];
    if (token === '>') return have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}
