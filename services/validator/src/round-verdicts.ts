/**
 * The learning part of a block's check: every RoundResult in it is re-executed
 * by the round verifier before this validator votes. Each consensus round of a
 * height proposes a new block, but one round's result is verified once per
 * height (a verification still running is shared); a round found invalid is
 * dropped from the mempool and refused from then on, with its reason.
 */
import { KEYS, type JobRecord, type RoundVerdict, type RoundVerifier, type StateView, type Tx } from '@learnchain/ledger';

import type { Mempool } from './mempool';

export interface RoundVerdictsOptions {
  readonly chainId: string;
  readonly verifier: RoundVerifier;
  readonly mempool: Mempool;
  /** The committed state the rounds are judged against. */
  readonly state: () => StateView;
}

export class RoundVerdicts {
  private readonly verdicts = new Map<string, Promise<RoundVerdict>>();

  constructor(private readonly options: RoundVerdictsOptions) {}

  /** Valid when every RoundResult among `txs` verifies; otherwise the first one's reason. */
  async check(txs: readonly Tx[]): Promise<RoundVerdict> {
    for (const tx of txs) {
      if (tx.kind !== 'roundResult') continue;
      const job = this.options.state().get(KEYS.job(tx.body.jobId)) as unknown as JobRecord | undefined;
      if (!job) continue; // refused at execution: no state changes
      let pending = this.verdicts.get(tx.hashHex);
      if (!pending) {
        pending = this.options.verifier.verify({ chainId: this.options.chainId, job, result: tx.body });
        this.verdicts.set(tx.hashHex, pending);
      }
      const verdict = await pending;
      if (!verdict.valid) {
        // Never propose it again: otherwise one unverifiable round would stall every height.
        const reason = `round ${tx.body.jobId}/${tx.body.round}: ${verdict.reason}`;
        this.options.mempool.reject(tx.hashHex, reason);
        return { valid: false, reason };
      }
    }
    return { valid: true, reason: '' };
  }

  /** After a commit: the job state the verdicts were given against has moved on. */
  clear(): void {
    this.verdicts.clear();
  }
}
