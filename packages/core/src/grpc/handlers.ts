/**
 * Promise-based handlers for grpc-js. A handler returns a value or throws a
 * StatusError; anything else it throws is a bug: logged with the method and
 * answered INTERNAL, never leaking the message to the caller.
 */
import { Metadata, status, type sendUnaryData, type ServerReadableStream, type ServerUnaryCall, type ServerWritableStream, type ServiceError } from '@grpc/grpc-js';

/** What every server call has: a cancellation flag and a 'cancelled' event. */
interface CancellableCall {
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
}

import { CallClosedError } from '../errors';
import type { Logger } from '../logger';
import { isStatusError, unavailable } from './status';

export interface HandlerContext {
  readonly logger: Logger;
  readonly method: string;
}

/**
 * SQLSTATE codes of a database that is away for now (the connection
 * exceptions of class 08 but its protocol violation, a bug; shutting down or
 * restarting, 57P01-57P03; too many connections, 53300), and the socket errors
 * of one that cannot be reached.
 */
const AWAY_CODE = /^(08000|08001|08003|08004|08006|08007|57P01|57P02|57P03|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/;
/**
 * What pg says when a connection broke under a query, or a query came to a
 * connection that had broken; and what PostgreSQL says while a database takes
 * no connections (ALLOW_CONNECTIONS false, for maintenance).
 */
const AWAY_MESSAGE = /^(Connection terminated|Client has encountered a connection error|database ".*" is not currently accepting connections$)/;

/** Whether an error is the database being away for now (a restart, a failover, a lost connection): the call may be made again. */
export function isDatabaseAway(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && AWAY_CODE.test(code)) || (typeof message === 'string' && AWAY_MESSAGE.test(message));
}

/** How often each method of a service says its database is away, at most: every client's calls meet an outage at once. */
const AWAY_NOTICE_EVERY_MS = 5_000;
/** Per service logger and method: when it last said so, and how many calls were answered UNAVAILABLE since. */
const awayNotices = new WeakMap<Logger, Map<string, { atMs: number; calls: number }>>();

function noticeAway(error: unknown, context: HandlerContext): void {
  const notices = awayNotices.get(context.logger) ?? new Map<string, { atMs: number; calls: number }>();
  awayNotices.set(context.logger, notices);
  const now = Date.now();
  const last = notices.get(context.method);
  if (last && now - last.atMs < AWAY_NOTICE_EVERY_MS) {
    last.calls += 1;
    return;
  }
  notices.set(context.method, { atMs: now, calls: 0 });
  context.logger.warn({ reason: (error as Error).message, method: context.method, callsSinceLastNotice: last?.calls ?? 0 }, 'the database is away: answered UNAVAILABLE');
}

/** Turns anything a handler threw into what the caller sees: UNAVAILABLE while the database is away, INTERNAL for a bug. */
export function toServiceError(error: unknown, context: HandlerContext): Partial<ServiceError> {
  if (isStatusError(error)) return error;
  if (isDatabaseAway(error)) {
    noticeAway(error, context);
    return unavailable(`${context.method} cannot reach its database for now; try again`);
  }
  context.logger.error({ err: error, method: context.method }, 'bug: unexpected error escaped a handler');
  return { code: status.INTERNAL, details: `internal error in ${context.method}`, metadata: new Metadata() };
}

/** An AbortSignal that fires when the caller cancels or the deadline passes. */
export function callSignal(call: CancellableCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.once('cancelled', () => controller.abort());
  return controller.signal;
}

export type UnaryHandler<Req, Res> = (request: Req, call: ServerUnaryCall<Req, Res>, signal: AbortSignal) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (request: Req, call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>;
export type ClientStreamHandler<Req, Res> = (messages: AsyncIterable<Req>, call: ServerReadableStream<Req, Res>, signal: AbortSignal) => Promise<Res>;

/** Wraps the async handlers of one service for grpc-js, with error mapping. */
export class HandlerFactory {
  constructor(
    private readonly logger: Logger,
    private readonly service: string,
  ) {}

  private context(method: string): HandlerContext {
    return { logger: this.logger, method: `${this.service}/${method}` };
  }

  unary<Req, Res>(method: string, handler: UnaryHandler<Req, Res>) {
    const context = this.context(method);
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      handler(call.request, call, callSignal(call)).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error, context)),
      );
    };
  }

  serverStream<Req, Res>(method: string, handler: ServerStreamHandler<Req, Res>) {
    const context = this.context(method);
    return (call: ServerWritableStream<Req, Res>): void => {
      handler(call.request, call, callSignal(call)).then(
        () => call.end(),
        (error: unknown) => {
          // grpc-js sends the status of an error emitted on the call; destroy() would drop it.
          if (!call.cancelled) call.emit('error', toServiceError(error, context));
        },
      );
    };
  }

  clientStream<Req, Res>(method: string, handler: ClientStreamHandler<Req, Res>) {
    const context = this.context(method);
    return (call: ServerReadableStream<Req, Res>, callback: sendUnaryData<Res>): void => {
      handler(call as AsyncIterable<Req>, call, callSignal(call)).then(
        (response) => callback(null, response),
        (error: unknown) => {
          // Stop reading what the client still sends; the status ends the call.
          call.pause();
          callback(toServiceError(error, context));
        },
      );
    };
  }
}

/**
 * Writes to a server stream respecting backpressure. When the stream cannot
 * take the message yet, waits for it to drain; a client that cancels or goes
 * away meanwhile closes the stream without draining it, which rejects (so the
 * handler ends and lets go of what it holds).
 */
export function writeMessage<Res>(call: ServerWritableStream<unknown, Res>, message: Res): Promise<void> {
  if (call.destroyed) return Promise.reject(new CallClosedError());
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      call.off('drain', onDrain);
      call.off('error', onError);
      call.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onError = (error: Error): void => settle(error);
    const onClose = (): void => settle(new CallClosedError());
    call.once('drain', onDrain);
    call.once('error', onError);
    call.once('close', onClose);
  });
}
