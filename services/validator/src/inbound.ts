/**
 * A peer's consensus message, taken in: a vote or proposal is checked
 * (signature, height, validator set) before the core sees it, kept in the
 * book and queued for the core; transactions go to the mempool; a status
 * saying a peer committed this node's running height starts block sync.
 */
import type { Input } from '@learnchain/consensus';
import type { SignatureChecks } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { admitProposal, admitVote, type GossipView, type Network, type Reception } from './gossip';
import type { Mempool } from './mempool';

/** What taking a message in needs of the node. */
export interface Inbound {
  readonly view: GossipView;
  network(): Network;
  readonly mempool: Mempool;
  /** Where the signatures of gossiped transactions are checked. */
  readonly signatures: SignatureChecks;
  /** Queues an input for the core (a proposal with its block). */
  enqueue(input: Input, block?: v1.Block__Output): void;
  /** A transaction entered the mempool. */
  txArrived(): void;
  /** Whether a peer's status means this node should fetch the block of its running height now. */
  callsForSync(status: v1.HeightStatus__Output): boolean;
}

/** A message from a peer (Hello already done); transactions are taken once their signatures are checked. */
export function receive(inbound: Inbound, message: v1.ConsensusMessage__Output, peer: string): Reception | Promise<Reception> {
  if (message.vote) return receiveVote(inbound, message.vote, peer);
  if (message.proposal) return receiveProposal(inbound, message.proposal, message);
  if (message.status) {
    // A peer committed our running height: fetch the block, unless consensus is about to deliver it.
    if (inbound.callsForSync(message.status)) inbound.network().requestSync(peer);
    return 'ok';
  }
  if (message.txs) return receiveTxs(inbound, message.txs.txs);
  return 'bad';
}

function receiveVote(inbound: Inbound, wire: v1.Vote__Output, peer: string): Reception {
  const admitted = admitVote(inbound.view, wire);
  if (admitted.reception !== 'ok') {
    if (admitted.behind) inbound.network().requestSync(peer);
    return admitted.reception;
  }
  inbound.view.book.addVote(admitted.key, wire);
  inbound.enqueue({ kind: 'vote', vote: admitted.vote });
  return 'ok';
}

function receiveProposal(inbound: Inbound, wire: v1.Proposal__Output, message: v1.ConsensusMessage__Output): Reception {
  const admitted = admitProposal(inbound.view, wire);
  if (admitted.reception !== 'ok') {
    if (admitted.behind) inbound.network().requestSync();
    return admitted.reception;
  }
  inbound.view.book.addProposal(admitted.proposal, message);
  inbound.enqueue({ kind: 'proposal', proposal: admitted.proposal }, admitted.block);
  return 'ok';
}

/** Transactions a peer's mempool accepted; one with a bad signature counts against the peer. */
async function receiveTxs(inbound: Inbound, txs: readonly v1.Tx__Output[]): Promise<Reception> {
  const { fresh, badSignatures } = await inbound.mempool.addBatch(txs, inbound.signatures);
  if (fresh > 0) inbound.txArrived();
  return badSignatures > 0 ? 'bad' : 'ok';
}
