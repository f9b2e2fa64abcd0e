/**
 * How a background task that runs again and again reports its failures: each
 * failure that is a bug, as an error; while the database is away, the first
 * failure only, as a warning, and once more when the task works again. An
 * outage is then a pair of lines per task, not a line per try.
 */
import { isDatabaseAway } from './grpc/handlers';
import type { Logger } from './logger';

export class FailureLog {
  /** Tries in a row that met the database away. */
  private away = 0;

  /** `what` names the task ("lease sweep"); `retry` says when it is tried again ("every 500 ms"). */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly retry: string,
  ) {}

  failed(error: unknown): void {
    if (!isDatabaseAway(error)) this.logger.error({ err: error }, `${this.what} failed; trying again ${this.retry}`);
    else if (this.away++ === 0) this.logger.warn({ reason: (error as Error).message }, `${this.what} failed: the database is away; trying again ${this.retry}`);
  }

  succeeded(): void {
    if (this.away > 0) this.logger.info({ failedTries: this.away }, `${this.what} works again`);
    this.away = 0;
  }
}
