/**
 * Misbehaviour the consensus core saw, as the body of an Evidence
 * transaction: the two conflicting messages exactly as their signer signed
 * them (votes whole; proposals without their blocks, which the signatures
 * cover by hash).
 */
import type { Evidence } from '@learnchain/consensus';
import { signedProposalOf } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { valueBytes } from './blocks';
import { voteKey, type MessageBook } from './gossip';

/** The offender and where the offence happened, for the log. */
export interface Offence {
  readonly kind: 'votes' | 'proposals';
  readonly validator: string;
  readonly height: number;
  readonly round: number;
}

/** The Evidence body proving `evidence`, or undefined when the book no longer holds both signed messages. */
export function evidenceBody(evidence: Evidence, book: MessageBook): { body: v1.Evidence; offence: Offence } | undefined {
  if (evidence.kind === 'duplicate-vote') {
    const voteA = book.vote(voteKey(evidence.first));
    const voteB = book.vote(voteKey(evidence.second));
    if (!voteA || !voteB) return undefined;
    const { validator, height, round } = evidence.first;
    return { body: { voteA, voteB }, offence: { kind: 'votes', validator, height, round } };
  }
  const a = book.proposal(evidence.first);
  const b = book.proposal(evidence.second);
  if (!a || !b) return undefined;
  const { proposer, height, round } = evidence.first;
  return {
    body: { proposalA: signedProposalOf(a, valueBytes(evidence.first.value)) as v1.SignedProposal, proposalB: signedProposalOf(b, valueBytes(evidence.second.value)) as v1.SignedProposal },
    offence: { kind: 'proposals', validator: proposer, height, round },
  };
}
