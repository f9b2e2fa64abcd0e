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
import { SpanKind } from '@opentelemetry/api';
import { BatchSpanProcessor, RandomIdGenerator, type IdGenerator, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

import { fixedRootIds, SERVICE_ATTRIBUTE } from './tracing';

export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceInstance?: string;
  /** OTLP/gRPC endpoint, e.g. http://otel-collector:4317. Absent: nothing is exported. */
  readonly endpoint?: string;
  readonly spanProcessors?: readonly SpanProcessor[];
  /** The one service this process runs ('registry', ...): spans that name none (gRPC clients, pg) are marked with it. */
  readonly service?: string;
}

export interface Telemetry {
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

/** Random ids, except for a round's root span, which takes the round's own (see tracing.ts). */
class RoundIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();

  generateTraceId(): string {
    return fixedRootIds()?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return fixedRootIds()?.spanId ?? this.random.generateSpanId();
  }
}

/** A gRPC server span's name names the service that serves it: grpc.learnchain.v1.Registry/List. */
const SERVER_SPAN = /^grpc\.learnchain\.v1\.(Registry|Aggregator|Validator|Consensus)\//;
const SERVICE_OF: Readonly<Record<string, string>> = { Registry: 'registry', Aggregator: 'aggregator', Validator: 'validator', Consensus: 'validator' };

/**
 * Marks each span with the service that made it (the `learnchain.service`
 * attribute): gRPC server spans by the service they serve, other spans by the
 * process's own service when it runs one. Domain spans name theirs already.
 */
class ServiceAttributeProcessor implements SpanProcessor {
  constructor(private readonly service: string | undefined) {}

  onStart(span: Span): void {
    if (span.attributes[SERVICE_ATTRIBUTE] !== undefined) return;
    const served = span.kind === SpanKind.SERVER ? SERVER_SPAN.exec(span.name)?.[1] : undefined;
    const service = served ? SERVICE_OF[served] : this.service;
    if (service) span.setAttribute(SERVICE_ATTRIBUTE, service);
  }

  onEnd(): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

/** Modules the instrumentations patch; a service's main has loaded them before telemetry starts. */
const INSTRUMENTED_MODULES = ['@grpc/grpc-js', 'pg'] as const;

/**
 * Instrumentations patch a module when it is required after they are enabled.
 * A service's main imports gRPC (through @learnchain/core) before it can start
 * telemetry, so require each module once more now: the require hook then
 * patches the loaded module in place (prototypes and exports that every
 * importer shares). Where no require hook runs (a test runner's own module
 * registry), apply each instrumentation's patch to the module directly.
 */
function patchLoadedModules(instrumentations: readonly object[]): void {
  for (const name of INSTRUMENTED_MODULES) {
    let exports: unknown;
    try {
      exports = require(name) as unknown;
    } catch {
      continue; // not installed here
    }
    for (const instrumentation of instrumentations) {
      const definitions = (instrumentation as { getModuleDefinitions?: () => readonly ModuleDefinition[] }).getModuleDefinitions?.() ?? [];
      for (const definition of definitions) {
        if (definition.name !== name || definition.moduleExports !== undefined || typeof definition.patch !== 'function') continue;
        definition.moduleExports = exports;
        definition.patch(exports);
      }
    }
  }
}

interface ModuleDefinition {
  readonly name: string;
  moduleExports?: unknown;
  readonly patch?: (exports: unknown, version?: string) => unknown;
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  // No collector: do not let the SDK try to export metrics or logs anywhere.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // The marking processor also keeps a tracer installed when nothing is
  // exported, so logs and gRPC hops still carry real trace ids.
  const processors: SpanProcessor[] = [new ServiceAttributeProcessor(options.service), ...(options.spanProcessors ?? [])];
  if (options.endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint })));
  const instrumentations = [new GrpcInstrumentation(), new PgInstrumentation()];
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.serviceInstance ? { 'service.instance.id': options.serviceInstance } : {}),
    }),
    spanProcessors: processors,
    idGenerator: new RoundIdGenerator(),
    instrumentations,
  });
  sdk.start();
  patchLoadedModules(instrumentations);
  return {
    exporting: options.endpoint !== undefined,
    shutdown: () => sdk.shutdown(),
  };
}
