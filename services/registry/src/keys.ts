/**
 * Parsed public keys of the members this replica hears from, so a signature
 * check costs one ed25519 verify and not a key import (and a hash of the key)
 * per request. Keyed by node id; an entry is used only for the exact key bytes
 * it was made from, so a request naming a node with another key is checked
 * (and refused) as before.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

import { addressOf, signedBytes, type Canonical, type SigningDomain } from '@learnchain/core';

interface Entry {
  readonly publicKey: Buffer;
  readonly key: KeyObject;
}

/** A bounded cache of member keys; the oldest entry goes first when full. */
export class MemberKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 100_000) {}

  get size(): number {
    return this.entries.size;
  }

  private keyOf(nodeId: string, publicKey: Uint8Array): KeyObject | undefined {
    const cached = this.entries.get(nodeId);
    if (cached && cached.publicKey.equals(publicKey)) return cached.key;
    // The node id is the hash of its key: the key in the request must be the member's own.
    if (publicKey.length !== 32 || addressOf(publicKey) !== nodeId) return undefined;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    } catch {
      return undefined;
    }
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(nodeId, { publicKey: Buffer.from(publicKey), key });
    return key;
  }

  /** Whether `signature` by the key of `nodeId` covers exactly this statement in this domain. Never throws on bad input. */
  verify(nodeId: string, publicKey: Uint8Array, domain: SigningDomain, statement: Canonical, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    const key = this.keyOf(nodeId, publicKey);
    if (!key) return false;
    let bytes: Uint8Array;
    try {
      bytes = signedBytes(domain, statement);
    } catch {
      return false;
    }
    try {
      return verify(null, bytes, key, signature);
    } catch {
      return false;
    }
  }

  forget(nodeId: string): void {
    this.entries.delete(nodeId);
  }
}
