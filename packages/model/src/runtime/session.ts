/**
 * onnxruntime sessions for derived graphs, on the execution provider asked
 * for: CUDA is tried first when requested and falls back to CPU with a
 * warning when this onnxruntime build or machine has no CUDA.
 */
import * as ort from 'onnxruntime-node';
import { MissingOutputError } from '../errors';
import { encodeModel } from '../onnx/model-proto';
import type { Model } from '../onnx/types';

/** Where tensors are computed. */
export type ExecutionProvider = 'cuda' | 'cpu';

/** How sessions are created. */
export interface SessionConfig {
  /** Providers in order of preference; default ['cpu']. */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** Receives the fallback warning; default process.emitWarning. */
  readonly onWarning?: (message: string) => void;
  /**
   * Threads one operator may use; default (0): onnxruntime's, one per core,
   * whose idle threads spin. Where several sessions share a few cores (many
   * services in one process), 1 runs each operator on the calling thread.
   */
  readonly threads?: number;
}

/** A session and the provider it actually runs on. */
export interface OpenSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
}

const warned = new Set<string>();

function warnOnce(config: SessionConfig, message: string): void {
  if (config.onWarning !== undefined) {
    config.onWarning(message);
    return;
  }
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { code: 'LEARNCHAIN_EP_FALLBACK' });
}

const BASE: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

/** Opens a session for a model, honouring the provider preference with CPU as the last resort. */
export async function openSession(model: Model | Uint8Array, config: SessionConfig = {}): Promise<OpenSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const wanted = config.executionProviders ?? ['cpu'];
  const options = { ...BASE, ...(config.threads ? { intraOpNumThreads: config.threads } : {}) };
  if (wanted.includes('cuda')) {
    try {
      const session = await ort.InferenceSession.create(bytes, {
        ...options,
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warnOnce(config, `CUDA execution provider requested but unavailable (${reason}); falling back to CPU`);
    }
  }
  const session = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['cpu'] });
  return { session, provider: 'cpu' };
}

/** A float32 tensor over the given data (no copy). */
export function floatTensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** An int64 tensor over the given data (no copy). */
export function int64Tensor(data: BigInt64Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', data, dims);
}

/** The float32 data of a named output, or an error naming it. */
export function outputData(out: ort.InferenceSession.ReturnType, name: string): Float32Array {
  const t = out[name];
  if (t === undefined || !(t.data instanceof Float32Array)) throw new MissingOutputError(name);
  return t.data;
}
