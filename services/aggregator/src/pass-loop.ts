/**
 * When the round manager looks at the rounds: at once over the jobs
 * something happened to (poked: an update came, a round committed); over a
 * job at the time it named (dueAt: a deadline, the end of a grace period, a
 * retry), to the millisecond; and over every job each `tickMs`, a net for
 * what neither covers. A poke during a pass is taken by the next pass, which
 * starts as soon as that one ends; passes never overlap. A pass that fails is
 * reported, and the loop goes on: the next pass looks at every job, after a
 * wait that doubles with each pass in a row that failed (from FIRST_RETRY_MS
 * up to a tick), so that an outage of the database is not met with a pass on
 * every poke.
 */
import { backoffMs } from '@learnchain/core';

const FIRST_RETRY_MS = 100;

/** Hears how each pass ended (a FailureLog). */
export interface PassReport {
  failed(error: unknown): void;
  succeeded(): void;
}

/** What a pass looks at: every job, or the jobs named. */
export type PassScope = ReadonlySet<string> | 'all';

export class PassLoop {
  /** What the next pass looks at. */
  private due: Set<string> | 'all' = 'all';
  /** Jobs to look at later, and when (the earliest time asked for each). */
  private readonly timed = new Map<string, number>();
  /** When the last pass over every job ended. */
  private lastAllMs = Number.NEGATIVE_INFINITY;
  /** Ends the wait under way early: on a poke while idle, on stop always. */
  private wake: { readonly onPoke: boolean; readonly now: () => void } | undefined;
  private running = false;
  /** Passes in a row that failed. */
  private failures = 0;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly pass: (scope: PassScope) => Promise<void>,
    private readonly tickMs: number,
    private readonly report: PassReport,
    private readonly clock: () => number = Date.now,
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
    if (this.wake?.onPoke) this.wake.now();
  }

  /** A pass over `jobId`'s round at `atMs`, unless one is due earlier: only a job's earliest time is kept, so each pass names again what still waits after it. */
  dueAt(jobId: string, atMs: number): void {
    const known = this.timed.get(jobId);
    if (known !== undefined && known <= atMs) return;
    this.timed.set(jobId, atMs);
    // The wait under way may end later than this: it is measured again.
    if (this.wake?.onPoke) this.wake.now();
  }

  /** Ends the loop once the pass under way is done. */
  stop(): Promise<void> {
    this.running = false;
    this.wake?.now();
    return this.loop;
  }

  private pokedSince(): boolean {
    return this.due === 'all' || this.due.size > 0;
  }

  /** Moves what is due by `now` into the next pass: the jobs whose time came, every job once a tick has passed. */
  private takeDue(now: number): void {
    if (now >= this.lastAllMs + this.tickMs) this.due = 'all';
    for (const [jobId, atMs] of this.timed) {
      if (atMs > now) continue;
      this.timed.delete(jobId);
      if (this.due !== 'all') this.due.add(jobId);
    }
  }

  /** When something next falls due with nothing poked: the earliest job's time, or the tick. */
  private nextDueMs(): number {
    return Math.min(this.lastAllMs + this.tickMs, ...this.timed.values());
  }

  /** Waits `ms`, or less when woken; resolves whether it was woken. */
  private rest(ms: number, onPoke: boolean): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wake = {
        onPoke,
        now: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const now = this.clock();
      this.takeDue(now);
      if (!this.pokedSince()) {
        // At most a tick: a clock stepped back does not hold up the net.
        await this.rest(Math.min(this.tickMs, Math.max(0, this.nextDueMs() - now)), true);
        continue;
      }
      const scope = this.due;
      this.due = new Set();
      try {
        await this.pass(scope);
        this.failures = 0;
        this.report.succeeded();
      } catch (error) {
        this.failures += 1;
        this.report.failed(error);
        // What it was to look at may be left undone: the next pass looks at every job.
        this.due = 'all';
        if (this.running) await this.rest(backoffMs(this.failures - 1, FIRST_RETRY_MS, this.tickMs), false);
      } finally {
        // The tick counts from the end of the last pass over every job.
        if (scope === 'all') this.lastAllMs = this.clock();
      }
    }
  }
}
