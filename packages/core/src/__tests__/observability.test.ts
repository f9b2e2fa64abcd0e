import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Pool } from 'pg';
import { Counter } from 'prom-client';

import { describeWith, serviceUrl } from '../../../../test/support/services';

import { metricsRegistry, serveMetrics } from '../metrics';
import { startTelemetry, type Telemetry } from '../telemetry';
import { contextFromHeaders, roundContext, roundTraceIds, startRoundSpan, traceHeaders, withContext, withSpan } from '../tracing';

describe('round traces', () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'learnchain-test', spanProcessors: [processor] });
  });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('derives a valid trace id and root span id from chain, job and round, different for each round', () => {
    const one = roundTraceIds({ chainId: 'c', jobId: 'j', round: 1 });
    expect(one).toEqual(roundTraceIds({ chainId: 'c', jobId: 'j', round: 1 }));
    expect(one.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(one.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(roundTraceIds({ chainId: 'c', jobId: 'j', round: 2 }).traceId).not.toBe(one.traceId);
    expect(roundTraceIds({ chainId: 'c2', jobId: 'j', round: 1 }).traceId).not.toBe(one.traceId);
  });

  it('starts the round span with those ids, and spans started anywhere from the round context become its children', async () => {
    const ref = { chainId: 'chain-a', jobId: 'job-a', round: 3 };
    const ids = roundTraceIds(ref);
    const root = startRoundSpan(ref, { service: 'aggregator' });
    await withSpan('verify round', { service: 'validator', parent: roundContext(ref) }, async () => undefined);
    // A trainer continues from the headers of an event published in the round's context.
    const headers = withContext(roundContext(ref), () => traceHeaders());
    expect(headers.traceparent).toBe(`00-${ids.traceId}-${ids.spanId}-01`);
    await withSpan('train', { service: 'trainer', parent: contextFromHeaders(headers) }, async () => undefined);
    // An ordinary span keeps random ids.
    await withSpan('elsewhere', { service: 'registry' }, async () => undefined);
    root.end();
    await processor.forceFlush();
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect(byName.get('round')?.spanContext()).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId });
    expect(byName.get('round')?.parentSpanContext).toBeUndefined();
    for (const name of ['verify round', 'train']) {
      expect(byName.get(name)?.spanContext().traceId).toBe(ids.traceId);
      expect(byName.get(name)?.parentSpanContext?.spanId).toBe(ids.spanId);
    }
    expect(byName.get('train')?.attributes['learnchain.service']).toBe('trainer');
    expect(byName.get('elsewhere')?.spanContext().traceId).not.toBe(ids.traceId);
    expect(byName.get('elsewhere')?.spanContext().spanId).not.toBe(ids.spanId);
  });

  it('marks a gRPC server span with the service it serves', async () => {
    trace.getTracer('test').startSpan('grpc.learnchain.v1.Registry/List', { kind: SpanKind.SERVER }).end();
    trace.getTracer('test').startSpan('grpc.learnchain.v1.Registry/List', { kind: SpanKind.CLIENT }).end();
    await processor.forceFlush();
    const lists = exporter.getFinishedSpans().filter((s) => s.name === 'grpc.learnchain.v1.Registry/List');
    expect(lists.map((s) => [s.kind, s.attributes['learnchain.service']])).toEqual([
      [SpanKind.SERVER, 'registry'],
      [SpanKind.CLIENT, undefined],
    ]);
  });

  describeWith(['postgres'], 'with PostgreSQL', () => {
    it('makes each query a span of the trace it runs in (pg instrumentation, though pg was loaded first)', async () => {
      const pool = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
      try {
        const ref = { chainId: 'chain-pg', jobId: 'job-pg', round: 1 };
        await withSpan('aggregate', { service: 'aggregator', parent: roundContext(ref) }, () => pool.query('SELECT 1 AS one'));
      } finally {
        await pool.end();
      }
      await processor.forceFlush();
      const spans = exporter.getFinishedSpans();
      const aggregate = spans.find((s) => s.name === 'aggregate' && s.spanContext().traceId === roundTraceIds({ chainId: 'chain-pg', jobId: 'job-pg', round: 1 }).traceId);
      const query = spans.find((s) => s.name.startsWith('pg.query') && s.parentSpanContext?.spanId === aggregate?.spanContext().spanId);
      expect(query?.spanContext().traceId).toBe(aggregate?.spanContext().traceId);
    });
  });

  it('marks a span whose work throws as failed and rethrows', async () => {
    await expect(withSpan('failing', { service: 'aggregator' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await processor.forceFlush();
    const failing = exporter.getFinishedSpans().find((s) => s.name === 'failing');
    expect(failing?.status).toMatchObject({ code: 2, message: 'boom' });
  });
});

describe('metrics endpoint', () => {
  it('serves a registry on a free port at /metrics, labelled with the service, and answers 404 elsewhere', async () => {
    const registry = metricsRegistry({ service: 'aggregator' });
    const counter = new Counter({ name: 'learnchain_test_total', help: 'a test counter', registers: [registry] });
    const endpoint = await serveMetrics(registry, '127.0.0.1:0');
    try {
      expect(endpoint.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      counter.inc(3);
      const response = await fetch(endpoint.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toContain('learnchain_test_total{service="aggregator"} 3');
      expect((await fetch(`http://${endpoint.address}/other`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it('refuses an address that is taken, naming it', async () => {
    const first = await serveMetrics(metricsRegistry({ service: 'a' }), '127.0.0.1:0');
    try {
      await expect(serveMetrics(metricsRegistry({ service: 'b' }), first.address)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
