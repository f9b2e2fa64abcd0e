import {
  closestToMedianRange,
  medianRange,
  trimmedMeanRange,
} from '../coordinatewise';
import { gramPartials } from '../distances';
import { weightedMeanRange } from '../rules/fedavg';
import { meanOfRowsRange, sumsOfSquares } from '../vector';
import { float32Of, float64Of } from './protocol';
import type { Task } from './protocol';

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
    case 'gram':
      gramPartials(rows, task.d, task.b0, task.b1, float64Of(task.partials));
      return null;
  }
}
