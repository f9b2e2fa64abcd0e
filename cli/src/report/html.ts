/** The report's HTML page: a summary, each chart as a PNG with its caption, and the tables behind them. */
import type { JobRecordOnChain } from './record';
import type { BytesRow, RoundTime, ScoreRow, TrainerRow } from './rows';

/** A chart as written: its PNG file (relative to the page) and its size in CSS pixels. */
export interface ChartFile {
  readonly file: string;
  readonly heading: string;
  readonly caption: string;
  readonly cssWidth: number;
  readonly cssHeight: number;
}

export interface ReportPage {
  readonly record: JobRecordOnChain;
  readonly times: readonly RoundTime[];
  readonly scores: readonly ScoreRow[];
  readonly trainers: readonly TrainerRow[];
  readonly exclusions: readonly { round: number; nodeId: string; reason: string }[];
  readonly bytes: readonly BytesRow[];
  readonly overhead: number | null;
  readonly charts: readonly ChartFile[];
  /** Things the report could not show, and why. */
  readonly notes: readonly string[];
  readonly generatedAt: Date;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const e = escapeHtml;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const secs = (ms: number | null): string => (ms === null ? '–' : (ms / 1000).toFixed(2));
const kib = (bytes: number): string => (bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 });

function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
  const head = headers.map((h, i) => `<th${numeric[i] ? ' class="n"' : ''}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${e(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function summary(page: ReportPage): string {
  const { job } = page.record;
  const rounds = page.record.rounds;
  const last = rounds[rounds.length - 1];
  const finals = page.scores.filter((s) => s.round === (last?.round ?? 0));
  const first = page.record.blocks[0];
  const end = page.times.length > 0 && first && last ? (last.blockTimeMs - first.timeMs) / 1000 : null;
  const items: [string, string][] = [
    ['chain', page.record.chainId],
    ['model / dataset', `${job.model} on ${job.dataset}, partition ${job.partition}`],
    ['rule', `${job.rule} (tolerates ${job.byzantineBudget} Byzantine trainer${job.byzantineBudget === 1 ? '' : 's'})`],
    ['update encoding', job.encoding],
    ['rounds', `${rounds.length} committed of ${job.rounds === 0 ? 'an open-ended job' : job.rounds}, at least ${job.minTrainers} trainers each, ${job.localEpochs} local epoch${job.localEpochs === 1 ? '' : 's'}`],
    ['heights', `${job.height} (CreateJob) to ${last?.height ?? job.height}${end === null ? '' : `, ${end.toFixed(1)} s of block time`}`],
    ...finals.map((s): [string, string] => [`final accuracy`, `${pct(s.accuracy)} on the ${s.set} (loss ${s.loss.toFixed(4)})`]),
    ['round overhead', page.overhead === null ? '–' : `${pct(page.overhead)} of the rounds’ time (each from its opening to the next one’s) is not the slowest trainer’s training`],
    ['refused round results', page.record.refused.length === 0 ? 'none' : String(page.record.refused.length)],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;
}

function roundsTable(page: ReportPage): string {
  const score = (round: number): ScoreRow | undefined => page.scores.find((s) => s.round === round);
  const bytes = new Map(page.bytes.map((b) => [b.round, b]));
  const times = new Map(page.times.map((t) => [t.round, t]));
  return table(
    ['round', 'height', 'included', 'excluded', 'accuracy', 'loss', 'KiB / update', 'training s', 'fetch + upload s', 'closing s', 'aggregation s', 'to proposal s', 'proposal to commit s', 'wall s', 'period s'],
    page.record.rounds.map((r) => {
      const s = score(r.round);
      const t = times.get(r.round);
      const b = bytes.get(r.round);
      return [
        String(r.round),
        String(r.height),
        String(r.result.included.length),
        String(r.result.excluded.length),
        s ? pct(s.accuracy) : '–',
        s ? s.loss.toFixed(4) : '–',
        b ? kib(b.bytesPerUpdate) : '–',
        secs(t?.trainingMs ?? null),
        secs(t?.uploadMs ?? null),
        secs(t?.closingMs ?? null),
        secs(t?.aggregationMs ?? null),
        secs(t?.submissionMs ?? null),
        t?.commitMs === null || t === undefined ? '–' : `${secs(t.commitMs)}${t.commitIsBound ? ' ≤' : ''}`,
        secs(t?.wallMs ?? null),
        secs(t?.periodMs ?? null),
      ];
    }),
    [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true],
  );
}

function trainersTable(page: ReportPage): string {
  return table(
    ['trainer (node id)', 'rounds included', 'rounds excluded', 'samples contributed', 'mean training s (own report)', 'KiB sent (included)'],
    page.trainers.map((t) => [t.nodeId, String(t.included), String(t.excluded), t.samples.toLocaleString('en-US'), secs(t.meanTrainingMs), kib(t.bytes)]),
    [false, true, true, true, true, true],
  );
}

function exclusionsTable(page: ReportPage): string {
  if (page.exclusions.length === 0 && page.record.refused.length === 0) return '<p>No update was excluded and no round result was refused.</p>';
  const parts: string[] = [];
  if (page.exclusions.length > 0) parts.push(table(['round', 'trainer (node id)', 'reason'], page.exclusions.map((x) => [String(x.round), x.nodeId, x.reason]), [true, false, false]));
  if (page.record.refused.length > 0) {
    parts.push('<h3>Round results the ledger refused</h3>');
    parts.push(table(['round', 'height', 'reason'], page.record.refused.map((x) => [String(x.round), String(x.height), x.reason]), [true, true, false]));
  }
  return parts.join('\n');
}

const STYLE = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.sub { color: #666; margin-top: 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.25rem 1.2rem; } dt { font-weight: bold; } dd { margin: 0; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; } figcaption { color: #555; font-size: 0.9rem; max-width: 900px; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.8rem 0; } th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f6f6f6; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.notes li { color: #555; margin: 0.3rem 0; }`;

/** The whole page. */
export function reportHtml(page: ReportPage): string {
  const { job } = page.record;
  const figures = page.charts
    .map((c) => `<figure>\n<img src="${e(c.file)}" width="${c.cssWidth}" height="${c.cssHeight}" alt="${e(c.heading)}">\n<figcaption>${e(c.caption)}</figcaption>\n</figure>`)
    .join('\n');
  const notes = [
    'Times come from three clocks: the aggregator’s (round opened, update arrived, round closed, aggregation), each trainer’s own report of its training time, and block times set by each block’s proposer. On one machine they agree; across machines, clock skew shifts the split between to proposal and proposal to commit.',
    'The commit time of a round is the earlier of the next round’s opening and the next block’s time; where only the next block bounds it (the last round), the table marks it “≤”. The validators’ checks have no time of their own on chain: they fall in proposal to commit, or in to proposal when an earlier proposal of the same result timed out.',
    ...page.notes,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Training report: ${e(job.jobId)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Training report: ${e(job.jobId)}</h1>
<p class="sub">Read from the chain ${e(page.record.chainId)} and the models it names; generated ${e(page.generatedAt.toISOString())}.</p>
${summary(page)}
<h2>Charts</h2>
${figures}
<h2>Rounds</h2>
${roundsTable(page)}
<h2>Exclusions</h2>
${exclusionsTable(page)}
<h2>Trainers</h2>
${trainersTable(page)}
<h2>Notes</h2>
<ul class="notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>
</body>
</html>
`;
}
