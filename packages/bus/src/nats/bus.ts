/**
 * NatsEventBus: the EventBus on NATS JetStream. Events are stored in one
 * stream under `<prefix>.learnchain.>`; consumers are JetStream pull
 * consumers with explicit acks, durable when named, so a service that
 * restarts carries on from its last acknowledged event.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JetStreamPublishOptions,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { EventBus, PublishAck, PublishOptions, StartPosition, SubscribeOptions, Subscription } from '../bus';
import { allSubjects, checkHeaders, checkName, checkPrefix, encodePayload, isTransportHeader, qualify, unqualify } from '../codec';
import { AckFailedError, BusClosedError, PublishFailedError } from '../errors';
import { withTraceHeaders } from '../trace';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_ACK_PENDING, maxAge, planConsumer, positive, type ConsumerDefaults } from '../options';
import type { PayloadOf, Subject } from '../subjects';
import { EventSubscription, type RawDelivery } from '../subscription';
import { ensureDurable, ensureStream, supportsFilterSubjects } from './admin';

export interface NatsEventBusOptions {
  /** NATS server URLs, e.g. `nats://127.0.0.1:4222`. Ignored when `connection` is given. */
  readonly servers?: string | readonly string[];
  /** An open connection to use; the bus then leaves it open on close. */
  readonly connection?: NatsConnection;
  /** The JetStream stream holding the events; created when missing. */
  readonly stream: string;
  /** Namespace for subjects (e.g. a chain id), so several meshes share one NATS; empty for none. */
  readonly subjectsPrefix?: string;
  /** Client name shown by the server (default `learnchain-bus`). */
  readonly connectionName?: string;
  /** Default ack wait of subscriptions (default 30 s). */
  readonly ackWaitMs?: number;
  /** Default limit of unacknowledged deliveries per consumer (default 1000). */
  readonly maxAckPending?: number;
  /** How long the stream remembers publish ids for deduplication (default 2 minutes). Applies when the stream is created; never longer than the age limit. */
  readonly duplicateWindowMs?: number;
  /**
   * How long the stream keeps events; 0 for no age limit. Set on a stream this
   * creates, and on an existing one whose limit differs; absent: a new stream
   * has no age limit and an existing one keeps its own.
   */
  readonly maxAgeMs?: number;
  /** Stream storage (default `file`). Applies when the stream is created. */
  readonly storage?: 'file' | 'memory';
  /** Deadline of each JetStream request: publish, ack, administration (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** Reconnect attempts after a lost connection; -1 (the default) retries for ever. */
  readonly maxReconnectAttempts?: number;
}

/** How long an ephemeral consumer outlives a lost client before the server removes it. */
const EPHEMERAL_INACTIVE_MS = 60_000;
/** The most messages one pull asks for. */
const MAX_PULL = 256;

export class NatsEventBus implements EventBus {
  private lifecycle: 'open' | 'closed' = 'open';
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();

  private constructor(
    private readonly connection: NatsConnection,
    private readonly ownsConnection: boolean,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly prefix: string,
    private readonly defaults: ConsumerDefaults,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Connects (unless given a connection), makes sure the stream exists and covers the prefix, and returns the bus. */
  static async create(options: NatsEventBusOptions): Promise<NatsEventBus> {
    const stream = checkName('stream', options.stream);
    const prefix = checkPrefix(options.subjectsPrefix ?? '');
    const defaults = {
      ackWaitMs: positive('ackWaitMs', options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      maxAckPending: positive('maxAckPending', options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING),
    };
    const timeout = positive('requestTimeoutMs', options.requestTimeoutMs ?? 5_000);
    const duplicateWindowMs = positive('duplicateWindowMs', options.duplicateWindowMs ?? 120_000);
    const ageLimit = options.maxAgeMs === undefined ? {} : { maxAgeMs: maxAge(options.maxAgeMs) };
    const connection =
      options.connection ??
      (await connect({
        servers: typeof options.servers === 'string' ? options.servers : [...(options.servers ?? [])],
        name: options.connectionName ?? 'learnchain-bus',
        maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
        timeout,
      }));
    try {
      const jsm = await jetstreamManager(connection, { timeout });
      await ensureStream(jsm, {
        name: stream,
        subject: allSubjects(prefix),
        storage: options.storage ?? 'file',
        duplicateWindowMs,
        ...ageLimit,
      });
      const js = jetstream(connection, { timeout });
      return new NatsEventBus(connection, options.connection === undefined, js, jsm, stream, prefix, defaults, timeout);
    } catch (error) {
      if (options.connection === undefined) await connection.close();
      throw error;
    }
  }

  async publish<S extends Subject>(subject: S, payload: PayloadOf<S>, options: PublishOptions = {}): Promise<PublishAck> {
    if (this.lifecycle !== 'open') throw new BusClosedError('publish');
    const headers = checkHeaders(withTraceHeaders(options.headers ?? {}));
    const data = encodePayload(subject, payload);
    const publishOptions: Partial<JetStreamPublishOptions> = { timeout: this.requestTimeoutMs, expect: { streamName: this.stream } };
    if (options.msgId !== undefined) publishOptions.msgID = options.msgId;
    if (Object.keys(headers).length > 0) publishOptions.headers = toNatsHeaders(headers);
    try {
      const ack = await this.js.publish(qualify(this.prefix, subject), data, publishOptions);
      return { sequence: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      throw new PublishFailedError(subject, { cause: error });
    }
  }

  async subscribe<S extends Subject = Subject>(options: SubscribeOptions<S> = {}): Promise<Subscription<S>> {
    if (this.lifecycle !== 'open') throw new BusClosedError('subscribe');
    const plan = planConsumer(options, this.defaults);
    const filters = plan.subjects?.map((s) => qualify(this.prefix, s)) ?? [allSubjects(this.prefix)];
    const [only] = filters;
    let skipOthers: ReadonlySet<string> | undefined;
    let filter: Partial<ConsumerConfig>;
    if (filters.length === 1 && only !== undefined) filter = { filter_subject: only };
    else if (supportsFilterSubjects(this.connection.info?.version)) filter = { filter_subjects: filters };
    else {
      // Older servers take one filter: take every subject of the prefix and skip the others here.
      filter = { filter_subject: allSubjects(this.prefix) };
      skipOthers = new Set(plan.subjects);
    }
    const config: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(plan.ackWaitMs),
      max_ack_pending: plan.maxAckPending,
      ...startAt(plan.from),
      ...filter,
    };
    let name: string;
    if (plan.durable !== undefined) {
      name = plan.durable;
      await ensureDurable(this.jsm, this.stream, name, config);
    } else {
      const info = await this.jsm.consumers.add(this.stream, { ...config, inactive_threshold: nanos(EPHEMERAL_INACTIVE_MS) });
      name = info.name;
    }
    const durable = plan.durable !== undefined;
    const consumer = await this.js.consumers.get(this.stream, name);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.min(plan.maxAckPending, MAX_PULL) });
    const subscription: EventSubscription<S> = new EventSubscription<S>({
      consumer: name,
      subjects: skipOthers,
      onMalformed: options.onMalformed,
      signal: options.signal,
      detach: async () => {
        this.subscriptions.delete(subscription);
        await messages.close();
        if (!durable && !this.connection.isClosed()) await this.jsm.consumers.delete(this.stream, name).catch(() => false);
      },
    });
    this.subscriptions.add(subscription);
    void this.feed(messages, subscription);
    if (this.lifecycle !== 'open') {
      // The bus closed while the consumer was being set up.
      await subscription.close();
      throw new BusClosedError('subscribe');
    }
    return subscription;
  }

  /** Ends every subscription, then drains the connection if the bus opened it. Idempotent. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    if (this.ownsConnection && !this.connection.isClosed()) await this.connection.drain();
  }

  private async feed<S extends Subject>(messages: ConsumerMessages, subscription: EventSubscription<S>): Promise<void> {
    try {
      for await (const message of messages) subscription.push(this.toRaw(message));
      await subscription.close();
    } catch (error) {
      subscription.fail(error);
    }
  }

  private toRaw(message: JsMsg): RawDelivery {
    const timeout = this.requestTimeoutMs;
    return {
      subject: unqualify(this.prefix, message.subject) ?? message.subject,
      sequence: message.seq,
      publishedAt: message.time.getTime(),
      headers: fromNatsHeaders(message.headers),
      data: message.data,
      deliveryCount: message.info.deliveryCount,
      ack: async () => {
        try {
          await message.ackAck({ timeout });
        } catch (error) {
          throw new AckFailedError(message.seq, { cause: error });
        }
      },
      nak: async (delayMs?: number) => message.nak(delayMs),
      term: async () => message.term(),
    };
  }
}

function startAt(from: StartPosition): Partial<ConsumerConfig> {
  if (from === 'all') return { deliver_policy: DeliverPolicy.All };
  if (from === 'new') return { deliver_policy: DeliverPolicy.New };
  if ('time' in from) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(from.time).toISOString() };
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.sequence };
}

function toNatsHeaders(headers: Readonly<Record<string, string>>): MsgHdrs {
  const out = natsHeaders();
  for (const [name, value] of Object.entries(headers)) out.set(name, value);
  return out;
}

function fromNatsHeaders(headers: MsgHdrs | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name of headers.keys()) if (!isTransportHeader(name)) out[name] = headers.get(name);
  return out;
}
