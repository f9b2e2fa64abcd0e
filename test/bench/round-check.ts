// `npm run bench -- round-check [--model cnn] [--updates 10] [--samples 1000] [--runs 3]`: a validator's check of one
// round (fetch the blobs, decode the updates, re-aggregate with trimmed-mean, hash, evaluate the new model on the
// validation set) all on the calling thread (the rule and the evaluation inline: the baseline), and as a validator does it
// now (the rule on the aggregation pool when the round is large, the evaluation on the evaluation thread),
// alternated in one process. For each: the check's time, and the longest the event loop was held up while it ran
// (what a validator's votes and gossip would wait). Prints figures, then one JSON line with `check_ms`,
// `loop_blocked_ms` (median over runs of the longest hold-up, each {inline, threads}) and `loop_blocked_ratio`
// (threads / inline). Never fails on a timing.
import { createLogger, sha256, toHex } from '@learnchain/core';
import { AggregateRoundVerifier, type BlobSource, type JobRecord } from '@learnchain/ledger';
import { builtModel, encodeDataset, loadMnist, subset } from '@learnchain/model';
import { encodeUpdate, parameterBytes } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';
import { aggregate, parseRule, PoolRuleRunner } from '@learnchain/aggregation';

import { BlobModelEvaluator, decodeUpdateBlob, EvaluationThread, inlineEvaluation } from '../../services/validator/src/index';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const MODEL = arg('model', 'cnn');
const UPDATES = Number(arg('updates', '10'));
const SAMPLES = Number(arg('samples', '1000'));
const RUNS = Number(arg('runs', '3'));
const RULE = { name: 'trimmed-mean', params: { beta: 0.25 }, byzantineBudget: 1, normBound: 0 };

const say = (line: string): void => void process.stderr.write(`${line}\n`);
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** One round of `UPDATES` float32 updates on the model's initial parameters, its result as the aggregator would submit it. */
function makeRound(): { job: JobRecord; result: v1.RoundResult__Output; blobs: BlobSource } {
  const model = builtModel(MODEL);
  const base = model.initialParams;
  const manifest = model.manifest;
  const deltas = Array.from({ length: UPDATES }, (_, k) => Float32Array.from({ length: base.length }, (_, i) => Math.sin(i * 0.37 + k) * 0.01));
  const updates = deltas.map((d) => encodeUpdate(d, manifest, 'float32'));
  const decodedJob = { spec: { model: MODEL, manifest: { tensors: manifest.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset })) } } } as unknown as JobRecord;
  const decoded = updates.map((u, i) => ({ id: String(i), values: decodeUpdateBlob(u, 'float32', { job: decodedJob, size: base.length }), weight: 100 }));
  const { aggregate: delta } = aggregate(parseRule({ name: RULE.name, f: RULE.byzantineBudget, ...RULE.params }), decoded, undefined, { dimension: base.length });
  const next = base.map((v, i) => v + (delta[i] ?? 0));
  const { test } = loadMnist();
  const validation = encodeDataset(subset(test, Array.from({ length: Math.min(SAMPLES, test.count) }, (_, i) => i)));
  const byHash = new Map([parameterBytes(base), validation, ...updates].map((b) => [toHex(sha256(b)), b]));
  const job = { ...decodedJob, jobId: 'bench', validationDataset: sha256(validation), maxLoss: 0, maxLossIncrease: 0 } as JobRecord;
  const result = {
    jobId: 'bench',
    round: 1,
    baseModelHash: Buffer.from(sha256(parameterBytes(base))),
    newModelHash: Buffer.from(sha256(parameterBytes(next))),
    rule: RULE,
    included: updates.map((u, i) => ({ nodeId: `n${i}`, updateHash: Buffer.from(sha256(u)), numSamples: 100, encoding: 'DTYPE_FLOAT32', size: u.byteLength })),
    excluded: [],
  } as unknown as v1.RoundResult__Output;
  // Copies, as bytes fetched over the network would be.
  return { job, result, blobs: { fetch: async (hash) => new Uint8Array(byHash.get(toHex(hash)) as Uint8Array) } };
}

async function measure(verifier: AggregateRoundVerifier, check: { job: JobRecord; result: v1.RoundResult__Output }): Promise<{ ms: number; blockedMs: number; valid: boolean }> {
  // A 1 ms timer: the longest gap between its ticks is the longest the loop was held up.
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const verdict = await verifier.verify({ chainId: 'bench', ...check });
  const ms = performance.now() - started;
  clearInterval(probe);
  return { ms, blockedMs: Math.max(longest, performance.now() - last), valid: verdict.valid };
}

async function main(): Promise<void> {
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const { job, result, blobs } = makeRound();
  const inline = inlineEvaluation({ threads: 1 });
  const thread = new EvaluationThread({ threads: 1 });
  const rules = new PoolRuleRunner({ logger });
  const verifiers = {
    inline: new AggregateRoundVerifier({ blobs, logger, decode: decodeUpdateBlob, evaluator: new BlobModelEvaluator(blobs, inline) }),
    threads: new AggregateRoundVerifier({ blobs, logger, decode: decodeUpdateBlob, runner: rules, interleave: true, evaluator: new BlobModelEvaluator(blobs, thread) }),
  };
  say(`round check: ${MODEL}, ${UPDATES} updates, trimmed-mean, ${SAMPLES} validation samples, ${RUNS} runs each (first of each is warm-up)`);
  const runs: Record<'inline' | 'threads', { ms: number; blockedMs: number }[]> = { inline: [], threads: [] };
  // The evaluation thread does not hold the process open (a validator's server does): this does, meanwhile.
  const alive = setInterval(() => undefined, 1000);
  try {
    for (let i = 0; i <= RUNS; i++) {
      for (const kind of ['inline', 'threads'] as const) {
        const run = await measure(verifiers[kind], { job, result });
        if (!run.valid) throw new Error(`the ${kind} check found the round invalid`);
        say(`  ${kind}: check ${run.ms.toFixed(1)} ms, event loop held up at most ${run.blockedMs.toFixed(1)} ms${i === 0 ? ' (warm-up)' : ''}`);
        if (i > 0) runs[kind].push(run);
      }
    }
  } finally {
    clearInterval(alive);
    await thread.close();
    await rules.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const of = (pick: (r: { ms: number; blockedMs: number }) => number) => ({ inline: round1(median(runs.inline.map(pick))), threads: round1(median(runs.threads.map(pick))) });
  const blocked = of((r) => r.blockedMs);
  process.stdout.write(
    `${JSON.stringify({ model: MODEL, updates: UPDATES, validation_samples: SAMPLES, check_ms: of((r) => r.ms), loop_blocked_ms: blocked, loop_blocked_ratio: Math.round((blocked.threads / blocked.inline) * 1000) / 1000 })}\n`,
  );
}

void main();
