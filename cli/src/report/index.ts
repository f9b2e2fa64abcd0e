/**
 * The training report of a job: read from the chain (and the models it names,
 * from the aggregator), drawn as Vega-Lite charts rendered to PNG, and written
 * with an HTML page that shows them beside the tables behind them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ValidatorApi } from '../client/services';
import { aggregatorClient, GrpcBlobs } from '../devnet/blobs';
import { readJobFromChain } from './chain';
import { reportHtml, type ChartFile } from './html';
import type { JobRecordOnChain } from './record';
import { renderChart } from './render';
import { blockRows, bytesRows, exclusions, outcomeRows, overheadFraction, roundTimes, trainerRows, type RoundTime, type ScoreRow } from './rows';
import { scoreModels } from './scores';
import { accuracyChart, blockTimeChart, bytesChart, contributionChart, lossChart, participantsChart, roundTimeChart, type Chart } from './specs';

export interface ReportOptions {
  readonly jobId: string;
  /** The validator whose chain is read (HOST:PORT). */
  readonly validator: string;
  /** The aggregator serving the models by hash (HOST:PORT); without it there are no accuracy and loss charts. */
  readonly aggregator?: string;
  /** The folder to write into (created when missing). */
  readonly out: string;
}

/** A written image: its path and size in pixels. */
export interface WrittenImage {
  readonly path: string;
  readonly width: number;
  readonly height: number;
}

/** What was written. */
export interface WrittenReport {
  readonly dir: string;
  /** The HTML page. */
  readonly html: string;
  readonly images: readonly WrittenImage[];
  readonly record: JobRecordOnChain;
  readonly times: readonly RoundTime[];
  readonly scores: readonly ScoreRow[];
  /** Round overhead over the rounds whose split is known (see overheadFraction). */
  readonly overhead: number | null;
  readonly notes: readonly string[];
}

async function scoresOf(record: JobRecordOnChain, aggregator: string | undefined, notes: string[]): Promise<ScoreRow[]> {
  if (aggregator === undefined) {
    notes.push('No aggregator address was given, so the models were not fetched: no accuracy or loss.');
    return [];
  }
  const client = aggregatorClient(aggregator);
  try {
    const { rows, deleted } = await scoreModels(record, new GrpcBlobs(client));
    if (deleted.length > 0) notes.push(`The aggregator no longer keeps the models of ${deleted.length === 1 ? 'round' : 'rounds'} ${deleted.join(', ')} (LEARNCHAIN_KEEP_MODEL_ROUNDS): they have no accuracy or loss.`);
    return rows;
  } catch (error) {
    notes.push(`The models could not be scored (aggregator ${aggregator}): ${(error as Error).message}`);
    return [];
  } finally {
    client.close();
  }
}

/** Reads the job, renders its charts and writes the report into `options.out`. */
export async function writeReport(options: ReportOptions): Promise<WrittenReport> {
  const validator = new ValidatorApi(options.validator);
  let record: JobRecordOnChain;
  try {
    record = await readJobFromChain(validator, options.jobId);
  } finally {
    validator.close();
  }
  const notes: string[] = [];
  const scores = await scoresOf(record, options.aggregator, notes);
  return renderReport({ record, scores, notes, out: options.out });
}

/** What a report is drawn from. */
export interface ReportInputs {
  readonly record: JobRecordOnChain;
  readonly scores: readonly ScoreRow[];
  readonly notes: readonly string[];
  readonly out: string;
}

/** Renders the charts of a job already read and writes the page, the PNGs, their specs and the data. */
export async function renderReport(inputs: ReportInputs): Promise<WrittenReport> {
  const { record, scores } = inputs;
  const notes = [...inputs.notes];
  const times = roundTimes(record);
  const trainers = trainerRows(record);
  const bytes = bytesRows(record);
  const overhead = overheadFraction(times);
  if (record.rounds.length === 0) notes.push('No round of the job has committed yet.');

  const charts: Chart[] = [
    ...(scores.length > 0 ? [accuracyChart(scores), lossChart(scores)] : []),
    participantsChart(outcomeRows(record)),
    roundTimeChart(times),
    bytesChart(bytes),
    contributionChart(trainers),
    blockTimeChart(blockRows(record)),
  ];
  const dir = resolve(inputs.out);
  mkdirSync(dir, { recursive: true });
  const images: WrittenImage[] = [];
  const files: ChartFile[] = [];
  for (const chart of charts) {
    const rendered = await renderChart(chart.spec);
    const file = `${chart.name}.png`;
    writeFileSync(join(dir, file), rendered.png);
    writeFileSync(join(dir, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    images.push({ path: join(dir, file), width: rendered.width, height: rendered.height });
    files.push({ file, heading: chart.heading, caption: chart.caption, cssWidth: rendered.cssWidth, cssHeight: rendered.cssHeight });
  }
  const html = join(dir, 'index.html');
  writeFileSync(html, reportHtml({ record, times, scores, trainers, exclusions: exclusions(record), bytes, overhead, charts: files, notes, generatedAt: new Date() }));
  writeFileSync(
    join(dir, 'report.json'),
    `${JSON.stringify({ chain_id: record.chainId, job: record.job, overhead_fraction: overhead, rounds: times, scores, bytes, trainers: trainers.map((t) => ({ ...t, outcomes: Object.fromEntries(t.outcomes) })), exclusions: exclusions(record), refused: record.refused }, null, 2)}\n`,
  );
  return { dir, html, images, record, times, scores, overhead, notes };
}
