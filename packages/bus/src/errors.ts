/**
 * Errors of the event bus. Each names the thing it is about in readonly
 * fields, so a caller can react to the case without parsing messages.
 */

/** Base class: every error this package throws on purpose extends it. */
export class BusError extends Error {
  override readonly name: string = 'BusError';
}

/**
 * Thrown when a payload does not match its subject's schema: at publish (the
 * event is not sent) and at decode (the stored message is terminated and
 * reported, never handed to the consumer as an event).
 */
export class MalformedEventError extends BusError {
  override readonly name = 'MalformedEventError';
  constructor(
    readonly subject: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`malformed ${subject} event: ${field} ${reason}`);
  }
}

/** Thrown when a subject is not in the table of event subjects (publish or subscribe). */
export class UnknownSubjectError extends BusError {
  override readonly name = 'UnknownSubjectError';
  constructor(readonly subject: string) {
    super(`unknown event subject ${JSON.stringify(subject)}`);
  }
}

/**
 * Thrown when a stream, consumer, subject prefix or header name is not usable
 * as a NATS name (or a header value would break the wire format).
 */
export class InvalidNameError extends BusError {
  override readonly name = 'InvalidNameError';
  constructor(
    readonly kind: 'stream' | 'consumer' | 'prefix' | 'header',
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid ${kind} name ${JSON.stringify(value)}: ${reason}`);
  }
}

/** Thrown when an option of a bus or subscription is out of range. */
export class InvalidOptionError extends BusError {
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`invalid option ${option}: ${reason}`);
  }
}

/** Thrown by publish and subscribe once the bus is closing or closed. */
export class BusClosedError extends BusError {
  override readonly name = 'BusClosedError';
  constructor(readonly operation: 'publish' | 'subscribe') {
    super(`cannot ${operation}: the event bus is closed`);
  }
}

/** Thrown when the transport does not confirm a publish (no stream, timeout, lost connection). */
export class PublishFailedError extends BusError {
  override readonly name = 'PublishFailedError';
  constructor(
    readonly subject: string,
    options: { cause: unknown },
  ) {
    super(`publish of ${subject} was not confirmed: ${describe(options.cause)}`, options);
  }
}

/** Thrown by `ack()` when the transport does not confirm the acknowledgement. */
export class AckFailedError extends BusError {
  override readonly name = 'AckFailedError';
  constructor(
    readonly sequence: number,
    options?: { cause: unknown },
  ) {
    super(`ack of stream sequence ${sequence} was not confirmed${options ? `: ${describe(options.cause)}` : ''}`, options);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
