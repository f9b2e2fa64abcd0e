/** Readable one-line descriptions of what moves through a simulated run. */
import type { Input } from '../io';
import type { ConsensusMessage, Proposal, Vote } from '../types';

/** What the simulated network carries: consensus messages and catch-up replies (block sync). */
export type NetMessage =
  | ConsensusMessage
  | {
      readonly kind: 'catch-up';
      readonly proposal: Proposal;
      readonly round: number;
      readonly precommits: readonly Vote[];
    };

function short(value: string | null): string {
  return value === null ? 'nil' : value;
}

/** `prevote h1 r0 v2 -> 1.0.v3.ab12` and similar. */
export function describeMessage(m: ConsensusMessage): string {
  if (m.kind === 'vote') {
    const v = m.vote;
    return `${v.type} h${v.height} r${v.round} ${v.validator} -> ${short(v.value)}`;
  }
  const p = m.proposal;
  return `proposal h${p.height} r${p.round} by ${p.proposer}: ${p.value} vr=${p.validRound}`;
}

/** One input as a trace line. */
export function describeInput(input: Input): string {
  switch (input.kind) {
    case 'start-height':
      return `start-height ${input.height}${input.validatorUpdates.length ? ` updates=${JSON.stringify(input.validatorUpdates)}` : ''}`;
    case 'proposal':
      return describeMessage(input);
    case 'vote':
      return describeMessage(input);
    case 'timeout-elapsed':
      return `timeout ${input.timeout.kind} h${input.timeout.height} r${input.timeout.round}`;
    case 'proposal-value':
      return `value for h${input.height} r${input.round}: ${input.value}`;
    case 'verdict':
      return `verdict ${input.value} ${input.valid ? 'valid' : 'INVALID'}`;
    case 'commit-certificate':
      return `commit certificate h${input.certificate.height} r${input.certificate.round} ${input.certificate.value}`;
  }
}
