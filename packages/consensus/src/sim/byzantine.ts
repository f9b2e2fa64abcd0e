/** How a Byzantine validator bends the messages its own core wants to send. */
import type { ConsensusMessage } from '../types';
import type { SimApplication } from './app';
import type { Prng } from './prng';

/**
 * The message each peer gets (indexed by validator), or an empty array to send
 * the original to everyone. Signatures cannot be forged, so a Byzantine node
 * only ever lies in its own name.
 */
export function byzantineCopies(
  behaviour: string | null,
  message: ConsensusMessage,
  validators: number,
  self: number,
  rng: Prng,
  app: SimApplication,
): ConsensusMessage[] {
  const address = `v${self}`;
  if (behaviour === 'equivocate' && message.kind === 'proposal' && message.proposal.validRound === -1) {
    const p = message.proposal;
    const other: ConsensusMessage = {
      kind: 'proposal',
      proposal: { ...p, value: app.propose(address, p.height, p.round) },
    };
    return split(message, other, validators, rng);
  }
  if (behaviour === 'double-vote' && message.kind === 'vote') {
    const v = message.vote;
    const value = v.value === null ? app.propose(address, v.height, v.round) : null;
    return split(message, { kind: 'vote', vote: { ...v, value } }, validators, rng);
  }
  if (behaviour === 'invalid-votes' && message.kind === 'vote') {
    const v = message.vote;
    const bad: ConsensusMessage = { kind: 'vote', vote: { ...v, value: app.invalid(address, v.height, v.round) } };
    return Array.from({ length: validators }, () => bad);
  }
  return [];
}

/** Half the validators (chosen at random) get `a`, the rest `b`. */
function split(a: ConsensusMessage, b: ConsensusMessage, validators: number, rng: Prng): ConsensusMessage[] {
  return Array.from({ length: validators }, () => (rng.chance(0.5) ? a : b));
}
