/** Subscription options, checked and completed with defaults, shared by both adapters. */
import type { StartPosition, SubscribeOptions } from './bus';
import { checkName } from './codec';
import { InvalidOptionError, UnknownSubjectError } from './errors';
import { isSubject, type Subject } from './subjects';

/** Defaults a bus applies to its subscriptions. */
export interface ConsumerDefaults {
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
}

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 1_000;

/** A subscription's options after checking. */
export interface ConsumerPlan {
  /** Durable consumer name, or undefined for an ephemeral consumer. */
  readonly durable: string | undefined;
  /** The subjects asked for, or undefined for all. */
  readonly subjects: readonly Subject[] | undefined;
  readonly from: StartPosition;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
}

/** Checks subscription options; throws InvalidOptionError, InvalidNameError or UnknownSubjectError. */
export function planConsumer<S extends Subject>(options: SubscribeOptions<S>, defaults: ConsumerDefaults): ConsumerPlan {
  const durable = options.consumer === undefined ? undefined : checkName('consumer', options.consumer);
  let subjects: Subject[] | undefined;
  if (options.subjects !== undefined) {
    if (options.subjects.length === 0) throw new InvalidOptionError('subjects', 'must name at least one subject, or be left out for all');
    subjects = [];
    for (const subject of options.subjects) {
      if (!isSubject(subject)) throw new UnknownSubjectError(subject);
      if (!subjects.includes(subject)) subjects.push(subject);
    }
  }
  const from = options.from ?? 'all';
  if (typeof from === 'object' && 'time' in from) {
    if (!(Number.isSafeInteger(from.time) && from.time >= 0)) throw new InvalidOptionError('from.time', `must be milliseconds since the epoch, got ${from.time}`);
  } else if (typeof from === 'object' && !(Number.isSafeInteger(from.sequence) && from.sequence >= 1)) {
    throw new InvalidOptionError('from.sequence', `must be an integer of at least 1, got ${from.sequence}`);
  }
  const ackWaitMs = positive('ackWaitMs', options.ackWaitMs ?? defaults.ackWaitMs);
  const maxAckPending = positive('maxAckPending', options.maxAckPending ?? defaults.maxAckPending);
  return { durable, subjects, from, ackWaitMs, maxAckPending };
}

/** The shortest age limit a stream takes (JetStream refuses very short ones; an event must outlive its own publish). */
export const MIN_MAX_AGE_MS = 1_000;

/** The longest (about 31 years; JetStream counts nanoseconds in 64 bits). */
export const MAX_MAX_AGE_MS = 1e12;

/** Checks a stream's age limit: 0 (no limit), or MIN_MAX_AGE_MS to MAX_MAX_AGE_MS milliseconds. */
export function maxAge(value: number): number {
  if (!Number.isSafeInteger(value) || (value !== 0 && (value < MIN_MAX_AGE_MS || value > MAX_MAX_AGE_MS))) {
    throw new InvalidOptionError('maxAgeMs', `must be 0 (no age limit) or from ${MIN_MAX_AGE_MS} to ${MAX_MAX_AGE_MS} ms, got ${value}`);
  }
  return value;
}

/** Checks that `value` is a positive safe integer. */
export function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError(option, `must be a positive integer, got ${value}`);
  return value;
}
