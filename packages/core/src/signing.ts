/**
 * Signed statements. Every signature in learnchain is over the canonical
 * encoding of {domain, statement}: the domain says what kind of statement it is,
 * so a signature made for one purpose (a vote) can never be replayed as another
 * (an update), and the statement binds chain, job and round where they apply.
 */
import { encodeCanonical, type Canonical } from './canonical';
import { verifyBytes, type Identity } from './identity';

/** Every purpose a key signs for. Adding one is a protocol change. */
export const SIGNING_DOMAINS = {
  tx: 'learnchain/v1/tx',
  vote: 'learnchain/v1/vote',
  proposal: 'learnchain/v1/proposal',
  hello: 'learnchain/v1/hello',
  join: 'learnchain/v1/join',
  heartbeat: 'learnchain/v1/heartbeat',
  leave: 'learnchain/v1/leave',
  update: 'learnchain/v1/update',
  challenge: 'learnchain/v1/challenge',
} as const;

export type SigningDomain = keyof typeof SIGNING_DOMAINS;

/** The exact bytes a signature covers. */
export function signedBytes(domain: SigningDomain, statement: Canonical): Uint8Array {
  return encodeCanonical({ domain: SIGNING_DOMAINS[domain], statement });
}

export function signStatement(identity: Identity, domain: SigningDomain, statement: Canonical): Uint8Array {
  return identity.signBytes(signedBytes(domain, statement));
}

/** Whether the signature covers exactly this statement in this domain. Never throws on malformed keys or signatures. */
export function verifyStatement(
  publicKey: Uint8Array,
  domain: SigningDomain,
  statement: Canonical,
  signature: Uint8Array,
): boolean {
  let bytes: Uint8Array;
  try {
    bytes = signedBytes(domain, statement);
  } catch {
    return false; // a statement with no canonical form was never signed
  }
  return verifyBytes(publicKey, bytes, signature);
}
