/** The simulator's scenario files: named by size and faults. */
import { SimulationUsageError } from '../errors';

/** How a Byzantine validator misbehaves. */
export type ByzantineBehaviour =
  /** Sends nothing at all. */
  | 'silent'
  /** As proposer, sends one value to half the validators and another to the rest. */
  | 'equivocate'
  /**
   * Attacks locks: proposes fresh values instead of its valid value, prevotes
   * every proposal, and sends its precommit for a value to one validator only.
   */
  | 'amnesia'
  /** Sends each vote to half the validators and a conflicting one to the rest. */
  | 'double-vote'
  /** Proposes application-invalid values and prevotes and precommits them. */
  | 'invalid-votes';

/** Network conditions before the global stabilisation time (after it: no drops, bounded delays). */
export interface NetworkProfile {
  readonly drop: number;
  readonly duplicate: number;
  /** Mean of the exponential part of a delay, in virtual ms. */
  readonly meanDelay: number;
  /** Chance that a message is slow (up to 20 times the mean). */
  readonly slow: number;
  /** Split the validators in two groups until the heal at GST. */
  readonly partition: boolean;
}

/** One scenario: a validator set, its faults and what each run must achieve. */
export interface Scenario {
  readonly name: string;
  readonly validators: number;
  readonly byzantine: number;
  /** Each Byzantine validator draws its behaviour per height from this list. */
  readonly behaviours: readonly ByzantineBehaviour[];
  readonly network: NetworkProfile;
  /** How many crash-and-restart events hit honest validators before GST. */
  readonly crashes: number;
  /** Committed blocks may change honest validators' voting power. */
  readonly validatorChanges: boolean;
  /** Share of honest proposals the application rejects. */
  readonly invalidRate: number;
  /** Heights every honest validator must commit, at least `heightsAfterGst` of them after GST. */
  readonly heights: number;
  readonly heightsAfterGst: number;
}

const CALM: NetworkProfile = { drop: 0, duplicate: 0.02, meanDelay: 3, slow: 0.02, partition: false };
const LOSSY: NetworkProfile = { drop: 0.15, duplicate: 0.1, meanDelay: 6, slow: 0.1, partition: false };
const SPLIT: NetworkProfile = { drop: 0.05, duplicate: 0.05, meanDelay: 5, slow: 0.05, partition: true };
const ALL: readonly ByzantineBehaviour[] = ['silent', 'equivocate', 'double-vote', 'invalid-votes', 'amnesia'];

function scenario(name: string, fields: Partial<Scenario> & Pick<Scenario, 'validators'>): Scenario {
  return {
    name,
    byzantine: 0,
    behaviours: ALL,
    network: CALM,
    crashes: 0,
    validatorChanges: false,
    invalidRate: 0.1,
    heights: 3,
    heightsAfterGst: 1,
    ...fields,
  };
}

/** The fixed catalogue; `all` runs each of these plus the mixed scenario sized by the command line. */
export const SCENARIOS: readonly Scenario[] = [
  scenario('n4f0', { validators: 4 }),
  scenario('n4f0-lossy', { validators: 4, network: LOSSY }),
  scenario('n4f1-silent', { validators: 4, byzantine: 1, behaviours: ['silent'], network: LOSSY }),
  scenario('n4f1-equivocation', {
    validators: 4,
    byzantine: 1,
    behaviours: ['equivocate', 'double-vote'],
    network: LOSSY,
  }),
  scenario('n4f1-amnesia', { validators: 4, byzantine: 1, behaviours: ['amnesia'], network: LOSSY, heights: 8 }),
  scenario('n4f1-invalid', { validators: 4, byzantine: 1, behaviours: ['invalid-votes'], network: LOSSY }),
  scenario('n4-partition-heal', { validators: 4, network: SPLIT }),
  scenario('n4-crash-restart', { validators: 4, crashes: 3, network: LOSSY }),
  scenario('n4-validator-changes', { validators: 4, byzantine: 1, validatorChanges: true, heights: 5, network: LOSSY }),
  scenario('n7f2', { validators: 7, byzantine: 2, network: LOSSY }),
];

/** A scenario with every fault at once, sized by the command line. */
export function mixedScenario(validators: number, byzantine: number): Scenario {
  if (validators < 1 || byzantine < 0 || 3 * byzantine >= validators) {
    throw new SimulationUsageError(`need validators > 3 × byzantine, got ${validators} and ${byzantine}`);
  }
  return scenario(`n${validators}f${byzantine}-mixed`, {
    validators,
    byzantine,
    network: { ...LOSSY, partition: true },
    crashes: 1,
    validatorChanges: true,
    heights: 4,
  });
}

/** The scenarios a `--scenario` name selects (`all` = the catalogue plus the mixed one). */
export function selectScenarios(name: string, validators: number, byzantine: number): Scenario[] {
  const mixed = mixedScenario(validators, byzantine);
  if (name === 'all') return [...SCENARIOS, mixed];
  if (name === 'mixed' || name === mixed.name) return [mixed];
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) {
    const names = [...SCENARIOS.map((s) => s.name), 'mixed', 'all'].join(', ');
    throw new SimulationUsageError(`unknown scenario ${name}; known: ${names}`);
  }
  return [found];
}
