/**
 * TEST ONLY: the Byzantine mode of the integration tests — a validator that,
 * from a given height on, signs a second prevote for a different value in
 * the first round it prevotes at each height.
 */
import type { ConsensusMessage, Vote } from '@learnchain/consensus';
import { sha256, toHex } from '@learnchain/core';

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
