/**
 * Trace context in event headers (W3C `traceparent`, `tracestate`): an event
 * published inside a span carries that span's context, and a consumer
 * continues the trace from `traceContextOf(delivery)`. Without a registered
 * OpenTelemetry SDK the propagator is a no-op and no header is added.
 */
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

import type { EventEnvelope } from './bus';

/** `headers` plus the active trace context, unless the caller already set one. */
export function withTraceHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'traceparent')) return headers;
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The trace context an event was published in (the root context when it carries none). */
export function traceContextOf(envelope: Pick<EventEnvelope, 'headers'>): Context {
  return propagation.extract(ROOT_CONTEXT, envelope.headers);
}
