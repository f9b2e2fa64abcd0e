/**
 * Client helpers: every call carries a deadline, honours an AbortSignal, and
 * returns a promise (unary, client-streaming) or an async iterable
 * (server-streaming).
 */
import {
  credentials,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type ChannelOptions,
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type requestCallback,
} from '@grpc/grpc-js';

import { DEFAULT_MAX_MESSAGE_BYTES } from './server';

/** Unary calls that are not told otherwise give up after this long. */
export const DEFAULT_DEADLINE_MS = 10_000;

export interface CallOptions {
  /** Milliseconds from now; DEFAULT_DEADLINE_MS when absent. Streams may pass Infinity. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly metadata?: Metadata;
}

export interface ClientOptions {
  readonly maxMessageBytes?: number;
  readonly channelOptions?: ChannelOptions;
}

type ClientConstructor<C extends Client> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: ChannelOptions) => C;

/** A client for `address` (host:port) with explicit message limits. */
export function createClient<C extends Client>(Service: ClientConstructor<C>, address: string, options: ClientOptions = {}): C {
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return new Service(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': limit,
    'grpc.max_send_message_length': limit,
    // the receive window: a whole message in flight without waiting for window updates
    'grpc-node.flow_control_window': limit,
    ...options.channelOptions,
  });
}

function grpcOptions(options: CallOptions): GrpcCallOptions {
  const ms = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  return Number.isFinite(ms) ? { deadline: Date.now() + ms } : {};
}

function linkAbort(signal: AbortSignal | undefined, cancel: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    cancel();
    return () => undefined;
  }
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

// The last overload of each generated method is (argument, callback): conditional
// types infer from it, which gives the request and response types.
type UnaryRequest<M> = M extends (argument: infer Req, callback: requestCallback<infer _Res>) => ClientUnaryCall ? Req : never;
type UnaryResponse<M> = M extends (argument: infer _Req, callback: requestCallback<infer Res>) => ClientUnaryCall ? Res : never;
type StreamRequest<M> = M extends (argument: infer Req) => ClientReadableStream<infer _Res> ? Req : never;
type StreamResponse<M> = M extends (argument: infer _Req) => ClientReadableStream<infer Res> ? Res : never;
type UploadRequest<M> = M extends (callback: requestCallback<infer _Res>) => ClientWritableStream<infer Req> ? Req : never;
type UploadResponse<M> = M extends (callback: requestCallback<infer Res>) => ClientWritableStream<infer _Req> ? Res : never;

type Method = (...args: unknown[]) => unknown;

function method<C extends Client>(client: C, name: keyof C & string): Method {
  const fn = client[name];
  if (typeof fn !== 'function') throw new TypeError(`${name} is not a method of this client`);
  return (fn as Method).bind(client);
}

/** A unary call as a promise. */
export function unary<C extends Client, K extends keyof C & string>(
  client: C,
  name: K,
  request: UnaryRequest<C[K]>,
  options: CallOptions = {},
): Promise<UnaryResponse<C[K]>> {
  return new Promise((resolve, reject) => {
    let unlink = (): void => undefined;
    const call = method(client, name)(request, options.metadata ?? new Metadata(), grpcOptions(options), (error: Error | null, response?: UnaryResponse<C[K]>) => {
      unlink();
      if (error) reject(error);
      else resolve(response as UnaryResponse<C[K]>);
    }) as ClientUnaryCall;
    unlink = linkAbort(options.signal, () => call.cancel());
  });
}

/** A server-streaming call as an async iterable; breaking out of the loop cancels the call. */
export async function* serverStream<C extends Client, K extends keyof C & string>(
  client: C,
  name: K,
  request: StreamRequest<C[K]>,
  options: CallOptions = {},
): AsyncGenerator<StreamResponse<C[K]>> {
  const call = method(client, name)(request, options.metadata ?? new Metadata(), grpcOptions({ deadlineMs: Infinity, ...options })) as ClientReadableStream<StreamResponse<C[K]>>;
  const unlink = linkAbort(options.signal, () => call.cancel());
  try {
    for await (const message of call) yield message as StreamResponse<C[K]>;
  } finally {
    unlink();
    call.cancel();
  }
}

/** A client-streaming call: write messages (respecting backpressure), then `finish` for the response. */
export interface Upload<Req, Res> {
  write(message: Req): Promise<void>;
  finish(): Promise<Res>;
  cancel(): void;
}

export function clientStream<C extends Client, K extends keyof C & string>(
  client: C,
  name: K,
  options: CallOptions = {},
): Upload<UploadRequest<C[K]>, UploadResponse<C[K]>> {
  let settled: { error: Error | null; response?: UploadResponse<C[K]> } | undefined;
  const waiters: Array<() => void> = [];
  const call = method(client, name)(options.metadata ?? new Metadata(), grpcOptions(options), (error: Error | null, response?: UploadResponse<C[K]>) => {
    settled = response === undefined ? { error } : { error, response };
    for (const wake of waiters.splice(0)) wake();
  }) as ClientWritableStream<UploadRequest<C[K]>>;
  const unlink = linkAbort(options.signal, () => call.cancel());
  const result = (): Promise<UploadResponse<C[K]>> =>
    new Promise((resolve, reject) => {
      const deliver = (): void => {
        unlink();
        if (settled?.error) reject(settled.error);
        else resolve(settled?.response as UploadResponse<C[K]>);
      };
      if (settled) deliver();
      else waiters.push(deliver);
    });
  return {
    write(message) {
      if (settled?.error) return Promise.reject(settled.error);
      if (call.write(message)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onDrain = (): void => resolve();
        call.once('drain', onDrain);
        // The server may answer (with an error) before it drains.
        waiters.push(() => {
          call.off('drain', onDrain);
          if (settled?.error) reject(settled.error);
          else resolve();
        });
      });
    },
    finish() {
      call.end();
      return result();
    },
    cancel() {
      call.cancel();
    },
  };
}
