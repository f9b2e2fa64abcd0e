/**
 * How much one validator may put in this node's message book per height, so
 * that a Byzantine validator signing vote after vote (or proposal after
 * proposal) cannot grow it without end:
 * - per round and vote type (or per round, for proposals), two distinct
 *   values: the first, and one conflicting, which is all evidence needs;
 * - rounds ahead of the running one (for the next height, rounds past 0): two.
 *   An honest validator ahead of this node votes in one round at a time, and
 *   this node moves on to a higher round once a third of the power is there,
 *   so two are enough to follow it. What is refused now comes again when
 *   the height stalls and the messages are relayed.
 */

/** Distinct values one validator may have per (height, round, kind). */
export const VALUES_PER_ROUND = 2;
/** Rounds ahead of the running round one validator may have messages in. */
export const ROUNDS_AHEAD = 2;

export class Ballots {
  /** height/validator → round → kind/value */
  private readonly byValidator = new Map<string, Map<number, Set<string>>>();

  /**
   * Whether a message of `validator` for `value` (of `kind`: a vote type, or
   * 'proposal') in (height, round) fits, the running round of that height
   * being `running`. A value it holds already always fits.
   */
  fits(height: number, round: number, validator: string, kind: string, value: string, running: number): boolean {
    const rounds = this.byValidator.get(`${height}/${validator}`);
    const values = rounds?.get(round);
    if (values) {
      if (values.has(`${kind}/${value}`)) return true;
      let same = 0;
      for (const v of values) if (v.startsWith(`${kind}/`)) same += 1;
      return same < VALUES_PER_ROUND;
    }
    if (round <= running || !rounds) return true;
    let ahead = 0;
    for (const r of rounds.keys()) if (r > running) ahead += 1;
    return ahead < ROUNDS_AHEAD;
  }

  add(height: number, round: number, validator: string, kind: string, value: string): void {
    const key = `${height}/${validator}`;
    let rounds = this.byValidator.get(key);
    if (!rounds) {
      rounds = new Map();
      this.byValidator.set(key, rounds);
    }
    let values = rounds.get(round);
    if (!values) {
      values = new Set();
      rounds.set(round, values);
    }
    values.add(`${kind}/${value}`);
  }

  /** Forgets heights up to `committed`. */
  prune(committed: number): void {
    for (const key of this.byValidator.keys()) if (Number(key.split('/')[0]) <= committed) this.byValidator.delete(key);
  }
}
