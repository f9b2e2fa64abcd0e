/**
 * gRPC status errors. A handler reports failure only by throwing one of these;
 * anything else escaping a handler is a bug (logged as one, answered INTERNAL).
 * The field and a stable reason travel in the `learnchain-error-bin` trailer as
 * an ErrorDetail, and in words in the status message.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

import { messageCodec, type MessageCodec, type v1 } from '@learnchain/proto';

export { status as Status } from '@grpc/grpc-js';

export const ERROR_DETAIL_KEY = 'learnchain-error-bin';

export interface ErrorDetail {
  readonly field: string;
  readonly reason: string;
  readonly message: string;
}

/** An error a handler throws to answer with a specific status. */
export class StatusError extends Error implements Partial<ServiceError> {
  readonly metadata: Metadata;
  readonly details: string;

  constructor(
    readonly code: status,
    readonly detail: ErrorDetail,
  ) {
    super(detail.field ? `${detail.field}: ${detail.message}` : detail.message);
    this.name = 'StatusError';
    this.details = this.message;
    this.metadata = new Metadata();
    this.metadata.set(ERROR_DETAIL_KEY, encodeErrorDetail(detail));
  }
}

let codec: MessageCodec<v1.ErrorDetail, v1.ErrorDetail__Output> | undefined;

function errorDetailCodec(): MessageCodec<v1.ErrorDetail, v1.ErrorDetail__Output> {
  codec ??= messageCodec('learnchain.v1.ErrorDetail');
  return codec;
}

function encodeErrorDetail(detail: ErrorDetail): Buffer {
  return errorDetailCodec().encode(detail);
}

/** Bad input: names the request field (dotted path) and why it is refused. */
export function invalidArgument(field: string, message: string, reason = 'invalid'): StatusError {
  return new StatusError(status.INVALID_ARGUMENT, { field, reason, message });
}

/** A missing or bad signature, an unknown key, a stale or replayed proof. */
export function unauthenticated(message: string, reason = 'unauthenticated', field = ''): StatusError {
  return new StatusError(status.UNAUTHENTICATED, { field, reason, message });
}

/** The request names something that does not exist. */
export function notFound(what: string, id: string, field = ''): StatusError {
  return new StatusError(status.NOT_FOUND, { field, reason: 'not_found', message: `${what} ${id} not found` });
}

/** The caller proved who it is, but policy does not let it do this. */
export function permissionDenied(message: string, reason = 'denied', field = ''): StatusError {
  return new StatusError(status.PERMISSION_DENIED, { field, reason, message });
}

/** A queue, a size limit or a rate limit is full. */
export function resourceExhausted(message: string, reason = 'exhausted', field = ''): StatusError {
  return new StatusError(status.RESOURCE_EXHAUSTED, { field, reason, message });
}

/** The request is well formed but comes at the wrong moment (a closed round, an evicted node). */
export function failedPrecondition(message: string, reason = 'precondition', field = ''): StatusError {
  return new StatusError(status.FAILED_PRECONDITION, { field, reason, message });
}

/** The server is shutting down or not ready; the caller may retry elsewhere or later. */
export function unavailable(message: string): StatusError {
  return new StatusError(status.UNAVAILABLE, { field: '', reason: 'unavailable', message });
}

export function isStatusError(error: unknown): error is StatusError {
  return error instanceof StatusError;
}

/** Reads the ErrorDetail a learnchain server attached to a failed call, if any. */
export function errorDetailOf(error: unknown): ErrorDetail | undefined {
  const metadata = (error as Partial<ServiceError> | null)?.metadata;
  if (!(metadata instanceof Metadata)) return undefined;
  const raw = metadata.get(ERROR_DETAIL_KEY)[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  const { field, reason, message } = errorDetailCodec().decode(raw);
  return { field, reason, message };
}
