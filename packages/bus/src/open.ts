/** A service's event bus from its settings: NATS JetStream when a URL is given, otherwise an in-process bus of its own. */
import type { EventBus } from './bus';
import { LocalEventBus } from './local/bus';
import { NatsEventBus } from './nats/bus';

export interface EventBusSettings {
  /** NATS server URL; absent: events stay in this process. */
  readonly nats?: string | undefined;
  readonly stream: string;
  /** How long the stream keeps events (0: no age limit). */
  readonly maxAgeMs: number;
  /** The chain id: several meshes may share one NATS. */
  readonly subjectsPrefix: string;
  /** The client name the NATS server shows. */
  readonly connectionName: string;
}

export async function openEventBus(settings: EventBusSettings): Promise<EventBus> {
  const { nats, stream, maxAgeMs, subjectsPrefix, connectionName } = settings;
  return nats ? NatsEventBus.create({ servers: nats, stream, maxAgeMs, subjectsPrefix, connectionName }) : LocalEventBus.create({ stream, maxAgeMs, subjectsPrefix });
}
