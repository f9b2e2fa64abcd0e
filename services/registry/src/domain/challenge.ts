/**
 * Join challenges without server-side state: the nonce carries its own MAC over
 * (chain, public key, randomness, validity window) under the registry's secret,
 * so any replica holding the secret can check it. Replays within the window are
 * caught by the store, which remembers each nonce it has consumed until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { encodeCanonical } from '@learnchain/core';

import { JoinProofError } from '../errors';

const RANDOM_BYTES = 16;
const MAC_BYTES = 16;

export interface Challenge {
  readonly chainId: string;
  readonly nonce: Uint8Array;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

function mac(secret: Uint8Array, chainId: string, publicKey: Uint8Array, random: Uint8Array, issuedAtMs: number, expiresAtMs: number): Buffer {
  return createHmac('sha256', secret)
    .update(encodeCanonical({ chainId, publicKey, random, issuedAtMs, expiresAtMs }))
    .digest()
    .subarray(0, MAC_BYTES);
}

export function issueChallenge(input: {
  secret: Uint8Array;
  chainId: string;
  publicKey: Uint8Array;
  random: Uint8Array;
  nowMs: number;
  ttlMs: number;
}): Challenge {
  const issuedAtMs = input.nowMs;
  const expiresAtMs = input.nowMs + input.ttlMs;
  const tag = mac(input.secret, input.chainId, input.publicKey, input.random, issuedAtMs, expiresAtMs);
  return { chainId: input.chainId, nonce: new Uint8Array(Buffer.concat([input.random, tag])), issuedAtMs, expiresAtMs };
}

/** Throws JoinProofError unless the challenge was issued by this registry, for this key and chain, and is still valid. */
export function checkChallenge(input: { secret: Uint8Array; chainId: string; publicKey: Uint8Array; challenge: Challenge; nowMs: number }): void {
  const { challenge } = input;
  if (challenge.chainId !== input.chainId) {
    throw new JoinProofError('wrong_chain', `challenge is for chain '${challenge.chainId}', this registry serves '${input.chainId}'`);
  }
  if (challenge.nonce.length !== RANDOM_BYTES + MAC_BYTES) throw new JoinProofError('forged_challenge', 'challenge nonce has the wrong length');
  const random = challenge.nonce.subarray(0, RANDOM_BYTES);
  const tag = challenge.nonce.subarray(RANDOM_BYTES);
  const expected = mac(input.secret, input.chainId, input.publicKey, random, challenge.issuedAtMs, challenge.expiresAtMs);
  if (!timingSafeEqual(expected, tag)) throw new JoinProofError('forged_challenge', 'challenge was not issued by this registry for this key');
  if (input.nowMs > challenge.expiresAtMs) throw new JoinProofError('stale_challenge', `challenge expired ${input.nowMs - challenge.expiresAtMs} ms ago`);
}
