/** The simulated application: it chooses, judges and reads values deterministically. */
import { hash32 } from './prng';
import type { Prng } from './prng';
import type { Judge } from './checker';
import type { Address, ValidatorUpdate, ValueId } from '../types';

/** Proposals, verdicts and validator updates of one run. */
export class SimApplication implements Judge {
  private readonly threshold: number;

  constructor(
    private readonly rng: Prng,
    invalidRate: number,
    private readonly changeable: readonly Address[],
    private readonly validatorChanges: boolean,
  ) {
    this.threshold = Math.round(invalidRate * 1000);
  }

  /** A fresh block id for an honest proposer; about `invalidRate` of them are invalid. */
  propose(node: Address, height: number, round: number): ValueId {
    return `${height}.${round}.${node}.${this.rng.uint32().toString(16)}`;
  }

  /** A block id no honest validator accepts (what a Byzantine proposer pushes). */
  invalid(node: Address, height: number, round: number): ValueId {
    return `bad.${height}.${round}.${node}`;
  }

  /** The application's verdict: deterministic in the id, the same on every node. */
  isValid(value: ValueId): boolean {
    return !value.startsWith('bad.') && hash32(value) % 1000 >= this.threshold;
  }

  /** Power changes a block carries: at most one honest validator set to power 1..3. */
  updatesOf(value: ValueId): readonly ValidatorUpdate[] {
    if (!this.validatorChanges || this.changeable.length === 0) return [];
    const h = hash32(`${value}/updates`);
    if (h % 3 !== 0) return [];
    const address = this.changeable[(h >>> 4) % this.changeable.length] as Address;
    return [{ address, power: 1 + ((h >>> 8) % 3) }];
  }
}
