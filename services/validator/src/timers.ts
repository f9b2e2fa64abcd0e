/**
 * The validator's clocks: how long each of the core's timeouts waits (pure),
 * and the timers that carry them out — one-shot timers of the running height
 * (all cancelled when it commits), the periodic relay check, and the
 * proposer's wait for a first transaction (cut short when one arrives).
 */
import type { Timeout } from '@learnchain/consensus';

/** The configured durations, in milliseconds. */
export interface Timing {
  readonly proposeMs: number;
  readonly roundMs: number;
  /** Pause after a commit before the next height starts (0: none). */
  readonly commitMs: number;
  /** How long a proposer with an empty mempool waits for a transaction. */
  readonly emptyBlockIntervalMs: number;
  readonly relayAfterMs: number;
}

/**
 * How long `timeout` waits: round 0's propose timeout is `proposeMs`; every
 * other timeout is `roundMs`, growing by half of it per round.
 */
export function timeoutDuration(timeout: Timeout, timing: Pick<Timing, 'proposeMs' | 'roundMs'>): number {
  const { proposeMs, roundMs } = timing;
  if (timeout.kind === 'propose' && timeout.round === 0) return proposeMs;
  return roundMs + (roundMs / 2) * timeout.round;
}

/** Timers of one validator; `stop` cancels every one and ends any wait. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly periodic = new Set<NodeJS.Timeout>();
  private wakeProposer: (() => void) | undefined;

  /** Runs `action` after `ms`, unless `cancelHeight` or `stop` comes first. */
  after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      action();
    }, ms);
    this.pending.add(timer);
  }

  /** Runs `action` every `ms` until `stop`. */
  every(ms: number, action: () => void): void {
    this.periodic.add(setInterval(action, ms));
  }

  /** Cancels the one-shot timers (the running height committed: its timeouts no longer matter). */
  cancelHeight(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  /** Resolves after `ms`, or as soon as `txArrived` (or `stop`) is called. */
  async waitForTx(ms: number): Promise<void> {
    let wake: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakeProposer = wake;
    });
    if (this.wakeProposer === wake) this.wakeProposer = undefined;
  }

  /** A transaction arrived: a proposer waiting for one stops waiting. */
  txArrived(): void {
    this.wakeProposer?.();
  }

  stop(): void {
    this.cancelHeight();
    for (const t of this.periodic) clearInterval(t);
    this.periodic.clear();
    this.wakeProposer?.();
  }
}

/** Stages of a height, for the debug log: where its time went. */
export type HeightStage = 'proposal' | 'verdict' | 'prevoteSent' | 'precommitSent' | 'decided';

/** Milliseconds from the start of the running height to the first time each stage was reached, and the time own messages waited for the log. */
export class HeightClock {
  private began = performance.now();
  private stages: Partial<Record<HeightStage, number>> = {};
  private walWaitMs = 0;

  /** A new height starts now. */
  restart(): void {
    this.began = performance.now();
    this.stages = {};
    this.walWaitMs = 0;
  }

  mark(stage: HeightStage): void {
    this.stages[stage] ??= Number((performance.now() - this.began).toFixed(2));
  }

  /** An own message waited `ms` for the log's fsync. */
  walWait(ms: number): void {
    this.walWaitMs += ms;
  }

  /** The figures of the height so far. */
  report(): Record<string, number> {
    return { ...this.stages, walWaitMs: Number(this.walWaitMs.toFixed(2)), totalMs: Number((performance.now() - this.began).toFixed(2)) };
  }
}
