import { applyWithFaults } from '../core';
import type { CoreFaults } from '../context';
import type { Effect, Input } from '../io';
import { createState } from '../state';
import type { ConsensusState } from '../state';
import { makeValidatorSet } from '../validators';
import type { Proposal, Vote, VoteType } from '../types';

/** Four validators of power 1; round r's proposer is a, b, c, d, a, ... */
export const FOUR = makeValidatorSet(['a', 'b', 'c', 'd'].map((address) => ({ address, power: 1 })));

/** A core for `address` that has started height 1. */
export function started(address: string, faults: CoreFaults = {}): ConsensusState {
  return run(createState({ address, height: 1, validators: FOUR }), [start(1)], faults).state;
}

export function start(height: number): Input {
  return { kind: 'start-height', height, validatorUpdates: [] };
}

export function proposal(round: number, value: string, validRound = -1, proposer?: string): Input {
  const p: Proposal = { height: 1, round, value, validRound, proposer: proposer ?? 'abcd'[round % 4]! };
  return { kind: 'proposal', proposal: p };
}

export function vote(type: VoteType, round: number, value: string | null, validator: string, height = 1): Input {
  const v: Vote = { type, height, round, value, validator };
  return { kind: 'vote', vote: v };
}

export function votes(type: VoteType, round: number, value: string | null, validators: string): Input[] {
  return [...validators].map((v) => vote(type, round, value, v));
}

export function verdict(value: string, valid: boolean): Input {
  return { kind: 'verdict', height: 1, value, valid };
}

/** Applies inputs in order; returns the last state and every effect. */
export function run(
  state: ConsensusState,
  inputs: readonly Input[],
  faults: CoreFaults = {},
): { state: ConsensusState; effects: Effect[] } {
  let s = state;
  const effects: Effect[] = [];
  for (const input of inputs) {
    const t = applyWithFaults(s, input, faults);
    s = t.state;
    effects.push(...t.effects);
  }
  return { state: s, effects };
}

/** The votes among `effects`, as `type:round:value` strings (nil for null). */
export function castVotes(effects: readonly Effect[]): string[] {
  const out: string[] = [];
  for (const e of effects) {
    if (e.kind === 'broadcast' && e.message.kind === 'vote') {
      const v = e.message.vote;
      out.push(`${v.type}:${v.round}:${v.value ?? 'nil'}`);
    }
  }
  return out;
}

export function timeouts(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) =>
    e.kind === 'schedule-timeout' ? [`${e.timeout.kind}:${e.timeout.height}:${e.timeout.round}`] : [],
  );
}
