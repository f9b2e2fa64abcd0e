/**
 * Admission policies: who may join.
 * - open: anyone who proves possession of a key;
 * - allow-list: only the listed public keys (hex, one per line in a file);
 * - min-reputation: only nodes whose reputation on the ledger reaches a floor.
 */
import { readFileSync } from 'node:fs';

import { fromHex, toHex } from '@learnchain/core';

import { AdmissionRefusedError } from '../errors';

/** Reads a node's reputation from the ledger. */
export type ReputationSource = (nodeId: string) => Promise<number>;

export type AdmissionPolicy =
  | { readonly kind: 'open' }
  | { readonly kind: 'allow-list'; readonly publicKeys: ReadonlySet<string> }
  | { readonly kind: 'min-reputation'; readonly minimum: number; readonly reputation: ReputationSource };

/** Parses an allow-list file: one hex public key per line; blank lines and # comments are ignored. */
export function readAllowList(path: string): ReadonlySet<string> {
  const keys = new Set<string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0)
    .forEach((line, index) => {
      const key = fromHex(line);
      if (!key || key.length !== 32) throw new Error(`${path}:${index + 1}: expected a 32-byte hex ed25519 public key`);
      keys.add(toHex(key));
    });
  return keys;
}

/** Throws AdmissionRefusedError unless the policy admits the node. */
export async function admit(policy: AdmissionPolicy, nodeId: string, publicKey: Uint8Array): Promise<void> {
  switch (policy.kind) {
    case 'open':
      return;
    case 'allow-list':
      if (!policy.publicKeys.has(toHex(publicKey))) throw new AdmissionRefusedError(nodeId, policy.kind, 'its key is not on the list');
      return;
    case 'min-reputation': {
      const score = await policy.reputation(nodeId);
      if (score < policy.minimum) throw new AdmissionRefusedError(nodeId, policy.kind, `reputation ${score} is below ${policy.minimum}`);
      return;
    }
  }
}
