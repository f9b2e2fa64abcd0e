/**
 * From trained parameters to a signed update: the delta (new − base), the
 * test-only attack if one is set, the job's encoding, its SHA-256, and the
 * ed25519 signature over updateStatement (domain 'update').
 */
import { sha256, signStatement, updateStatement, type Identity } from '@learnchain/core';
import { encodeUpdate, parametersOf as parameterValues, type Manifest } from '@learnchain/model';

import { attackDelta, isUpdateAttack, type Attack } from './attacks';
import { ParameterShapeError } from './errors';
import { epsilonSpent, isPrivate, privatize } from './privacy';
import type { TrainingJob } from './job';
import type { LocalResult, SignedUpdate } from './ports';

/** The base parameters in a blob of little-endian float32 values (copied, so alignment never matters). */
export function parametersOf(bytes: Uint8Array, manifest: Manifest, model: string): Float32Array {
  if (bytes.byteLength !== 4 * manifest.size) throw new ParameterShapeError(model, manifest.size, bytes.byteLength);
  return parameterValues(bytes);
}

/**
 * The layout an update is encoded in: the job's manifest when it states one
 * that fits the model's parameter count, otherwise the parameters as one flat
 * tensor — the same rule the aggregator and validators apply.
 */
export function updateLayout(job: TrainingJob, model: Manifest): Manifest {
  if (job.manifest && job.manifest.size === model.size) return job.manifest;
  return { entries: [{ name: 'parameters', shape: [model.size], offset: 0, size: model.size }], size: model.size };
}

/** new − base, element by element. */
export function deltaOf(next: Float32Array, base: Float32Array): Float32Array {
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = (next[i] ?? 0) - (base[i] ?? 0);
  return out;
}

export interface UpdateInput {
  readonly identity: Identity;
  readonly chainId: string;
  readonly nodeId: string;
  readonly job: TrainingJob;
  readonly round: number;
  readonly baseModelHash: Uint8Array;
  readonly base: Float32Array;
  readonly result: LocalResult;
  /** The model's parameter manifest (the update's layout follows updateLayout). */
  readonly manifest: Manifest;
  readonly attack: Attack;
  /** Standard normal samples for DP noise (a CSPRNG in production). */
  readonly normal: () => number;
  /** Updates this node already released for the job (for the ε it reports). */
  readonly released: number;
}

/** Encodes and signs the update of one round. */
export function signUpdate(input: UpdateInput): SignedUpdate {
  const { identity, chainId, nodeId, job, round, baseModelHash, base, result, manifest, attack } = input;
  const honest = deltaOf(result.params, base);
  if (isPrivate(job.privacy)) privatize(honest, job.privacy, input.normal);
  const delta = isUpdateAttack(attack) ? attackDelta(honest, attack, round) : honest;
  const bytes = encodeUpdate(delta, updateLayout(job, manifest), job.encoding);
  const updateHash = sha256(bytes);
  const statement = updateStatement({ chainId, jobId: job.jobId, round, baseModelHash, updateHash, encoding: job.encoding, numSamples: result.numSamples });
  return {
    header: {
      chainId,
      jobId: job.jobId,
      round,
      baseModelHash,
      updateHash,
      encoding: job.encoding,
      numSamples: result.numSamples,
      nodeId,
      publicKey: identity.publicKey,
      signature: signStatement(identity, 'update', statement),
      trainLoss: result.loss,
      trainMicros: result.micros,
      epsilonSpent: isPrivate(job.privacy) ? epsilonSpent(input.released + 1, job.privacy.noiseMultiplier) : 0,
    },
    bytes,
  };
}
