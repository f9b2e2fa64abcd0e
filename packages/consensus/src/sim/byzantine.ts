/** How a Byzantine validator bends the messages its own core wants to send. */
import type { ConsensusMessage } from '../types';
import type { SimApplication } from './app';
import type { Prng } from './prng';

/** What the Byzantine node's own core knows of the round it speaks in. */
export interface ByzantineView {
  /** The value of the round's proposal, if its core has one. */
  readonly roundProposal: string | null;
  /** The index of the next round's proposer. */
  readonly nextProposer: number;
}

/**
 * The message each peer gets (null: nothing) (indexed by validator), or an empty array to send
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
  view: ByzantineView,
): (ConsensusMessage | null)[] {
  const address = `v${self}`;
  if (behaviour === 'equivocate' && message.kind === 'proposal' && message.proposal.validRound === -1) {
    const p = message.proposal;
    const other: ConsensusMessage = {
      kind: 'proposal',
      proposal: { ...p, value: app.propose(address, p.height, p.round) },
    };
    return split(message, other, validators, rng);
  }
  if (behaviour === 'amnesia' && message.kind === 'proposal') {
    // Forget the valid value; hide the proposal from the next round's proposer so
    // that it stays free to propose something else while the others lock.
    const p = message.proposal;
    const fresh: ConsensusMessage = { kind: 'proposal', proposal: { ...p, validRound: -1 } };
    return Array.from({ length: validators }, (_, i) => (i === view.nextProposer ? null : fresh));
  }
  if (behaviour === 'amnesia' && message.kind === 'vote') {
    const v = message.vote;
    if (v.type === 'prevote') {
      // Prevote whatever the round's proposal is, lock or no lock.
      const value = view.roundProposal ?? v.value;
      return Array.from({ length: validators }, () => ({ kind: 'vote', vote: { ...v, value } }));
    }
    // Precommit the proposal to one validator only, nil to the rest: one node may decide alone.
    const value = view.roundProposal ?? v.value;
    let favoured = rng.int(validators);
    if (favoured === view.nextProposer) favoured = (favoured + 1) % validators;
    return Array.from({ length: validators }, (_, i) => ({
      kind: 'vote',
      vote: { ...v, value: i === favoured ? value : null },
    }));
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
function split(a: ConsensusMessage, b: ConsensusMessage, validators: number, rng: Prng): (ConsensusMessage | null)[] {
  return Array.from({ length: validators }, () => (rng.chance(0.5) ? a : b));
}
