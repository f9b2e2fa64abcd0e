/**
 * The process shell every service's main.ts uses: load the configuration,
 * start telemetry, start the service, and on SIGTERM or SIGINT stop it once,
 * in order, then exit 0 (1 when stopping failed). A failure to start exits 1
 * with the reason on stderr (a ConfigError names the variable).
 */
import { loadConfig, type ConfigOf, type Schema } from './config';
import { startTelemetry } from './telemetry';

export interface StoppableService {
  stop(): Promise<void>;
}

export interface ServiceMain<S extends Schema> {
  /** Short name for messages, e.g. 'registry'. */
  readonly name: string;
  readonly schema: S;
  readonly start: (config: ConfigOf<S>) => Promise<StoppableService>;
  /** Where the OTLP endpoint is in the configuration, if anywhere. */
  readonly otlpEndpoint?: (config: ConfigOf<S>) => string | undefined;
}

export function runService<S extends Schema>(service: ServiceMain<S>): void {
  const fail = (what: string, error: unknown): void => {
    process.stderr.write(`${service.name}: ${what}${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
  const main = async (): Promise<void> => {
    const config = loadConfig(service.schema, { argv: process.argv.slice(2) });
    const endpoint = service.otlpEndpoint?.(config);
    const telemetry = startTelemetry({ serviceName: `learnchain-${service.name}`, service: service.name, ...(endpoint ? { endpoint } : {}) });
    const running = await service.start(config);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${service.name}: ${signal} received, shutting down\n`);
      running
        .stop()
        .then(() => telemetry.shutdown())
        .then(
          () => process.exit(0),
          (error: unknown) => fail('shutdown failed: ', error),
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  };
  main().catch((error: unknown) => fail('', error));
}
