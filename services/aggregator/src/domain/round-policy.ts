/**
 * The round manager's decision core: given an open round as data and the time,
 * what to do next. No clock, database or network in here; the adapter
 * (rounds.ts) feeds it state and carries out what it decides.
 *
 * A round closes
 *   - all-in:   every participant's update has arrived (and at least the job's minimum);
 *   - quorum:   the quorum has arrived and the grace period after the update that
 *               made it has passed (stragglers are dropped with a reason);
 *   - deadline: the deadline passed with at least the minimum in.
 * With fewer than the minimum at the deadline the round is extended once (by
 * `extensionMs`), then failed with a reason; a round whose participants cannot
 * reach the minimum at all fails at once. A failed round is retried by the
 * adapter: it never hangs.
 */

/** What the policy needs to know about a job. */
export interface RoundPolicy {
  /** The job's minimum number of updates for a round to count. */
  readonly minTrainers: number;
  /** Updates that close the round early, after `graceMs` (see quorumOf). */
  readonly quorum: number;
  readonly graceMs: number;
  /** How long the one extension lasts. */
  readonly extensionMs: number;
}

/** An update that arrived, by whom and when. */
export interface Arrival {
  readonly nodeId: string;
  readonly atMs: number;
}

/** The open round as the policy sees it. */
export interface OpenRoundView {
  readonly participants: readonly string[];
  readonly received: readonly Arrival[];
  readonly deadlineMs: number;
  readonly extended: boolean;
}

export interface Straggler {
  readonly nodeId: string;
  readonly reason: string;
}

export type ClosedBy = 'all-in' | 'quorum' | 'deadline';

export type RoundDecision =
  | { readonly kind: 'wait'; readonly untilMs: number }
  | { readonly kind: 'close'; readonly closedBy: ClosedBy; readonly included: readonly string[]; readonly stragglers: readonly Straggler[] }
  | { readonly kind: 'extend'; readonly deadlineMs: number; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/** The quorum of a round: at least the job's minimum, and `fraction` of the participants (rounded up). */
export function quorumOf(participants: number, minTrainers: number, fraction: number): number {
  return Math.max(minTrainers, Math.min(participants, Math.ceil(fraction * participants)));
}

/** The participants of a round closed by `closedBy` whose update is not among `included`, each with the reason. */
export function stragglersOf(participants: readonly string[], included: ReadonlySet<string>, closedBy: string | null): Straggler[] {
  const reason = closedBy === 'deadline' ? 'late: no update by the deadline' : 'late: the round closed on quorum before its update arrived';
  return participants.filter((p) => !included.has(p)).map((nodeId) => ({ nodeId, reason }));
}

function close(view: OpenRoundView, arrived: readonly Arrival[], closedBy: ClosedBy): RoundDecision {
  const included = arrived.map((a) => a.nodeId);
  return { kind: 'close', closedBy, included, stragglers: stragglersOf(view.participants, new Set(included), closedBy) };
}

/** What to do with an open round at time `now`. */
export function decideRound(view: OpenRoundView, policy: RoundPolicy, now: number): RoundDecision {
  const participants = new Set(view.participants);
  const seen = new Set<string>();
  // Only participants' first arrivals count, in arrival order (ties by node id).
  const arrived = [...view.received]
    .sort((a, b) => a.atMs - b.atMs || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
    .filter((a) => participants.has(a.nodeId) && !seen.has(a.nodeId) && seen.add(a.nodeId));
  const count = arrived.length;

  if (participants.size < policy.minTrainers) {
    return { kind: 'fail', reason: `only ${participants.size} trainers were active, the job needs ${policy.minTrainers}` };
  }
  if (count === participants.size) return close(view, arrived, 'all-in');

  const quorum = Math.max(policy.minTrainers, policy.quorum);
  if (count >= quorum) {
    const reachedAt = arrived[quorum - 1]?.atMs ?? now;
    const graceEnds = reachedAt + policy.graceMs;
    if (now >= graceEnds) return close(view, arrived, 'quorum');
    if (now >= view.deadlineMs) return close(view, arrived, 'deadline');
    return { kind: 'wait', untilMs: Math.min(graceEnds, view.deadlineMs) };
  }
  if (now < view.deadlineMs) return { kind: 'wait', untilMs: view.deadlineMs };
  if (count >= policy.minTrainers) return close(view, arrived, 'deadline');
  const short = `${count} of the ${policy.minTrainers} updates the job needs arrived by the deadline`;
  if (!view.extended) return { kind: 'extend', deadlineMs: now + policy.extensionMs, reason: short };
  return { kind: 'fail', reason: `${short}, even after one extension` };
}
