/**
 * The report's charts as Vega-Lite specifications: pure data in, one spec per
 * chart out (the renderer turns each into SVG, then PNG).
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

import { PHASES, type BlockRow, type BytesRow, type OutcomeRow, type RoundTime, type ScoreRow, type TrainerRow } from './rows';
import { phaseRows } from './rows';

/** One chart: its file name (without extension), heading, caption and spec. */
export interface Chart {
  readonly name: string;
  readonly heading: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

/** Plot area size (CSS pixels) of every chart; axes, titles and legends add to it. */
export const PLOT = { width: 640, height: 260 } as const;

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Shared look: white background, readable type, light grid. */
const CONFIG = {
  background: 'white',
  font: FONT,
  padding: 12,
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start' as const, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 8, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'right' as const, labelLimit: 260 },
  view: { stroke: null },
};

/** A round axis: every round's label while they fit, every other (then every fourth, ...) once they would overlap. */
const ROUND_AXIS = { labelAngle: 0, labelOverlap: 'parity' as const };

/** Rounds up to which each bar of the bytes chart carries its label (past it, about 25 px a bar). */
const LABELLED_ROUNDS = 24;

function base(title: string, subtitle: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: PLOT.width,
    height: PLOT.height,
    config: CONFIG,
  };
}

const INCLUDED_COLOURS = ['#4e79a7', '#76b7b2', '#59a14f', '#8cd17d', '#a0cbe8'];
const EXCLUDED_COLOURS = ['#e15759', '#f28e2b', '#ff9d9a', '#b07aa1', '#9c755f', '#edc948'];

/** Outcome colours: included outcomes in blues and greens, excluded ones in reds and oranges; included first. */
export function outcomeScale(outcomes: Iterable<string>): { domain: string[]; range: string[] } {
  const all = [...new Set(outcomes)];
  const included = all.filter((o) => o.startsWith('included')).sort((a, b) => (a === 'included' ? -1 : b === 'included' ? 1 : a.localeCompare(b)));
  const excluded = all.filter((o) => !o.startsWith('included')).sort();
  return {
    domain: [...included, ...excluded],
    range: [...included.map((_, i) => INCLUDED_COLOURS[i % INCLUDED_COLOURS.length] as string), ...excluded.map((_, i) => EXCLUDED_COLOURS[i % EXCLUDED_COLOURS.length] as string)],
  };
}

/** Accuracy of each round's model per evaluation set (round 0: the initial model). */
export function accuracyChart(scores: readonly ScoreRow[]): Chart {
  const values = scores.map((s) => ({ round: s.round, set: s.set, accuracy: s.accuracy }));
  return {
    name: 'accuracy',
    heading: 'Accuracy per round',
    caption: 'Each committed model, fetched by its hash from the aggregator and evaluated here; round 0 is the initial model.',
    spec: {
      ...base('Accuracy per round', 'share of samples classified correctly, after each committed round'),
      data: { values },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'round', type: 'ordinal', title: 'round (0: the initial model)', axis: ROUND_AXIS },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', axis: { format: '.0%' }, scale: { zero: false, domainMax: 1 } },
        color: { field: 'set', type: 'nominal', title: 'evaluated on', legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 400 } },
      },
    },
  };
}

/** Mean cross-entropy loss of each round's model per evaluation set. */
export function lossChart(scores: readonly ScoreRow[]): Chart {
  const values = scores.map((s) => ({ round: s.round, set: s.set, loss: s.loss }));
  return {
    name: 'loss',
    heading: 'Loss per round',
    caption: 'Mean cross-entropy of each committed model on the same sets.',
    spec: {
      ...base('Loss per round', 'mean cross-entropy loss, after each committed round'),
      data: { values },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'round', type: 'ordinal', title: 'round (0: the initial model)', axis: ROUND_AXIS },
        y: { field: 'loss', type: 'quantitative', title: 'loss (cross-entropy)' },
        color: { field: 'set', type: 'nominal', title: 'evaluated on', legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 400 } },
      },
    },
  };
}

/** Trainers per round by outcome: included (by the rule's decision) and excluded (by reason). */
export function participantsChart(rows: readonly OutcomeRow[]): Chart {
  return {
    name: 'participants',
    heading: 'Participants and exclusions per round',
    caption: 'Updates named in each RoundResult: included ones by the rule’s decision, excluded ones by the aggregator’s reason (the full reasons are in the table below).',
    spec: {
      ...base('Participants per round', 'updates included in the aggregate, and those excluded with their reason'),
      data: { values: rows.map((r) => ({ round: r.round, outcome: r.outcome, count: r.count, order: r.included ? 0 : 1 })) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'round', type: 'ordinal', title: 'round', axis: ROUND_AXIS },
        y: { field: 'count', type: 'quantitative', title: 'trainers', stack: 'zero', axis: { tickMinStep: 1, format: 'd' } },
        color: { field: 'outcome', type: 'nominal', title: 'outcome', scale: outcomeScale(rows.map((r) => r.outcome)) },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}

/** Each round's wall time split into phases, stacked. */
export function roundTimeChart(times: readonly RoundTime[]): Chart {
  return {
    name: 'round-time',
    heading: 'Where the time of a round goes',
    caption:
      'Training is the slowest included trainer’s own report of its local training; fetch + upload runs from the opening to the last included update, less that training; closing is the wait from the last update to the close; ' +
      'aggregation is the aggregator’s measure; to proposal runs to the proposal of the block that committed the result; proposal to commit runs from that proposal to the commit. Validators re-execute the round before they vote: that time is in proposal to commit, or in to proposal when an earlier proposal of the result did not gather the votes in time (its verdict then stands for the next).',
    spec: {
      ...base('Round time by phase', 'seconds per round, stacked in the order the phases happen'),
      data: { values: phaseRows(times) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'round', type: 'ordinal', title: 'round', axis: ROUND_AXIS },
        y: { field: 'seconds', type: 'quantitative', title: 'seconds', stack: 'zero' },
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { domain: [...PHASES], scheme: 'tableau10' }, sort: [...PHASES] },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}

/** Seconds between consecutive blocks, coloured by what the block holds. */
export function blockTimeChart(rows: readonly BlockRow[]): Chart {
  return {
    name: 'block-times',
    heading: 'Block times',
    caption: 'Seconds from each block’s predecessor to it (block header times, the proposer’s clock) over the job’s span; with an empty mempool a proposer waits before proposing an empty block.',
    spec: {
      ...base('Block times', 'seconds since the previous block, by height'),
      data: { values: rows.map((r) => ({ height: r.height, seconds: r.seconds, holds: r.holds })) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'height', type: 'quantitative', title: 'block height', axis: { format: 'd', tickMinStep: 1 }, scale: { zero: false } },
        y: { field: 'seconds', type: 'quantitative', title: 'seconds since the previous block' },
        color: { field: 'holds', type: 'nominal', title: 'block holds', scale: { domain: ['round result', 'other transactions', 'empty'], range: ['#e15759', '#4e79a7', '#bab0ac'] } },
      },
    },
  };
}

/** Rounds per trainer by outcome. */
export function contributionChart(trainers: readonly TrainerRow[]): Chart {
  const values = trainers.flatMap((t) => [...t.outcomes.entries()].map(([outcome, rounds]) => ({ trainer: shortNode(t.nodeId), outcome, rounds, order: outcome.startsWith('included') ? 0 : 1 })));
  return {
    name: 'contributions',
    heading: 'Each trainer’s contribution',
    caption: 'Rounds in which each trainer’s update was included (by the rule’s decision) or excluded (by reason); samples, training time and bytes per trainer are in the table below.',
    spec: {
      ...base('Contribution per trainer', 'rounds in which each trainer’s update was included or excluded'),
      height: Math.max(PLOT.height / 2, trainers.length * 24),
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'trainer', type: 'nominal', title: 'trainer (node id)', sort: 'ascending' },
        x: { field: 'rounds', type: 'quantitative', title: 'rounds', stack: 'zero', axis: { tickMinStep: 1, format: 'd' } },
        color: { field: 'outcome', type: 'nominal', title: 'outcome', scale: outcomeScale(values.map((v) => v.outcome)) },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}

/** Bytes of updates received per round. */
export function bytesChart(rows: readonly BytesRow[]): Chart {
  const kib = rows.map((r) => ({ round: r.round, total: r.totalBytes / 1024, perUpdate: r.bytesPerUpdate / 1024, encoding: r.encoding }));
  // Past a few dozen rounds the labels would run into one another: the table below has the same figures.
  const labelled = rows.length <= LABELLED_ROUNDS;
  const labels = {
    mark: { type: 'text' as const, dy: -6, fontSize: 10, color: '#333' },
    encoding: {
      x: { field: 'round', type: 'ordinal' as const },
      y: { field: 'total', type: 'quantitative' as const },
      text: { field: 'perUpdate', type: 'quantitative' as const, format: ',.0f' },
    },
  };
  return {
    name: 'bytes',
    heading: 'Update bytes per round',
    caption: `Bytes of every update the aggregator received for the round (its own count, carried in the RoundResult), coloured by the job’s update encoding${labelled ? '; the label is the mean size of an included update' : ''}.`,
    spec: {
      ...base('Update bytes per round', labelled ? 'KiB of updates received per round; labels: KiB per included update' : 'KiB of updates received per round'),
      data: { values: kib },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'round', type: 'ordinal', title: 'round', axis: ROUND_AXIS },
            y: { field: 'total', type: 'quantitative', title: 'KiB received' },
            color: { field: 'encoding', type: 'nominal', title: 'update encoding', scale: { scheme: 'set2' } },
          },
        },
        ...(labelled ? [labels] : []),
      ],
    },
  };
}

/** A short node id for labels. */
export function shortNode(nodeId: string): string {
  return nodeId.length > 12 ? nodeId.slice(0, 12) : nodeId;
}
