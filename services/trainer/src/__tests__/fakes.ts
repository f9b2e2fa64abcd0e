/** In-memory ports for the trainer's unit tests. */
import { status as Status } from '@grpc/grpc-js';
import { createLogger, sha256, StatusError, toHex } from '@learnchain/core';
import { manifestOf, type Manifest } from '@learnchain/model';

import type { TrainingJob } from '../job';
import type { JobSource, LocalResult, LocalTrainer, ModelSource, SignedUpdate, SubmitReceipt, UpdateSink } from '../ports';

export const logger = createLogger({ service: 'trainer-test', level: 'silent' });

export const manifest: Manifest = manifestOf([
  { name: 'w', shape: [2, 3] },
  { name: 'b', shape: [3] },
]);

export const job: TrainingJob = { jobId: 'job-1', model: 'tiny', encoding: 'float32', epochs: 1, batchSize: 4, lr: 0.1, momentum: 0, proximalMu: 0, maxShift: 0, manifest };

export function parameterBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

export const base = Float32Array.from({ length: manifest.size }, (_, i) => i / 10);
export const baseBytes = parameterBytes(base);
export const baseHash = sha256(baseBytes);

export class MemoryJobs implements JobSource {
  calls = 0;
  constructor(private readonly jobs: readonly TrainingJob[]) {}
  async job(jobId: string): Promise<TrainingJob | undefined> {
    this.calls += 1;
    return this.jobs.find((j) => j.jobId === jobId);
  }
}

export class MemoryModels implements ModelSource {
  readonly blobs = new Map<string, Uint8Array>();
  constructor(...blobs: Uint8Array[]) {
    for (const b of blobs) this.blobs.set(toHex(sha256(b)), b);
  }
  async fetch(hash: Uint8Array): Promise<Uint8Array> {
    const blob = this.blobs.get(toHex(hash));
    if (!blob) throw new StatusError(Status.NOT_FOUND, { field: 'hash', reason: 'not_found', message: 'no such blob' });
    return blob;
  }
}

/** Collects uploads; fails the first `failures` with the given code. */
export class MemorySink implements UpdateSink {
  readonly received: SignedUpdate[] = [];
  attempts = 0;
  constructor(
    public failures = 0,
    private readonly code: Status = Status.UNAVAILABLE,
  ) {}
  async submit(update: SignedUpdate): Promise<SubmitReceipt> {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new StatusError(this.code, { field: '', reason: 'test', message: 'injected failure' });
    }
    this.received.push(update);
    return { updateHash: sha256(update.bytes), duplicate: false };
  }
}

/** "Training" that adds `step` to every parameter. */
export class StepTrainer implements LocalTrainer {
  calls = 0;
  constructor(private readonly step = 0.5) {}
  manifest(): Manifest {
    return manifest;
  }
  async train(_job: TrainingJob, params: Float32Array): Promise<LocalResult> {
    this.calls += 1;
    return { params: params.map((v) => v + this.step), numSamples: 42, loss: 0.7, micros: 1000 };
  }
}
