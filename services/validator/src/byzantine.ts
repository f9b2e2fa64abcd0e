/**
 * TEST ONLY: the Byzantine mode of the integration tests — a validator that,
 * from a given height on, signs a second prevote for a different value in
 * the first round it prevotes at each height, and a second proposal (of a
 * block one millisecond later) whenever it proposes.
 */
import type { ConsensusMessage, Proposal, Vote } from '@learnchain/consensus';
import { sha256, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { valueOf } from './blocks';

/**
 * The conflicting prevote to send beside `message`, or undefined: only for a
 * prevote at `fromHeight` or above, once per height (`done` remembers them).
 */
export function conflictingPrevote(message: ConsensusMessage, fromHeight: number | undefined, done: Set<number>): Vote | undefined {
  if (!fromHeight || message.kind !== 'vote') return undefined;
  const vote = message.vote;
  if (vote.type !== 'prevote' || vote.height < fromHeight || done.has(vote.height)) return undefined;
  done.add(vote.height);
  const other = vote.value === null ? toHex(sha256(new TextEncoder().encode(`byzantine-${vote.height}`))) : null;
  return { ...vote, value: other };
}

/**
 * The conflicting proposal (with its block) to send beside `message`, or
 * undefined: only for a proposal at `fromHeight` or above, once per height
 * and round (`done` remembers them).
 */
export function conflictingProposal(
  message: ConsensusMessage,
  block: v1.Block__Output | undefined,
  fromHeight: number | undefined,
  done: Set<string>,
): { proposal: Proposal; block: v1.Block__Output } | undefined {
  if (!fromHeight || message.kind !== 'proposal' || !block?.header) return undefined;
  const p = message.proposal;
  const key = `${p.height}/${p.round}`;
  if (p.height < fromHeight || done.has(key)) return undefined;
  done.add(key);
  const other = { ...block, header: { ...block.header, timeMs: block.header.timeMs + 1 } };
  return { proposal: { ...p, value: valueOf(other) }, block: other };
}
