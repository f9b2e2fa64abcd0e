/**
 * A gRPC server with health checking, explicit message limits and a graceful
 * shutdown: stop accepting calls → let calls in flight finish within a grace
 * period → cancel what is left → closed.
 */
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

import { contracts, SERVICE_NAMES } from '@learnchain/proto';

import type { Logger } from '../logger';
import { widenReceiveWindows } from './flow-control';
import { HandlerFactory } from './handlers';
import { HealthRegistry } from './health';

export type Lifecycle = 'starting' | 'running' | 'draining' | 'stopped';

export interface HostedService {
  /** Fully qualified, e.g. learnchain.v1.Registry; health checks use it. */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** host:port; port 0 picks a free one (see `port`). */
  readonly address: string;
  readonly services: readonly HostedService[];
  readonly logger: Logger;
  /** Largest message accepted or sent, in bytes; streams carry bigger payloads in chunks. */
  readonly maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export class GrpcServer {
  private lifecycle: Lifecycle = 'starting';

  private constructor(
    private readonly server: Server,
    readonly health: HealthRegistry,
    readonly port: number,
    readonly host: string,
    private readonly logger: Logger,
  ) {}

  /** Binds, starts and marks every service SERVING. */
  static async create(options: GrpcServerOptions): Promise<GrpcServer> {
    const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const server = new Server({
      'grpc.max_receive_message_length': limit,
      'grpc.max_send_message_length': limit,
      'grpc.keepalive_permit_without_calls': 1,
    });
    // a whole message in flight without waiting for window updates
    if (!widenReceiveWindows(server, limit)) options.logger.warn('cannot widen the HTTP/2 receive windows: streamed uploads wait for a window update every 64 KiB');
    const health = new HealthRegistry();
    const handlers = new HandlerFactory(options.logger, SERVICE_NAMES.health);
    server.addService(contracts().health.service, {
      Check: handlers.unary('Check', async (request: { service: string }) => health.check(request.service)),
      Watch: handlers.serverStream('Watch', (request: { service: string }, call, signal) => health.watch(request.service, call, signal)),
    });
    for (const service of options.services) server.addService(service.definition, service.implementation);

    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(options.address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    const host = options.address.slice(0, options.address.lastIndexOf(':'));
    const hosted = new GrpcServer(server, health, port, host, options.logger);
    health.set('', 'SERVING');
    for (const service of options.services) health.set(service.name, 'SERVING');
    hosted.lifecycle = 'running';
    options.logger.info({ address: `${host}:${port}`, services: options.services.map((s) => s.name) }, 'gRPC server listening');
    return hosted;
  }

  get state(): Lifecycle {
    return this.lifecycle;
  }

  /** host:port a client on this machine can dial. */
  get address(): string {
    const host = this.host === '0.0.0.0' || this.host === '[::]' || this.host === '' ? '127.0.0.1' : this.host;
    return `${host}:${this.port}`;
  }

  /**
   * Graceful shutdown: health goes NOT_SERVING, no new calls are accepted, calls
   * in flight get `graceMs` to finish, then whatever is left is cancelled.
   */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.lifecycle === 'stopped' || this.lifecycle === 'draining') return;
    this.lifecycle = 'draining';
    this.health.drainAll();
    this.health.endWatches();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ graceMs }, 'calls still in flight after the grace period: cancelling them');
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.lifecycle = 'stopped';
    this.logger.info('gRPC server stopped');
  }
}
