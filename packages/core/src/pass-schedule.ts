/**
 * When a background pass over durable work (an outbox, a queue of changes to
 * submit) has something to do: after this process added work (`touch`),
 * after a pass that failed or left work behind (`unfinished`), and otherwise
 * every `sweepMs`, for work another replica may have left. Between those, a
 * poll asks `due()` and reads nothing.
 */
export class PassSchedule {
  private pending = true;
  private lastPassAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sweepMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** This process added work: the next pass is due. */
  touch(): void {
    this.pending = true;
  }

  /** Whether a pass should run now. */
  due(): boolean {
    return this.pending || this.clock() - this.lastPassAt >= this.sweepMs;
  }

  /** A pass begins: the work touched before now is its to take. */
  begin(): void {
    this.pending = false;
    this.lastPassAt = this.clock();
  }

  /** The pass failed or left work: the next one is due. */
  unfinished(): void {
    this.pending = true;
  }
}
