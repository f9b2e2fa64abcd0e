/**
 * The light client: walks the chain from genesis with nothing but the genesis
 * validator keys, checking that each header hashes to the id its commit
 * certifies, links to the previous block and commit, names its transactions by
 * `data_hash`, names the validator set in force, and that each commit carries
 * valid precommits of more than 2/3 of that set's power. Set changes are
 * followed through the headers' `last_validator_updates`.
 */
import { checkCommit, type ValidatorSet, type Vote } from '@learnchain/consensus';
import { equalBytes, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { blockHashOf, checkVote, commitHashOf, dataHashOf, validatorsHashOf } from './chain';
import type { Genesis } from './genesis';
import { decodeTx } from './tx';
import { coreUpdates, genesisValidatorSet, nextValidatorSet } from './validators';

/** Where the light client reads blocks from (a validator's GetBlock, in practice). */
export interface ChainSource {
  latestHeight(): Promise<number>;
  /** The block at `height` with the commit that certifies it. */
  block(height: number): Promise<{ readonly block: v1.Block__Output | null; readonly commit: v1.Commit__Output | null }>;
}

export type ChainVerdict =
  | { readonly ok: true; readonly height: number }
  | { readonly ok: false; readonly height: number; readonly reason: string };

/** Checks one block and its commit against the set in force; returns the fault or undefined. */
export function checkBlock(
  genesis: Genesis,
  height: number,
  block: v1.Block__Output | null,
  commit: v1.Commit__Output | null,
  set: ValidatorSet,
  previousHash: Uint8Array,
): { readonly fault: string } | { readonly hash: Uint8Array } {
  const header = block?.header;
  if (!block || !header) return { fault: 'missing block or header' };
  if (!commit) return { fault: 'missing commit' };
  if (header.chainId !== genesis.chainId) return { fault: `chain id ${JSON.stringify(header.chainId)}` };
  if (header.height !== height) return { fault: `header says height ${header.height}` };
  if (!equalBytes(new Uint8Array(header.previousBlockHash), previousHash)) return { fault: 'previous block hash does not link' };
  if (height > 1 && !equalBytes(new Uint8Array(header.lastCommitHash), commitHashOf(block.lastCommit))) return { fault: 'last commit hash does not match the carried commit' };
  if (height > 1 && (!block.lastCommit || !equalBytes(new Uint8Array(block.lastCommit.blockHash), previousHash))) return { fault: 'carried commit is not for the previous block' };
  let txHashes: Uint8Array[];
  try {
    txHashes = block.txs.map((tx) => decodeTx(tx, { chainId: genesis.chainId }).hash);
  } catch (error) {
    return { fault: `transaction: ${(error as Error).message}` };
  }
  if (!equalBytes(new Uint8Array(header.dataHash), dataHashOf(txHashes))) return { fault: 'data hash does not match the transactions' };
  if (!equalBytes(new Uint8Array(header.validatorsHash), validatorsHashOf(set.validators))) return { fault: 'validators hash does not name the set in force' };
  const hash = blockHashOf(header);
  if (commit.height !== height || !equalBytes(new Uint8Array(commit.blockHash), hash)) return { fault: 'commit does not certify this block (hash mismatch)' };
  const votes = new Map<Vote, boolean>();
  const precommits: Vote[] = [];
  for (const wire of commit.precommits) {
    const vote = checkVote(genesis.chainId, wire);
    const shown: Vote = vote ?? { type: 'precommit', height, round: commit.round, value: toHex(hash), validator: wire.validator };
    votes.set(shown, vote !== undefined);
    precommits.push(shown);
  }
  const fault = checkCommit({ height, round: commit.round, value: toHex(hash), precommits }, set, (v) => votes.get(v) === true);
  if (fault) return { fault: `commit: ${fault}` };
  return { hash };
}

/** Verifies the chain from genesis up to `to` (default: the source's latest height). */
export async function verifyChain(genesis: Genesis, source: ChainSource, options: { readonly to?: number; readonly onHeight?: (height: number) => void } = {}): Promise<ChainVerdict> {
  const latest = options.to ?? (await source.latestHeight());
  let set = genesisValidatorSet(genesis);
  let previousHash: Uint8Array = new Uint8Array(0);
  for (let height = 1; height <= latest; height++) {
    let fetched;
    try {
      fetched = await source.block(height);
    } catch (error) {
      return { ok: false, height, reason: `cannot read block: ${(error as Error).message}` };
    }
    const result = checkBlock(genesis, height, fetched.block, fetched.commit, set, previousHash);
    if ('fault' in result) return { ok: false, height, reason: result.fault };
    previousHash = result.hash;
    set = nextValidatorSet(set, coreUpdates((fetched.block?.header?.lastValidatorUpdates ?? []).map((u) => ({ publicKey: new Uint8Array(u.publicKey), power: u.power }))));
    options.onHeight?.(height);
  }
  return { ok: true, height: latest };
}
