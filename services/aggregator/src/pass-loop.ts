/**
 * When the round manager looks at the rounds: a pass over every job every
 * `tickMs` (deadlines, retries), and between those, at once, a pass over the
 * jobs something happened to (poked: an update came, a round committed). A
 * poke during a pass is taken by the next pass, which starts as soon as that
 * one ends; passes never overlap. A pass that fails is reported, and the
 * loop goes on (the next tick looks at every job again).
 */

/** What a pass looks at: every job, or the jobs named. */
export type PassScope = ReadonlySet<string> | 'all';

export class PassLoop {
  /** What the next pass looks at. */
  private due: Set<string> | 'all' = 'all';
  private wake: (() => void) | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly pass: (scope: PassScope) => Promise<void>,
    private readonly tickMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts passing once `after` settles (the first pass looks at every job); resolves when the loop ends. */
  start(after: Promise<unknown> = Promise.resolve()): Promise<void> {
    this.running = true;
    this.loop = after.then(() => this.run());
    return this.loop;
  }

  /** A pass now over `jobId`'s round, or over every job's. */
  poke(jobId?: string): void {
    if (jobId === undefined) this.due = 'all';
    else if (this.due !== 'all') this.due.add(jobId);
    this.wake?.();
  }

  /** Ends the loop once the pass under way is done. */
  stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    return this.loop;
  }

  private pokedSince(): boolean {
    return this.due === 'all' || this.due.size > 0;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const scope = this.due;
      this.due = new Set();
      try {
        await this.pass(scope);
      } catch (error) {
        this.onError(error);
      }
      if (this.pokedSince() || !this.running) continue;
      const poked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.tickMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = undefined;
      if (!poked) this.due = 'all';
    }
  }
}
