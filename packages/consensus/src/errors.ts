/** Errors of the consensus package. The core throws only when the host misuses it. */

/** Thrown when a validator set would be empty, hold a negative or fractional power, or repeat an address. */
export class InvalidValidatorSetError extends Error {
  constructor(readonly reason: string) {
    super(`invalid validator set: ${reason}`);
    this.name = 'InvalidValidatorSetError';
  }
}

/** Thrown when the host sends `start-height` for a height other than the one the core can start. */
export class HeightMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`start-height ${received} does not follow the core's height ${expected}`);
    this.name = 'HeightMismatchError';
  }
}

/** Thrown by the simulator's command line on unknown options or scenario names. */
export class SimulationUsageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SimulationUsageError';
  }
}
