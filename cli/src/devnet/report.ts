/** What the devnet prints: a progress line per round and the closing summary. */
import type { RoundReport } from './follow';
import type { DevnetOptions } from './options';

/** An update left out of a round, with the aggregator's reason. */
export interface ExcludedUpdate {
  readonly round: number;
  readonly nodeId: string;
  readonly reason: string;
}

export interface DevnetSummary {
  readonly job: string;
  readonly chainId: string;
  readonly accuracy: number;
  readonly loss: number;
  readonly initialAccuracy: number;
  readonly rounds: number;
  readonly height: number;
  readonly excluded: readonly ExcludedUpdate[];
  readonly chainVerified: boolean;
  readonly chainProblem: string;
  readonly startMs: number;
  readonly totalMs: number;
  readonly options: DevnetOptions;
  /** The training report written at the end: its HTML page, or why it was not written. */
  readonly report?: { readonly html: string; readonly problem: string };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function bar(done: number, total: number, width = 20): string {
  const full = Math.round((done / Math.max(1, total)) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

/** One line per committed round: round, progress, participants, accuracy, loss, block height. */
export function progressLine(r: RoundReport, total: number): string {
  const width = String(total).length;
  const dropped = r.excluded.length > 0 ? `  excluded ${r.excluded.length}` : '';
  const retried = r.attempts > 0 ? `  after ${r.attempts} failed attempt(s)` : '';
  return (
    `round ${String(r.round).padStart(width)}/${total} ${bar(r.round, total)} participants ${r.included}/${r.participants}` +
    `  accuracy ${pct(r.accuracy).padStart(6)}  loss ${r.loss.toFixed(4)}  height ${r.height}  (${(r.elapsedMs / 1000).toFixed(1)} s)${dropped}${retried}`
  );
}

/** Every excluded update of the job, round by round. */
export function excludedOf(reports: readonly RoundReport[]): ExcludedUpdate[] {
  return reports.flatMap((r) => r.excluded.map((e) => ({ round: r.round, nodeId: e.nodeId, reason: e.reason })));
}

/** The closing summary in words. */
export function summaryLines(s: DevnetSummary): string[] {
  const lines = [
    '',
    `summary of job ${s.job} on ${s.chainId}`,
    `  final accuracy   ${pct(s.accuracy)} on the 2,000-digit MNIST test split (loss ${s.loss.toFixed(4)}; initial ${pct(s.initialAccuracy)})`,
    `  rounds           ${s.rounds} committed, rule ${s.options.rule}${s.options.byzantine > 0 ? `, ${s.options.byzantine} of ${s.options.trainers} trainers running ${s.options.attack}` : ''}`,
    `  blocks           ${s.height}`,
    `  excluded updates ${s.excluded.length === 0 ? 'none' : s.excluded.length}`,
    ...s.excluded.map((e) => `    round ${e.round}: ${e.nodeId.slice(0, 12)} - ${e.reason}`),
    `  chain            ${s.chainVerified ? `verified from genesis by the light client: heights 1-${s.height}, every commit signed by more than 2/3 of the voting power` : `VERIFICATION FAILED ${s.chainProblem}`}`,
    `  time             ready in ${(s.startMs / 1000).toFixed(1)} s, finished in ${(s.totalMs / 1000).toFixed(1)} s`,
    ...(s.report ? [`  report           ${s.report.html || `not written: ${s.report.problem}`}`] : []),
  ];
  return lines;
}
