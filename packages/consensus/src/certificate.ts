/** Commit certificates: building and checking them needs only the validator set. */
import { isQuorum, powerOf } from './validators';
import type { CommitCertificate, ValidatorSet, Vote } from './types';

/** Why a certificate failed, or null when it verifies. */
export type CertificateFault =
  | 'wrong-vote'
  | 'duplicate-validator'
  | 'not-a-validator'
  | 'signature'
  | 'insufficient-power';

/**
 * Checks that `cert` holds precommits for its height, round and value from
 * distinct members of `set` whose power is more than 2/3 of the total.
 * `isAuthentic` lets the host check each vote's signature (the core never does).
 * Returns null when it verifies, otherwise the first fault found.
 */
export function checkCommit<V extends Vote>(
  cert: CommitCertificate<V>,
  set: ValidatorSet,
  isAuthentic: (vote: V) => boolean = () => true,
): CertificateFault | null {
  const seen = new Set<string>();
  let power = 0;
  for (const v of cert.precommits) {
    if (v.type !== 'precommit' || v.height !== cert.height || v.round !== cert.round || v.value !== cert.value) {
      return 'wrong-vote';
    }
    if (seen.has(v.validator)) return 'duplicate-validator';
    seen.add(v.validator);
    const p = powerOf(set, v.validator);
    if (p === 0) return 'not-a-validator';
    if (!isAuthentic(v)) return 'signature';
    power += p;
  }
  return isQuorum(set, power) ? null : 'insufficient-power';
}

/** True when {@link checkCommit} finds no fault. */
export function verifyCommit<V extends Vote>(
  cert: CommitCertificate<V>,
  set: ValidatorSet,
  isAuthentic?: (vote: V) => boolean,
): boolean {
  return checkCommit(cert, set, isAuthentic) === null;
}
