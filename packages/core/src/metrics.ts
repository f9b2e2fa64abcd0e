/**
 * Prometheus metrics. Each service keeps its own registry (several services
 * share one process in the devnet) and serves it over HTTP at `/metrics` when
 * an address is configured (LEARNCHAIN_METRICS_LISTEN); port 0 takes a free
 * port, and the bound address is what `serveMetrics` returns.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every learnchain metric name starts with this. */
export const METRICS_PREFIX = 'learnchain_';

/** Histogram buckets in seconds, from a millisecond to a few minutes. */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Histogram buckets in bytes, from 1 KiB to 1 GiB by powers of 4. */
export const BYTES_BUCKETS = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456, 1_073_741_824];

export interface MetricsRegistryOptions {
  /** The service, added as the `service` label of every metric. */
  readonly service: string;
  /** Also collect the process's own metrics (CPU, memory, event loop), for a service in a process of its own. */
  readonly processMetrics?: boolean;
}

/** A registry for one service: its metrics carry `service="<name>"`. */
export function metricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  return registry;
}

/** A metrics endpoint being served. */
export interface MetricsEndpoint {
  /** host:port actually bound. */
  readonly address: string;
  /** http://host:port/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `registry` at http://<listen>/metrics (text exposition format) until closed. */
export async function serveMetrics(registry: Registry, listen: string): Promise<MetricsEndpoint> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const port = Number(listen.slice(at + 1));
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const address = `${shownHost}:${bound.port}`;
  return {
    address,
    url: `http://${address}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An endpoint that serves nothing (metrics not configured). */
export const NO_METRICS_ENDPOINT: MetricsEndpoint = { address: '', url: '', close: async () => undefined };

/** Serves `registry` when `listen` is set; otherwise nothing. */
export async function maybeServeMetrics(registry: Registry, listen: string | undefined): Promise<MetricsEndpoint> {
  return listen ? serveMetrics(registry, listen) : NO_METRICS_ENDPOINT;
}

/** Seconds since a `process.hrtime.bigint()` reading. */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
