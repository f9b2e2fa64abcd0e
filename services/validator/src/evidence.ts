/**
 * Misbehaviour the consensus core saw, as the body of an Evidence
 * transaction: the two conflicting messages exactly as their signer signed
 * them (votes whole; proposals without their blocks, which the signatures
 * cover by hash); and that transaction, signed by this validator and queued.
 */
import type { Evidence } from '@learnchain/consensus';
import { toHex, type Logger } from '@learnchain/core';
import { decodeTxBytes, encodeTx, nonceOf, signedProposalOf, signTx, type Genesis } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { valueBytes } from './blocks';
import type { Chain } from './chain';
import { voteKey, type MessageBook } from './gossip';
import type { Mempool } from './mempool';
import type { Signer } from './signer';

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

/** Evidence transactions of this validator, each with the nonce after the last one it committed or signed. */
export class EvidenceTxs {
  private nonce = 0;

  constructor(private readonly options: { readonly genesis: Genesis; readonly signer: Signer; readonly chain: Chain; readonly mempool: Mempool; readonly logger: Logger }) {}

  /** Signs the Evidence proving `evidence` and queues it in the mempool; returns it to gossip (undefined when not queued). */
  submit(evidence: Evidence, book: MessageBook): v1.Tx__Output | undefined {
    const { logger, chain, signer, genesis, mempool } = this.options;
    const proof = evidenceBody(evidence, book);
    if (!proof) return undefined;
    this.nonce = Math.max(nonceOf(chain.state, toHex(signer.identity.publicKey)), this.nonce) + 1;
    try {
      const tx = decodeTxBytes(encodeTx(signTx(signer.identity, genesis.chainId, this.nonce, { evidence: proof.body })), { chainId: genesis.chainId });
      mempool.add(tx.wire, tx.size);
      const { kind, ...offence } = proof.offence;
      logger.warn({ ...offence, tx: tx.hashHex }, `conflicting ${kind}: evidence submitted`);
      return tx.wire;
    } catch (error) {
      logger.warn({ err: error }, 'evidence not submitted');
      return undefined;
    }
  }
}
