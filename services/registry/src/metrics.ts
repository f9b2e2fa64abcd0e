/**
 * What the registry shows of itself: members by role and status and the
 * membership epoch (read from the store at each scrape, so every replica
 * reports the same), and how long heartbeats take to renew a lease, unary or
 * over a lease stream.
 */
import { Counter, Gauge, Histogram, metricsRegistry, type Registry as MetricsRegistry } from '@learnchain/core';

import type { Registry } from './registry';
import type { Census } from './store/members';

const SERVICE = 'registry';

/** Heartbeats are quick: buckets from 100 µs to 5 s. */
const HEARTBEAT_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** The registry's metrics, in a registry of their own. */
export class RegistryMetrics {
  readonly registry: MetricsRegistry;
  readonly members: Gauge<'role' | 'status'>;
  readonly epoch: Gauge;
  readonly heartbeatSeconds: Histogram<'kind'>;
  readonly heartbeats: Counter<'kind' | 'outcome'>;

  constructor(membership: Pick<Registry, 'census'>, options: { readonly processMetrics?: boolean } = {}) {
    const registry = (this.registry = metricsRegistry({ service: SERVICE, ...(options.processMetrics ? { processMetrics: true } : {}) }));
    const registers = [registry];
    let snapshot: Promise<Census> | undefined;
    // One count per scrape, shared by both gauges; the database counts, so a scrape costs the same
    // with ten members or ten thousand (reading every member stalled heartbeats for 100 ms and more).
    const read = (): Promise<Census> => {
      snapshot ??= membership.census().finally(() => setImmediate(() => (snapshot = undefined)));
      return snapshot;
    };
    this.members = new Gauge({
      name: 'learnchain_members',
      help: 'Members known to the registry, by role and status.',
      labelNames: ['role', 'status'],
      registers,
      async collect() {
        const { counts } = await read();
        this.reset();
        for (const { role, status, count } of counts) this.set({ role, status }, count);
      },
    });
    this.epoch = new Gauge({
      name: 'learnchain_membership_epoch',
      help: 'The membership epoch (bumped by every join, leave and failure).',
      registers,
      async collect() {
        this.set((await read()).epoch);
      },
    });
    this.heartbeatSeconds = new Histogram({
      name: 'learnchain_heartbeat_latency_seconds',
      help: 'Time the registry takes to renew a lease on a heartbeat (kind: unary call or lease stream).',
      labelNames: ['kind'],
      buckets: HEARTBEAT_BUCKETS,
      registers,
    });
    this.heartbeats = new Counter({ name: 'learnchain_heartbeats_total', help: 'Heartbeats by kind and outcome (renewed or refused).', labelNames: ['kind', 'outcome'], registers });
  }

  private async timed<T>(kind: string, work: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'refused';
    try {
      const result = await work();
      outcome = 'renewed';
      return result;
    } finally {
      this.heartbeatSeconds.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
      this.heartbeats.inc({ kind, outcome });
    }
  }

  /** Times every heartbeat `registry` handles (its unary heartbeat and its lease-stream renewals). */
  observe(registry: Registry): void {
    const heartbeat = registry.heartbeat.bind(registry);
    const renew = registry.renew.bind(registry);
    registry.heartbeat = (request) => this.timed('unary', () => heartbeat(request));
    registry.renew = (nodeId) => this.timed('stream', () => renew(nodeId));
  }
}
