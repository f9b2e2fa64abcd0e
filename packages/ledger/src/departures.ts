/**
 * Forgetting departed members. A RoundResult may name a membership epoch at
 * most `epochWindow` epochs behind the chain's (checkRoundResult), so a member
 * that left at an epoch that far back is in no round the ledger can still
 * accept: its member, key and reputation records are deleted then. Without
 * this, every trainer started on a fresh key would stay in every validator's
 * state for good.
 *
 * Departures wait in a queue in the state, in the order they were committed
 * (the membership epoch only grows): `departures` holds the queue's bounds and
 * `departures/SEQ` each departure. Each transaction that moves the epoch
 * forgets at most FORGET_PER_TX of them, so none costs more than that; the
 * queue drains as fast as members depart.
 */
import { toHex } from '@learnchain/core';

import { asCanonical, KEYS, read, type MemberRecord } from './records';
import type { Overlay } from './state';

interface Bounds {
  /** The sequence number of the oldest departure not yet forgotten. */
  readonly first: number;
  /** The sequence number the next departure takes. */
  readonly next: number;
}

interface Departure {
  readonly nodeId: string;
  readonly leftEpoch: number;
}

const FORGET_PER_TX = 16;

function boundsOf(s: Overlay): Bounds {
  return read<Bounds>(s.get(KEYS.departures)) ?? { first: 0, next: 0 };
}

/** Queues a member that left at `leftEpoch` to be forgotten later. */
export function recordDeparture(s: Overlay, nodeId: string, leftEpoch: number): void {
  const bounds = boundsOf(s);
  s.set(KEYS.departure(bounds.next), asCanonical({ nodeId, leftEpoch } satisfies Departure));
  s.set(KEYS.departures, asCanonical({ first: bounds.first, next: bounds.next + 1 } satisfies Bounds));
}

/**
 * Forgets members that departed at `epoch - window` or earlier. A member that
 * joined again since is active, or departed at another epoch: its records stay.
 */
export function forgetDeparted(s: Overlay, epoch: number, window: number): void {
  const bounds = boundsOf(s);
  let first = bounds.first;
  while (first < bounds.next && first < bounds.first + FORGET_PER_TX) {
    const departure = read<Departure>(s.get(KEYS.departure(first)));
    if (departure && departure.leftEpoch > epoch - window) break;
    if (departure) forgetMember(s, departure);
    s.set(KEYS.departure(first), null);
    first += 1;
  }
  if (first !== bounds.first) s.set(KEYS.departures, asCanonical({ first, next: bounds.next } satisfies Bounds));
}

function forgetMember(s: Overlay, departure: Departure): void {
  const member = read<MemberRecord>(s.get(KEYS.member(departure.nodeId)));
  if (!member || member.status === 'active' || member.leftEpoch !== departure.leftEpoch) return;
  s.set(KEYS.member(member.nodeId), null);
  s.set(KEYS.memberKey(toHex(member.publicKey)), null);
  s.set(KEYS.reputation(member.nodeId), null);
}
