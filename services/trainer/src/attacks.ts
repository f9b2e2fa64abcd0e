/**
 * Test-only attacks for the robustness and fault suites. An update attack
 * rewrites the delta before it is encoded and signed; the data attack
 * (label-flip) rewrites the shard's labels before training. The trainer logs
 * loudly at start when one is set.
 */
import { Random, type Dataset } from '@learnchain/model';

export const ATTACKS = ['none', 'sign-flip', 'scale', 'gaussian', 'label-flip', 'random'] as const;
export type AttackName = (typeof ATTACKS)[number];

export interface Attack {
  readonly name: AttackName;
  /** The factor of 'scale', the noise σ of 'gaussian' and the range of 'random'. */
  readonly magnitude: number;
  readonly seed: number;
}

export const NO_ATTACK: Attack = { name: 'none', magnitude: 0, seed: 0 };

/** Whether the attack rewrites the delta (rather than the data). */
export function isUpdateAttack(attack: Attack): boolean {
  return attack.name === 'sign-flip' || attack.name === 'scale' || attack.name === 'gaussian' || attack.name === 'random';
}

/**
 * The delta an attacker sends instead of `delta` (a new array; `delta` is
 * untouched). `round` varies the noise from round to round.
 */
export function attackDelta(delta: Float32Array, attack: Attack, round: number): Float32Array {
  const out = new Float32Array(delta.length);
  switch (attack.name) {
    case 'sign-flip':
      for (let i = 0; i < delta.length; i++) out[i] = -(delta[i] ?? 0);
      return out;
    case 'scale':
      for (let i = 0; i < delta.length; i++) out[i] = (delta[i] ?? 0) * attack.magnitude;
      return out;
    case 'gaussian': {
      // The honest delta plus N(0, σ²) noise on every coordinate.
      const rng = new Random(attack.seed ^ Math.imul(round, 0x9e3779b1));
      for (let i = 0; i < delta.length; i++) out[i] = (delta[i] ?? 0) + attack.magnitude * rng.normal();
      return out;
    }
    case 'random': {
      // Uniform noise in [-m, m], ignoring the training entirely.
      const rng = new Random(attack.seed ^ Math.imul(round, 0x85ebca6b));
      for (let i = 0; i < delta.length; i++) out[i] = (2 * rng.next() - 1) * attack.magnitude;
      return out;
    }
    case 'none':
    case 'label-flip':
      out.set(delta);
      return out;
  }
}

/** The shard with each label y replaced by (classes − 1 − y): the label-flip attack. */
export function flipLabels(data: Dataset): Dataset {
  const labels = new Uint8Array(data.labels.length);
  for (let i = 0; i < labels.length; i++) labels[i] = data.classes - 1 - (data.labels[i] ?? 0);
  return { ...data, labels };
}
