/**
 * Building and checking blocks: the proposer assembles a block from the mempool
 * over the state it has; every validator checks a proposed block against its
 * own view (links, hashes, validator sets, state root, limits, transactions)
 * before the consensus core may prevote it.
 */
import { checkCommit, validatorsAt, type ConsensusState, type ValidatorSet, type Vote } from '@learnchain/consensus';
import { equalBytes, fromHex, toHex } from '@learnchain/core';
import {
  blockHashOf,
  checkVote,
  commitHashOf,
  dataHashOf,
  decodeTx,
  validatorsHashOf,
  type Genesis,
  type Tx,
} from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

/** What the validator knows of the last committed block. */
export interface ChainTip {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly timeMs: number;
  readonly commit: v1.Commit__Output | null;
  /** The validator-set changes of the last block (they go into the next header). */
  readonly updates: readonly v1.ValidatorUpdate__Output[];
  readonly appHash: Uint8Array;
}

/** Allowed clock skew of a proposed block's time into the future. */
const MAX_FUTURE_MS = 30_000;

export function buildBlock(genesis: Genesis, core: ConsensusState, tip: ChainTip, txs: readonly Tx[], proposer: string, nowMs: number): v1.Block__Output {
  const header: v1.Header__Output = {
    chainId: genesis.chainId,
    height: core.height,
    timeMs: Math.max(nowMs, tip.timeMs + 1),
    previousBlockHash: Buffer.from(tip.hash),
    lastCommitHash: Buffer.from(commitHashOf(tip.commit)),
    dataHash: Buffer.from(dataHashOf(txs.map((t) => t.hash))),
    validatorsHash: Buffer.from(validatorsHashOf(core.validators.validators)),
    nextValidatorsHash: Buffer.from(validatorsHashOf(validatorsAt(core, core.height + 1).validators)),
    appHash: Buffer.from(tip.appHash),
    proposer,
    lastValidatorUpdates: tip.updates.map((u) => ({ publicKey: u.publicKey, power: u.power })),
  };
  return { header, txs: txs.map((t) => t.wire), lastCommit: tip.commit };
}

export type BlockCheck = { readonly ok: true; readonly txs: Tx[] } | { readonly ok: false; readonly reason: string };

/** Everything about a proposed block that needs no blob: returns its decoded transactions or why it is invalid. */
export function checkProposedBlock(
  genesis: Genesis,
  core: ConsensusState,
  tip: ChainTip,
  previousSet: ValidatorSet | undefined,
  block: v1.Block__Output,
  isVerified: (hashHex: string) => boolean,
  nowMs: number,
  verifyVote: (wire: v1.Vote__Output) => Vote | undefined = (wire) => checkVote(genesis.chainId, wire),
): BlockCheck {
  const h = block.header;
  if (!h) return { ok: false, reason: 'no header' };
  if (h.chainId !== genesis.chainId || h.height !== core.height) return { ok: false, reason: 'wrong chain or height' };
  if (!equalBytes(new Uint8Array(h.previousBlockHash), tip.hash)) return { ok: false, reason: 'previous block hash' };
  if (!equalBytes(new Uint8Array(h.appHash), tip.appHash)) return { ok: false, reason: 'app hash differs from this validator state' };
  if (h.timeMs <= tip.timeMs || h.timeMs > nowMs + MAX_FUTURE_MS) return { ok: false, reason: 'block time' };
  if (!equalBytes(new Uint8Array(h.validatorsHash), validatorsHashOf(core.validators.validators))) return { ok: false, reason: 'validators hash' };
  if (!equalBytes(new Uint8Array(h.nextValidatorsHash), validatorsHashOf(validatorsAt(core, core.height + 1).validators))) return { ok: false, reason: 'next validators hash' };
  const expected = tip.updates.map((u) => `${toHex(u.publicKey)}:${u.power}`).join(',');
  if (h.lastValidatorUpdates.map((u) => `${toHex(u.publicKey)}:${u.power}`).join(',') !== expected) return { ok: false, reason: 'last validator updates' };
  if (!equalBytes(new Uint8Array(h.lastCommitHash), commitHashOf(block.lastCommit))) return { ok: false, reason: 'last commit hash' };
  if (core.height > 1) {
    const lc = block.lastCommit;
    if (!lc || !previousSet || lc.height !== core.height - 1 || !equalBytes(new Uint8Array(lc.blockHash), tip.hash)) return { ok: false, reason: 'last commit is not for the previous block' };
    const votes: Vote[] = [];
    for (const w of lc.precommits) {
      const v = verifyVote(w);
      if (!v) return { ok: false, reason: 'last commit: bad signature' };
      votes.push(v);
    }
    const fault = checkCommit({ height: lc.height, round: lc.round, value: toHex(tip.hash), precommits: votes }, previousSet);
    if (fault) return { ok: false, reason: `last commit: ${fault}` };
  } else if (block.lastCommit) return { ok: false, reason: 'height 1 carries no commit' };
  if (block.txs.length > genesis.consensus.maxBlockTxs) return { ok: false, reason: 'too many transactions' };
  const txs: Tx[] = [];
  let bytes = 0;
  for (const [i, w] of block.txs.entries()) {
    try {
      const tx = decodeTx(w, { chainId: genesis.chainId, maxTxBytes: genesis.consensus.maxTxBytes, isVerified });
      bytes += tx.size;
      txs.push(tx);
    } catch (error) {
      return { ok: false, reason: `txs[${i}]: ${(error as Error).message}` };
    }
  }
  if (bytes > genesis.consensus.maxBlockBytes) return { ok: false, reason: 'block too large' };
  if (new Set(txs.map((t) => t.hashHex)).size !== txs.length) return { ok: false, reason: 'duplicate transaction' };
  if (!equalBytes(new Uint8Array(h.dataHash), dataHashOf(txs.map((t) => t.hash)))) return { ok: false, reason: 'data hash' };
  return { ok: true, txs };
}

/** The block id as the core names values. */
export function valueOf(block: v1.Block__Output): string {
  return toHex(blockHashOf(block.header as v1.Header__Output));
}

/** Bytes of a hex value id. */
export function valueBytes(value: string): Uint8Array {
  return fromHex(value) ?? new Uint8Array(0);
}
