/**
 * The signed and hashed forms of consensus objects: votes, proposals, hellos,
 * headers, commits. A block's id is the SHA-256 of its header's canonical
 * statement; the header names the transactions by `data_hash`, the previous
 * block by hash and the previous commit by `last_commit_hash`, so one commit
 * certifies the whole chain behind it.
 */
import type { Vote as CoreVote, VoteType } from '@learnchain/consensus';
import { encodeCanonical, fromHex, sha256, signStatement, toHex, verifyStatement, type Canonical, type Identity } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { addressOfKey } from './tx';

const EMPTY = new Uint8Array(0);

/** What a validator signs for a vote (domain 'vote'). */
export function voteStatement(chainId: string, height: number, round: number, type: VoteType, blockHash: Uint8Array): Canonical {
  return { chainId, height, round, type, blockHash };
}

/** What a proposer signs (domain 'proposal'). */
export function proposalStatement(chainId: string, height: number, round: number, blockHash: Uint8Array, validRound: number): Canonical {
  return { chainId, height, round, blockHash, validRound };
}

/** What a validator signs to prove itself to a peer (domain 'hello'), over the peer's nonce. */
export function helloStatement(chainId: string, address: string, nonce: Uint8Array): Canonical {
  return { chainId, address, nonce };
}

export function voteTypeToWire(type: VoteType): v1.VoteType__Output {
  return type === 'prevote' ? 'VOTE_TYPE_PREVOTE' : 'VOTE_TYPE_PRECOMMIT';
}

export function voteTypeFromWire(type: v1.VoteType__Output | string | number): VoteType | undefined {
  if (type === 'VOTE_TYPE_PREVOTE' || type === 1) return 'prevote';
  if (type === 'VOTE_TYPE_PRECOMMIT' || type === 2) return 'precommit';
  return undefined;
}

/** Signs a core vote into its wire form. */
export function signVote(identity: Identity, chainId: string, vote: CoreVote): v1.Vote__Output {
  const blockHash = vote.value === null ? EMPTY : (fromHex(vote.value) ?? EMPTY);
  const signature = signStatement(identity, 'vote', voteStatement(chainId, vote.height, vote.round, vote.type, blockHash));
  return {
    height: vote.height,
    round: vote.round,
    type: voteTypeToWire(vote.type),
    blockHash: Buffer.from(blockHash),
    validator: vote.validator,
    signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) },
  };
}

/**
 * The core's view of a wire vote whose signature verifies and whose key belongs
 * to its `validator` address; undefined otherwise. Membership in the validator
 * set is the caller's check.
 */
export function checkVote(chainId: string, vote: v1.Vote__Output): CoreVote | undefined {
  const type = voteTypeFromWire(vote.type);
  const sig = vote.signature;
  if (!type || !sig || !Number.isSafeInteger(vote.height) || vote.height < 1 || !Number.isSafeInteger(vote.round) || vote.round < 0) return undefined;
  if (vote.blockHash.length !== 0 && vote.blockHash.length !== 32) return undefined;
  const publicKey = new Uint8Array(sig.publicKey);
  if (publicKey.length !== 32 || addressOfKey(publicKey) !== vote.validator) return undefined;
  const blockHash = new Uint8Array(vote.blockHash);
  if (!verifyStatement(publicKey, 'vote', voteStatement(chainId, vote.height, vote.round, type, blockHash), new Uint8Array(sig.signature))) return undefined;
  return { type, height: vote.height, round: vote.round, value: blockHash.length === 0 ? null : toHex(blockHash), validator: vote.validator };
}

/** What a proposal's signature covers, checked: the proposer and the statement's fields (block hash in hex). */
export interface CheckedProposal {
  readonly height: number;
  readonly round: number;
  readonly validRound: number;
  readonly blockHash: string;
  readonly proposer: string;
}

/** A proposal's signed part, without its block (the form evidence carries). */
export function signedProposalOf(proposal: v1.Proposal__Output, blockHash: Uint8Array): v1.SignedProposal__Output {
  return {
    height: proposal.height,
    round: proposal.round,
    validRound: proposal.validRound,
    blockHash: Buffer.from(blockHash),
    proposer: proposal.proposer,
    signature: proposal.signature,
  };
}

/**
 * A signed proposal whose signature verifies over its statement and whose key
 * belongs to its `proposer` address; undefined otherwise.
 */
export function checkSignedProposal(chainId: string, proposal: v1.SignedProposal__Output): CheckedProposal | undefined {
  const sig = proposal.signature;
  const { height, round, validRound } = proposal;
  if (!sig || !Number.isSafeInteger(height) || height < 1 || !Number.isSafeInteger(round) || round < 0 || !Number.isSafeInteger(validRound) || validRound < -1) return undefined;
  if (proposal.blockHash.length !== 32) return undefined;
  const publicKey = new Uint8Array(sig.publicKey);
  if (publicKey.length !== 32 || addressOfKey(publicKey) !== proposal.proposer) return undefined;
  const blockHash = new Uint8Array(proposal.blockHash);
  if (!verifyStatement(publicKey, 'proposal', proposalStatement(chainId, height, round, blockHash, validRound), new Uint8Array(sig.signature))) return undefined;
  return { height, round, validRound, blockHash: toHex(blockHash), proposer: proposal.proposer };
}

/** SHA-256 over the hashes of the transactions, in order. */
export function dataHashOf(txHashes: readonly Uint8Array[]): Uint8Array {
  return sha256(encodeCanonical({ txs: txHashes }));
}

/** SHA-256 of a validator set's members and powers, in address order. */
export function validatorsHashOf(validators: readonly { readonly address: string; readonly power: number }[]): Uint8Array {
  const sorted = [...validators].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return sha256(encodeCanonical({ validators: sorted.map((v) => ({ address: v.address, power: v.power })) }));
}

function bytesOf(b: Uint8Array | null | undefined): Uint8Array {
  return b ? new Uint8Array(b) : EMPTY;
}

/** The canonical statement of a header; its hash is the block's id. */
export function headerStatement(h: v1.Header__Output): Canonical {
  return {
    chainId: h.chainId,
    height: h.height,
    timeMs: h.timeMs,
    previousBlockHash: bytesOf(h.previousBlockHash),
    lastCommitHash: bytesOf(h.lastCommitHash),
    dataHash: bytesOf(h.dataHash),
    validatorsHash: bytesOf(h.validatorsHash),
    nextValidatorsHash: bytesOf(h.nextValidatorsHash),
    appHash: bytesOf(h.appHash),
    proposer: h.proposer,
    lastValidatorUpdates: h.lastValidatorUpdates.map((u) => ({ publicKey: bytesOf(u.publicKey), power: u.power })),
  };
}

/** The block id: SHA-256 of the header statement. */
export function blockHashOf(header: v1.Header__Output): Uint8Array {
  return sha256(encodeCanonical(headerStatement(header)));
}

/** The hash of a commit, as the next header names it; empty bytes for no commit (height 1). */
export function commitHashOf(commit: v1.Commit__Output | null | undefined): Uint8Array {
  if (!commit) return EMPTY;
  return sha256(
    encodeCanonical({
      height: commit.height,
      round: commit.round,
      blockHash: bytesOf(commit.blockHash),
      precommits: commit.precommits.map((v) => ({
        validator: v.validator,
        height: v.height,
        round: v.round,
        type: String(v.type),
        blockHash: bytesOf(v.blockHash),
        publicKey: bytesOf(v.signature?.publicKey),
        signature: bytesOf(v.signature?.signature),
      })),
    }),
  );
}
