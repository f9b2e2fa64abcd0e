/**
 * The validator set at each height, from genesis and the validator-set changes
 * each block made (carried by the next header): changes of block h take effect
 * at h + 2, as the consensus core applies them.
 */
import { advanceProposer, applyValidatorUpdates, makeValidatorSet, type ValidatorSet, type ValidatorUpdate } from '@learnchain/consensus';
import type { v1 } from '@learnchain/proto';

import type { Genesis } from './genesis';
import { addressOfKey } from './tx';

/** The set of height 1. */
export function genesisValidatorSet(genesis: Genesis): ValidatorSet {
  return makeValidatorSet(genesis.validators.map((v) => ({ address: v.address, power: v.power })));
}

/** Wire validator updates as the core takes them. */
export function coreUpdates(updates: readonly { readonly publicKey: Uint8Array; readonly power: number }[]): ValidatorUpdate[] {
  return updates.map((u) => ({ address: addressOfKey(new Uint8Array(u.publicKey)), power: u.power }));
}

/** Wire form of validator updates. */
export function wireUpdates(updates: readonly { readonly publicKey: Uint8Array; readonly power: number }[]): v1.ValidatorUpdate[] {
  return updates.map((u) => ({ publicKey: Buffer.from(u.publicKey), power: u.power }));
}

/**
 * The set of height h + 1 from the set of height h and the changes of block
 * h - 1, with proposer priorities advanced as the core advances them.
 */
export function nextValidatorSet(set: ValidatorSet, changesOfPreviousBlock: readonly ValidatorUpdate[]): ValidatorSet {
  return applyValidatorUpdates(advanceProposer(set), changesOfPreviousBlock);
}
