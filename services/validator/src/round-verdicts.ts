/**
 * The learning part of a block's check: every RoundResult in it is re-executed
 * by the round verifier before this validator votes. The verification starts
 * as the result enters the mempool, so a proposal that carries it mostly finds
 * its verdict ready. A verdict stands while its transaction waits in the
 * mempool (the verifier reads only what a job never changes: its rule, model
 * layout and validation rule), however many proposals and heights carry it; a
 * verification still running is shared. A round found invalid is
 * dropped from the mempool and refused from then on, with its reason. A round
 * that could not be verified for now (a blob it needs could not be fetched)
 * makes this block invalid but is checked again when a later proposal carries
 * it, up to `maxChecks` times in all; then it is refused like an invalid one,
 * so that it cannot stall every height.
 */
import { KEYS, type JobRecord, type RoundVerdict, type RoundVerifier, type StateView, type Tx } from '@learnchain/ledger';

import type { Mempool } from './mempool';

export interface RoundVerdictsOptions {
  readonly chainId: string;
  readonly verifier: RoundVerifier;
  readonly mempool: Mempool;
  /** The committed state the rounds are judged against. */
  readonly state: () => StateView;
  /** Checks of a round that stays unverifiable before it is refused (default 3). */
  readonly maxChecks?: number;
}

/** Rounds remembered as unverifiable so far, at most (a bound, like the mempool's refusals). */
const MAX_REMEMBERED = 10_000;

export class RoundVerdicts {
  private readonly verdicts = new Map<string, Promise<RoundVerdict>>();
  /** Checks that found a round unverifiable for now, by transaction. */
  private readonly unverifiable = new Map<string, number>();

  constructor(private readonly options: RoundVerdictsOptions) {
    options.mempool.onQueued((tx) => this.begin(tx));
  }

  /**
   * Starts verifying `tx` if it is a RoundResult of a known job, for a round it
   * has not committed, not verified yet (a failure waits for the check that reads it).
   */
  private begin(tx: Tx): Promise<RoundVerdict> | undefined {
    if (tx.kind !== 'roundResult') return undefined;
    const known = this.verdicts.get(tx.hashHex);
    if (known) return known;
    const job = this.options.state().get(KEYS.job(tx.body.jobId)) as unknown as JobRecord | undefined;
    // Refused at execution, changing nothing: a round of an unknown job, or one its job has committed already.
    if (!job || tx.body.round <= job.round) return undefined;
    const pending = this.options.verifier.verify({ chainId: this.options.chainId, job, result: tx.body });
    pending.catch(() => undefined);
    this.verdicts.set(tx.hashHex, pending);
    return pending;
  }

  /** Valid when every RoundResult among `txs` verifies; otherwise the first one's reason. */
  async check(txs: readonly Tx[]): Promise<RoundVerdict> {
    for (const tx of txs) {
      if (tx.kind !== 'roundResult') continue;
      const pending = this.begin(tx);
      if (!pending) continue;
      const verdict = await pending;
      if (!verdict.valid) {
        const reason = `round ${tx.body.jobId}/${tx.body.round}: ${verdict.reason}`;
        if (verdict.retry && this.checkAgain(tx.hashHex, pending)) return { valid: false, reason, retry: true };
        // Never propose it again: otherwise one unverifiable round would stall every height.
        this.unverifiable.delete(tx.hashHex);
        this.options.mempool.reject(tx.hashHex, reason);
        return { valid: false, reason };
      }
      this.unverifiable.delete(tx.hashHex);
    }
    return { valid: true, reason: '' };
  }

  /** Counts a check that found the round unverifiable for now; true while it has checks left (its verdict is then forgotten). */
  private checkAgain(hashHex: string, verdict: Promise<RoundVerdict>): boolean {
    // Checks waiting on the same verification count once.
    if (this.verdicts.get(hashHex) !== verdict) return true;
    this.verdicts.delete(hashHex);
    const checks = (this.unverifiable.get(hashHex) ?? 0) + 1;
    if (checks >= (this.options.maxChecks ?? 3)) return false;
    if (this.unverifiable.size >= MAX_REMEMBERED) this.unverifiable.clear();
    this.unverifiable.set(hashHex, checks);
    return true;
  }

  /** After a commit: forgets the verdicts of transactions no longer waiting in the mempool (included, or dropped). */
  clear(): void {
    for (const hashHex of this.verdicts.keys()) if (!this.options.mempool.has(hashHex)) this.verdicts.delete(hashHex);
  }
}
