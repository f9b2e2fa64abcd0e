/**
 * What the report's charts and tables show, derived with no I/O from the job's
 * record on chain (and the scores of its models).
 *
 * A round's time is split from what the chain carries: the aggregator's clock
 * for when the round opened, each update arrived and the round closed, each
 * trainer's own report of its training time, the aggregation time, and block
 * times (the proposer's clock) for when the result was proposed. The commit
 * time is when the aggregator learnt of it, as the next round's result says
 * (results from before it said so: the next round's opening, which waited for
 * the commit), bounded by the next block's time (proposed only after the
 * commit).
 *
 * Rounds overlap: the next one opens on a round's model once it is
 * aggregated, while its result goes to the chain. A round's period — from its
 * opening to the next one's — is what the job spends on it; its wall time —
 * from its opening to its commit — is how long its result took to be final.
 */
import { encodingWord, type CommittedRound, type JobRecordOnChain } from './record';

/** The phases of a round, in order. */
export const PHASES = ['training', 'fetch + upload', 'closing', 'aggregation', 'to proposal', 'proposal to commit'] as const;
export type Phase = (typeof PHASES)[number];

/** One round's time split (milliseconds); null where the chain does not say. */
export interface RoundTime {
  readonly round: number;
  /** The slowest included trainer's own report of its local training time. */
  readonly trainingMs: number | null;
  /** From the opening to the last included update's arrival, less the training. */
  readonly uploadMs: number | null;
  /** From the last included update to the close (the quorum's grace). */
  readonly closingMs: number | null;
  readonly aggregationMs: number;
  /**
   * From the end of aggregation to the proposal of the block that committed the result: holds the
   * validators' checks too when an earlier proposal of it did not gather the votes in time.
   */
  readonly submissionMs: number | null;
  /** From that block's proposal to its commit: the validators' checks (unless an earlier proposal's verdict stands) and votes. */
  readonly commitMs: number | null;
  /** From the opening to the commit. */
  readonly wallMs: number | null;
  /** From the opening to the next round's opening (to the commit for the last round). */
  readonly periodMs: number | null;
  /** Whether the commit time is only the next block's time (an upper bound). */
  readonly commitIsBound: boolean;
}

const positive = (x: number): number => Math.max(0, x);

/** The time of the first block above `height`, if read. */
function nextBlockTime(record: JobRecordOnChain, height: number): number | undefined {
  return record.blocks.find((b) => b.height > height)?.timeMs;
}

/** The split of every committed round. */
export function roundTimes(record: JobRecordOnChain): RoundTime[] {
  return record.rounds.map((r, i) => roundTime(record, r, record.rounds[i + 1]));
}

function roundTime(record: JobRecordOnChain, r: CommittedRound, next: CommittedRound | undefined): RoundTime {
  const m = r.result.metrics;
  const openedAt = Number(m?.openedAtMs ?? 0);
  const closedAt = Number(m?.closedAtMs ?? 0);
  const aggregationMs = Number(m?.aggregationMicros ?? 0) / 1000;
  const included = r.result.included;
  const trainingMs = included.length > 0 && included.some((u) => Number(u.trainMicros) > 0) ? Math.max(...included.map((u) => Number(u.trainMicros))) / 1000 : null;
  const lastArrival = included.length > 0 ? Math.max(...included.map((u) => Number(u.receivedAtMs))) : 0;
  const known = openedAt > 0 && closedAt > 0 && lastArrival > 0;
  const following = next && next.round === r.round + 1 ? next.result.metrics : undefined;
  const nextOpen = Number(following?.openedAtMs ?? 0);
  const seen = Number(following?.baseCommittedAtMs ?? 0) || nextOpen;
  const nextBlock = nextBlockTime(record, r.height);
  const bounds = [seen > 0 ? seen : undefined, nextBlock].filter((x): x is number => x !== undefined);
  const committedAt = bounds.length > 0 ? Math.min(...bounds) : undefined;
  const wallMs = openedAt > 0 && committedAt !== undefined ? positive(committedAt - openedAt) : null;
  return {
    round: r.round,
    trainingMs,
    uploadMs: known ? positive(lastArrival - openedAt - (trainingMs ?? 0)) : null,
    closingMs: known ? positive(closedAt - lastArrival) : null,
    aggregationMs,
    submissionMs: closedAt > 0 ? positive(r.blockTimeMs - closedAt - aggregationMs) : null,
    commitMs: committedAt === undefined ? null : positive(committedAt - r.blockTimeMs),
    wallMs,
    periodMs: openedAt > 0 && nextOpen > 0 ? positive(nextOpen - openedAt) : next ? null : wallMs,
    commitIsBound: committedAt !== undefined && committedAt !== seen,
  };
}

/** A round's time as chart rows: one per phase the chain says. */
export function phaseRows(times: readonly RoundTime[]): { round: number; phase: Phase; order: number; seconds: number }[] {
  return times.flatMap((t) => {
    const values: (number | null)[] = [t.trainingMs, t.uploadMs, t.closingMs, t.aggregationMs, t.submissionMs, t.commitMs];
    return PHASES.flatMap((phase, order) => {
      const ms = values[order];
      return ms === null || ms === undefined ? [] : [{ round: t.round, phase, order, seconds: ms / 1000 }];
    });
  });
}

/**
 * Round overhead: the share of the rounds' time not spent in the slowest
 * trainer's compute, over the rounds whose period and training are known. A
 * round's time is its period: with rounds overlapping, the part of a commit
 * that runs beside the next round's training costs the job nothing.
 */
export function overheadFraction(times: readonly RoundTime[]): number | null {
  let period = 0;
  let training = 0;
  for (const t of times) {
    if (t.periodMs === null || t.trainingMs === null || t.periodMs <= 0) continue;
    period += t.periodMs;
    training += Math.min(t.trainingMs, t.periodMs);
  }
  return period > 0 ? (period - training) / period : null;
}

/** The word for an exclusion's reason: what precedes its first colon ("late: ..." → "late"). */
export function reasonKind(reason: string): string {
  const head = reason.split(':')[0]?.trim() ?? '';
  return head.length > 0 ? head : 'unspecified';
}

/** Who took part in a round, by outcome: included updates by the rule's decision, excluded ones by reason. */
export interface OutcomeRow {
  readonly round: number;
  readonly outcome: string;
  readonly included: boolean;
  readonly count: number;
}

/** The outcome word of an included update's decision ('' → 'included'). */
export function decisionWord(decision: string): string {
  return decision === '' || decision === 'selected' || decision === 'kept' ? 'included' : `included (${decision})`;
}

export function outcomeRows(record: JobRecordOnChain): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  for (const r of record.rounds) {
    const counts = new Map<string, { included: boolean; count: number }>();
    const add = (outcome: string, included: boolean): void => {
      const c = counts.get(outcome) ?? { included, count: 0 };
      c.count += 1;
      counts.set(outcome, c);
    };
    for (const u of r.result.included) add(decisionWord(u.decision), true);
    for (const e of r.result.excluded) add(`excluded: ${reasonKind(e.reason)}`, false);
    for (const [outcome, c] of counts) rows.push({ round: r.round, outcome, included: c.included, count: c.count });
  }
  return rows;
}

/** Every exclusion, round by round, with the aggregator's full reason. */
export function exclusions(record: JobRecordOnChain): { round: number; nodeId: string; reason: string }[] {
  return record.rounds.flatMap((r) => r.result.excluded.map((e) => ({ round: r.round, nodeId: e.nodeId, reason: e.reason })));
}

/** One trainer's part in the job. */
export interface TrainerRow {
  readonly nodeId: string;
  readonly included: number;
  readonly excluded: number;
  readonly samples: number;
  /** Mean of its own reports of its training time, over its included rounds that report one. */
  readonly meanTrainingMs: number | null;
  readonly bytes: number;
  /** Rounds by outcome word (as outcomeRows names them). */
  readonly outcomes: ReadonlyMap<string, number>;
}

export function trainerRows(record: JobRecordOnChain): TrainerRow[] {
  interface Acc {
    included: number;
    excluded: number;
    samples: number;
    training: number[];
    bytes: number;
    outcomes: Map<string, number>;
  }
  const by = new Map<string, Acc>();
  const of = (nodeId: string): Acc => {
    let a = by.get(nodeId);
    if (!a) by.set(nodeId, (a = { included: 0, excluded: 0, samples: 0, training: [], bytes: 0, outcomes: new Map() }));
    return a;
  };
  for (const r of record.rounds) {
    for (const u of r.result.included) {
      const a = of(u.nodeId);
      a.included += 1;
      a.samples += Number(u.numSamples);
      a.bytes += Number(u.size);
      if (Number(u.trainMicros) > 0) a.training.push(Number(u.trainMicros) / 1000);
      const word = decisionWord(u.decision);
      a.outcomes.set(word, (a.outcomes.get(word) ?? 0) + 1);
    }
    for (const e of r.result.excluded) {
      const a = of(e.nodeId);
      a.excluded += 1;
      const word = `excluded: ${reasonKind(e.reason)}`;
      a.outcomes.set(word, (a.outcomes.get(word) ?? 0) + 1);
    }
  }
  return [...by.entries()]
    .map(([nodeId, a]) => ({
      nodeId,
      included: a.included,
      excluded: a.excluded,
      samples: a.samples,
      meanTrainingMs: a.training.length > 0 ? a.training.reduce((x, y) => x + y, 0) / a.training.length : null,
      bytes: a.bytes,
      outcomes: a.outcomes,
    }))
    .sort((x, y) => (x.nodeId < y.nodeId ? -1 : x.nodeId > y.nodeId ? 1 : 0));
}

/** Update bytes of a round: all received (the aggregator's count) and the mean of the included updates. */
export interface BytesRow {
  readonly round: number;
  readonly totalBytes: number;
  readonly updates: number;
  readonly bytesPerUpdate: number;
  readonly encoding: string;
}

export function bytesRows(record: JobRecordOnChain): BytesRow[] {
  return record.rounds.map((r) => {
    const included = r.result.included;
    const sized = included.filter((u) => Number(u.size) > 0);
    const total = Number(r.result.metrics?.updateBytes ?? 0);
    const encodings = [...new Set(included.map((u) => encodingWord(u.encoding)))];
    return {
      round: r.round,
      totalBytes: total,
      updates: included.length,
      bytesPerUpdate: sized.length > 0 ? sized.reduce((s, u) => s + Number(u.size), 0) / sized.length : included.length > 0 ? total / included.length : 0,
      encoding: encodings.length === 1 ? (encodings[0] as string) : encodings.join('+'),
    };
  });
}

/** The interval before each block of the span, and what the block holds. */
export interface BlockRow {
  readonly height: number;
  readonly seconds: number;
  readonly holds: 'round result' | 'other transactions' | 'empty';
}

export function blockRows(record: JobRecordOnChain): BlockRow[] {
  const rows: BlockRow[] = [];
  for (let i = 1; i < record.blocks.length; i++) {
    const b = record.blocks[i];
    const previous = record.blocks[i - 1];
    if (!b || !previous) continue;
    rows.push({ height: b.height, seconds: positive(b.timeMs - previous.timeMs) / 1000, holds: b.roundResults > 0 ? 'round result' : b.txs > 0 ? 'other transactions' : 'empty' });
  }
  return rows;
}

/** A model's score on one evaluation set. */
export interface ScoreRow {
  readonly round: number;
  readonly set: string;
  readonly accuracy: number;
  readonly loss: number;
}
