/**
 * Traces of the domain. One trace per training round: its trace id and the id
 * of its root span are a function of (chain, job, round), so every service
 * that touches the round (the aggregator that opens it, trainers, validators
 * that verify and commit it) puts its spans under the same root without any
 * consensus message carrying trace context. Where a message does go between
 * services, context also travels the usual way: W3C `traceparent` in event
 * headers and gRPC metadata.
 */
import { createHash } from 'node:crypto';

import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type TimeInput,
} from '@opentelemetry/api';

export { SpanStatusCode, type Context, type Span } from '@opentelemetry/api';

/** The tracer every learnchain span comes from. */
export const TRACER_NAME = 'learnchain';

/** The span attribute naming the service that made a span (in-process meshes share one resource). */
export const SERVICE_ATTRIBUTE = 'learnchain.service';

export interface RoundRef {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
}

export interface RoundTraceIds {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits: the round's root span. */
  readonly spanId: string;
}

/** The trace id and root span id of a round: SHA-256 of (chain, job, round), never all zeros. */
export function roundTraceIds(ref: RoundRef): RoundTraceIds {
  const digest = createHash('sha256').update(`learnchain/round-trace\n${ref.chainId}\n${ref.jobId}\n${ref.round}`).digest();
  // An all-zero id is invalid in W3C trace context; a digest of 24 zero bytes does not happen, but stay valid anyway.
  if (digest.subarray(0, 24).every((b) => b === 0)) digest[0] = 1;
  return { traceId: digest.subarray(0, 16).toString('hex'), spanId: digest.subarray(16, 24).toString('hex') };
}

/** A context whose parent is the round's root span, from anywhere: a service joins the round's trace with it. */
export function roundContext(ref: RoundRef): Context {
  const { traceId, spanId } = roundTraceIds(ref);
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** Ids that the next root span of this process takes (set only around one startSpan call). */
let nextRootIds: RoundTraceIds | undefined;

/**
 * The ids the span being started must take: set only for the duration of one
 * synchronous startSpan in `startRoundSpan`. The id generator that
 * startTelemetry installs consults it.
 */
export function fixedRootIds(): RoundTraceIds | undefined {
  return nextRootIds;
}

export interface SpanOptions {
  /** The service making the span: 'aggregator', 'trainer', 'validator', 'registry'. */
  readonly service: string;
  readonly attributes?: Attributes;
  /** The parent; the active context when absent. */
  readonly parent?: Context;
  readonly startTime?: TimeInput;
}

/**
 * Starts the root span of a round with the round's own ids (see roundTraceIds),
 * so that spans others start from `roundContext` are its children. Under a
 * tracer provider that is not learnchain's the ids are random (spans made from
 * `roundContext` then form a trace of their own).
 */
export function startRoundSpan(ref: RoundRef, options: SpanOptions): Span {
  nextRootIds = roundTraceIds(ref);
  try {
    return trace.getTracer(TRACER_NAME).startSpan(
      'round',
      {
        root: true,
        attributes: { [SERVICE_ATTRIBUTE]: options.service, 'learnchain.chain': ref.chainId, 'learnchain.job': ref.jobId, 'learnchain.round': ref.round, ...options.attributes },
        ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
      },
      ROOT_CONTEXT,
    );
  } finally {
    nextRootIds = undefined;
  }
}

/** Starts a span (not made active); end it yourself. */
export function startSpan(name: string, options: SpanOptions): Span {
  return trace.getTracer(TRACER_NAME).startSpan(
    name,
    { attributes: { [SERVICE_ATTRIBUTE]: options.service, ...options.attributes }, ...(options.startTime !== undefined ? { startTime: options.startTime } : {}) },
    options.parent ?? context.active(),
  );
}

/**
 * Runs `work` inside a new active span: calls it makes (gRPC, pg, events)
 * become children. A throw marks the span as failed and is rethrown.
 */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** Runs `work` with `ctx` active (so events published and calls made in it carry that trace). */
export function withContext<T>(ctx: Context, work: () => T): T {
  return context.with(ctx, work);
}

/** The active trace context as string headers (`traceparent`, `tracestate`); empty without a propagator or span. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context that string headers carry (the root context when they carry none). */
export function contextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The trace id of the active span, if any. */
export function activeTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}
