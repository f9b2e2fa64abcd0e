/**
 * The standard grpc.health.v1 service. Each hosted service has a status;
 * the empty name stands for the whole server.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';

import type { health } from '@learnchain/proto';

import { notFound } from './status';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
interface Watcher {
  send(status: ServingStatus): void;
  end(): void;
}

export class HealthRegistry {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<Watcher>>();

  set(service: string, status: 'SERVING' | 'NOT_SERVING'): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const watcher of this.watchers.get(service) ?? []) watcher.send(status);
  }

  /** Marks every service, and the server as a whole, NOT_SERVING (at the start of a shutdown). */
  drainAll(): void {
    for (const service of [...this.statuses.keys()]) this.set(service, 'NOT_SERVING');
  }

  check(service: string): health.HealthCheckResponse {
    const status = this.statuses.get(service);
    if (!status) throw notFound('service', JSON.stringify(service), 'service');
    return { status };
  }

  watch(service: string, call: ServerWritableStream<health.HealthCheckRequest__Output, health.HealthCheckResponse>, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.watchers.get(service) ?? new Set<Watcher>();
      const watcher: Watcher = {
        send: (status) => call.write({ status }),
        end: () => {
          set.delete(watcher);
          resolve();
        },
      };
      watcher.send(this.statuses.get(service) ?? 'SERVICE_UNKNOWN');
      set.add(watcher);
      this.watchers.set(service, set);
      signal.addEventListener('abort', watcher.end, { once: true });
    });
  }

  /** Ends every Watch stream, so a shutdown does not wait on them. */
  endWatches(): void {
    for (const set of this.watchers.values()) for (const watcher of [...set]) watcher.end();
  }
}
