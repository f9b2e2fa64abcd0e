/**
 * OpenTelemetry bootstrap. Tracing is always on inside the process (so logs
 * carry trace ids and context crosses gRPC hops); spans are exported over OTLP
 * only when an endpoint is configured, and to whatever extra processors a caller
 * passes (tests read spans back from an in-memory exporter).
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceInstance?: string;
  /** OTLP/gRPC endpoint, e.g. http://otel-collector:4317. Absent: nothing is exported. */
  readonly endpoint?: string;
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface Telemetry {
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  // No collector: do not let the SDK try to export metrics or logs anywhere.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint })));
  // With nothing to export to, the SDK would install no tracer at all; a no-op
  // processor keeps real span contexts, so logs and gRPC hops carry trace ids.
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.serviceInstance ? { 'service.instance.id': options.serviceInstance } : {}),
    }),
    spanProcessors: processors,
    instrumentations: [new GrpcInstrumentation(), new PgInstrumentation()],
  });
  sdk.start();
  return {
    exporting: options.endpoint !== undefined,
    shutdown: () => sdk.shutdown(),
  };
}
