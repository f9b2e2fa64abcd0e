/**
 * @learnchain/bus: typed events over NATS JetStream, and a local in-process
 * transport for the devnet, behind one EventBus port.
 */
export type {
  Delivery,
  DeliveryOf,
  EventBus,
  EventEnvelope,
  PublishAck,
  PublishOptions,
  StartPosition,
  SubscribeOptions,
  Subscription,
} from './bus';
export { decodePayload, encodePayload } from './codec';
export {
  AckFailedError,
  BusClosedError,
  BusError,
  InvalidNameError,
  InvalidOptionError,
  MalformedEventError,
  PublishFailedError,
  UnknownSubjectError,
} from './errors';
export { LocalEventBus } from './local/bus';
export type { LocalEventBusOptions } from './local/bus';
export { LocalBroker, realTimers } from './local/store';
export type { LocalBrokerOptions, Timers } from './local/store';
export { isSubject, SUBJECT, SUBJECTS } from './subjects';
export type {
  BlockCommitted,
  EventPayloads,
  ExcludedUpdate,
  IncludedUpdate,
  JobCreated,
  MembershipChange,
  MembershipFailed,
  MembershipJoined,
  MembershipLeft,
  NodeRole,
  PayloadOf,
  RoundClosed,
  RoundCommitted,
  RoundFailed,
  RoundOpened,
  Subject,
  UpdateAccepted,
} from './subjects';
export { NatsEventBus } from './nats/bus';
export { openEventBus, type EventBusSettings } from './open';
export { traceContextOf, withTraceHeaders } from './trace';
export type { NatsEventBusOptions } from './nats/bus';
