/**
 * LocalEventBus: the EventBus on an in-process LocalBroker, for the devnet
 * (every role in one process) and for tests. Same promises as the NATS adapter:
 * sequences, durable consumers, explicit acks with redelivery, replay.
 */
import type { EventBus, PublishAck, PublishOptions, SubscribeOptions, Subscription } from '../bus';
import { allSubjects, checkHeaders, checkName, checkPrefix, encodePayload, qualify, unqualify } from '../codec';
import { BusClosedError } from '../errors';
import { withTraceHeaders } from '../trace';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_ACK_PENDING, maxAge, planConsumer, positive, type ConsumerDefaults } from '../options';
import type { PayloadOf, Subject } from '../subjects';
import { EventSubscription } from '../subscription';
import { LocalBroker } from './store';

export interface LocalEventBusOptions {
  /** A broker shared with other buses; without one the bus makes its own and closes it on close. */
  readonly broker?: LocalBroker;
  /** Stream name (default `learnchain`). */
  readonly stream?: string;
  /** Namespace for subjects, e.g. a chain id; empty for none. */
  readonly subjectsPrefix?: string;
  /** Default ack wait of subscriptions (default 30 s). */
  readonly ackWaitMs?: number;
  /** Default limit of unacknowledged deliveries per consumer (default 1000). */
  readonly maxAckPending?: number;
  /** How long the stream keeps events (0: no age limit), set on the stream, as on NATS; absent: the stream's stays. */
  readonly maxAgeMs?: number;
}

export class LocalEventBus implements EventBus {
  private lifecycle: 'open' | 'closed' = 'open';
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();

  private constructor(
    private readonly broker: LocalBroker,
    private readonly ownsBroker: boolean,
    private readonly streamName: string,
    private readonly prefix: string,
    private readonly defaults: ConsumerDefaults,
  ) {}

  /** Builds a bus on `options.broker` or on a broker of its own. */
  static async create(options: LocalEventBusOptions = {}): Promise<LocalEventBus> {
    const streamName = checkName('stream', options.stream ?? 'learnchain');
    const prefix = checkPrefix(options.subjectsPrefix ?? '');
    const defaults = {
      ackWaitMs: positive('ackWaitMs', options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      maxAckPending: positive('maxAckPending', options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING),
    };
    const limit = options.maxAgeMs === undefined ? undefined : maxAge(options.maxAgeMs);
    const broker = options.broker ?? new LocalBroker();
    const stream = broker.stream(streamName);
    if (limit !== undefined) stream.limit(limit);
    return new LocalEventBus(broker, options.broker === undefined, streamName, prefix, defaults);
  }

  async publish<S extends Subject>(subject: S, payload: PayloadOf<S>, options: PublishOptions = {}): Promise<PublishAck> {
    if (this.lifecycle !== 'open') throw new BusClosedError('publish');
    const headers = checkHeaders(withTraceHeaders(options.headers ?? {}));
    const data = encodePayload(subject, payload);
    return this.broker.stream(this.streamName).append(qualify(this.prefix, subject), data, headers, options.msgId);
  }

  async subscribe<S extends Subject = Subject>(options: SubscribeOptions<S> = {}): Promise<Subscription<S>> {
    if (this.lifecycle !== 'open') throw new BusClosedError('subscribe');
    const plan = planConsumer(options, this.defaults);
    const stream = this.broker.stream(this.streamName);
    const filters = plan.subjects?.map((s) => qualify(this.prefix, s)) ?? [allSubjects(this.prefix)];
    const consumer = stream.consumer(
      plan.durable,
      { filters, ackWaitMs: plan.ackWaitMs, maxAckPending: plan.maxAckPending },
      plan.from,
    );
    let stop = (): void => undefined;
    const subscription: EventSubscription<S> = new EventSubscription<S>({
      consumer: consumer.name,
      subjects: undefined,
      onMalformed: options.onMalformed,
      signal: options.signal,
      detach: async () => {
        stop();
        this.subscriptions.delete(subscription);
        if (!consumer.durable) stream.deleteConsumer(consumer.name);
      },
    });
    if (!subscription.isOpen) return subscription;
    this.subscriptions.add(subscription);
    stop = consumer.attach({
      push: (raw) => subscription.push({ ...raw, subject: unqualify(this.prefix, raw.subject) ?? raw.subject }),
      end: () => void subscription.close().catch(() => undefined),
    });
    return subscription;
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.ownsBroker) this.broker.close();
  }
}
