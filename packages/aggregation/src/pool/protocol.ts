/**
 * Messages between an aggregation pool and its worker threads. Every array travels as a view on a
 * SharedArrayBuffer, so a task carries only references; each task writes a disjoint part of its
 * output.
 */

/** A Float32Array or Float64Array view on shared memory, as it crosses a thread boundary. */
export interface SharedView {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
}

/** Coordinates [from, to) of the aggregate, written into `out` (float32, length d). */
interface RangeTask {
  readonly rows: readonly SharedView[];
  readonly from: number;
  readonly to: number;
  readonly out: SharedView;
}

/** One piece of work for a worker thread. */
export type Task =
  | (RangeTask & { readonly kind: 'weighted-mean'; readonly weights: readonly number[] })
  | (RangeTask & { readonly kind: 'median'; readonly order: readonly number[] })
  | (RangeTask & { readonly kind: 'trimmed-mean'; readonly order: readonly number[]; readonly k: number })
  | (RangeTask & { readonly kind: 'closest-to-median'; readonly order: readonly number[]; readonly beta: number })
  | (RangeTask & { readonly kind: 'mean-of-rows'; readonly order: readonly number[] })
  | {
      /**
       * fedavg's fused pass split by rows into a pipeline: this stage adds rows [rowFrom, rowTo)
       * to the running sums in `acc` (float64, length d) chunk by chunk, after the stage before it
       * finished the chunk, and measures those rows' sums of squares into `squares`. `progress`
       * (int32, one per stage) counts the chunks each stage finished (−1: it failed). The last
       * stage writes the aggregate into `out`.
       */
      readonly kind: 'weighted-mean-stage';
      readonly rows: readonly SharedView[];
      readonly weights: readonly number[];
      readonly rowFrom: number;
      readonly rowTo: number;
      readonly stage: number;
      readonly last: boolean;
      readonly chunk: number;
      readonly acc: SharedView;
      readonly squares: SharedView;
      readonly progress: SharedArrayBuffer;
      readonly out: SharedView;
    }
  | {
      /** Sums of squares of rows[i] for i in `indices`, into out (float64, one per row). */
      readonly kind: 'squares';
      readonly rows: readonly SharedView[];
      readonly indices: readonly number[];
      readonly out: SharedView;
    }
  | {
      /** The upper triangle of the rows' inner products over coordinates [from, to) into `gram` (float64, n × n, zeroed). */
      readonly kind: 'gram-range';
      readonly rows: readonly SharedView[];
      readonly from: number;
      readonly to: number;
      readonly gram: SharedView;
    };

/** What a worker answers: per-row kept counts for the coordinate-wise kinds, else null. */
export type TaskReply =
  | { readonly id: number; readonly ok: true; readonly kept: Float64Array | null }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** A task as posted to a worker. */
export interface TaskRequest {
  readonly id: number;
  readonly task: Task;
}

/** A Float32Array on a shared view. */
export function float32Of(v: SharedView): Float32Array {
  return new Float32Array(v.buffer, v.byteOffset, v.length);
}

/** A Float64Array on a shared view. */
export function float64Of(v: SharedView): Float64Array {
  return new Float64Array(v.buffer, v.byteOffset, v.length);
}
