import {
  closestToMedianRange,
  medianRange,
  trimmedMeanRange,
} from '../coordinatewise';
import { addGramRange } from '../distances';
import { weightedMeanRange, weightedMeanStage } from '../rules/fedavg';
import { meanOfRowsRange, sumsOfSquares } from '../vector';
import { float32Of, float64Of } from './protocol';
import type { Task } from './protocol';

type StageTask = Extract<Task, { kind: 'weighted-mean-stage' }>;

/** Progress value of a stage that failed: the stages after it stop waiting and fail too. */
const FAILED = -1;

/** Waits until stage `stage` finished more than `chunk` chunks. */
function awaitStage(progress: Int32Array, stage: number, chunk: number): void {
  for (;;) {
    const done = Atomics.load(progress, stage);
    if (done === FAILED) throw new Error(`stage ${stage} of the pipeline failed`);
    if (done > chunk) return;
    Atomics.wait(progress, stage, done);
  }
}

/** Runs one stage of the fedavg pipeline, chunk by chunk after the stage before it. */
function runStage(task: StageTask, rows: readonly Float32Array[]): void {
  const progress = new Int32Array(task.progress);
  const acc = float64Of(task.acc);
  const squares = float64Of(task.squares);
  const out = task.last ? float32Of(task.out) : null;
  const d = task.acc.length;
  try {
    for (let c = 0, from = 0; from < d; c++, from += task.chunk) {
      if (task.stage > 0) awaitStage(progress, task.stage - 1, c);
      weightedMeanStage(rows, task.weights, task.rowFrom, task.rowTo, from, Math.min(d, from + task.chunk), acc, squares, out);
      Atomics.store(progress, task.stage, c + 1);
      Atomics.notify(progress, task.stage);
    }
  } catch (err) {
    Atomics.store(progress, task.stage, FAILED);
    Atomics.notify(progress, task.stage);
    throw err;
  }
}

/**
 * Runs one task on the calling thread: the same kernels `aggregate` runs, restricted to the task's
 * coordinates or rows. Returns the per-row kept counts of the coordinate-wise kinds, else null.
 */
export function runTask(task: Task): Float64Array | null {
  const rows = task.rows.map(float32Of);
  switch (task.kind) {
    case 'weighted-mean':
      weightedMeanRange(rows, task.weights, task.from, task.to, float32Of(task.out));
      return null;
    case 'weighted-mean-stage':
      runStage(task, rows);
      return null;
    case 'mean-of-rows':
      meanOfRowsRange(rows, task.order, task.from, task.to, float32Of(task.out));
      return null;
    case 'median': {
      const kept = new Float64Array(task.order.length);
      medianRange(rows, Int32Array.from(task.order), task.from, task.to, float32Of(task.out), kept);
      return kept;
    }
    case 'trimmed-mean': {
      const kept = new Float64Array(task.order.length);
      trimmedMeanRange(rows, Int32Array.from(task.order), task.k, task.from, task.to, float32Of(task.out), kept);
      return kept;
    }
    case 'closest-to-median': {
      const kept = new Float64Array(task.order.length);
      closestToMedianRange(rows, Int32Array.from(task.order), task.beta, task.from, task.to, float32Of(task.out), kept);
      return kept;
    }
    case 'squares': {
      const squares = sumsOfSquares(task.indices.map((i) => rows[i]!));
      const out = float64Of(task.out);
      task.indices.forEach((i, p) => {
        out[i] = squares[p]!;
      });
      return null;
    }
    case 'gram-range':
      addGramRange(rows, task.from, task.to, float64Of(task.gram));
      return null;
  }
}
