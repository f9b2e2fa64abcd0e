/**
 * pino JSON logs. Every line carries the service and node, and the trace and
 * span ids of the active OpenTelemetry span, so a log line leads to its trace.
 */
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly node?: string;
  readonly level?: LevelWithSilent;
  /** Where lines go; stdout by default (tests pass a stream to read them back). */
  readonly destination?: DestinationStream;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(options: LoggerOptions): Logger {
  const base = { service: options.service, ...(options.node ? { node: options.node } : {}) };
  const settings = {
    level: options.level ?? 'info',
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
