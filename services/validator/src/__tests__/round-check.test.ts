import { aggregate, inlineRunner, parseRule, PoolRuleRunner, type RuleRunner } from '@learnchain/aggregation';
import { createLogger, sha256, toHex } from '@learnchain/core';
import { AggregateRoundVerifier, BlobUnavailableError, type BlobSource, type JobRecord } from '@learnchain/ledger';
import { manifestOf } from '@learnchain/model';
import { encodeUpdate, parameterBytes, type UpdateEncoding } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';

import { decodeUpdateBlob, tensorsOf, updateLayoutOf } from '../round-check';

const logger = createLogger({ service: 'round-check-test', level: 'silent' });
const manifest = manifestOf([
  { name: 'w', shape: [3, 4] },
  { name: 'b', shape: [5] },
]);
// The manifest as CreateJob carries it and the ledger keeps it (JobRecord.spec).
const spec = { model: 'mlp', manifest: { tensors: manifest.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset })), totalElements: manifest.size } };
const base = Float32Array.from({ length: manifest.size }, (_, i) => i / 10);
const deltas = [0, 1, 2].map((k) => Float32Array.from({ length: manifest.size }, (_, i) => Math.sin(i + 7 * k) * (i < 12 ? 0.03 : 2)));
const samples = [10, 30, 60];

const job = (withManifest = true): JobRecord => ({
  jobId: 'j',
  creator: '00',
  createdHeight: 1,
  spec: withManifest ? spec : { model: 'mlp' },
  head: sha256(parameterBytes(base)),
  round: 0,
  ruleName: 'fedavg',
  validationDataset: new Uint8Array(0),
  maxLoss: 0,
  maxLossIncrease: 0,
});

function memoryBlobs(blobs: Uint8Array[]): BlobSource {
  const byHash = new Map(blobs.map((b) => [toHex(sha256(b)), b]));
  return {
    fetch: async (hash) => {
      const blob = byHash.get(toHex(hash));
      if (!blob) throw new BlobUnavailableError(toHex(hash), 'not found');
      return blob;
    },
  };
}

const DTYPE = { float32: 'DTYPE_FLOAT32', float16: 'DTYPE_FLOAT16', int8: 'DTYPE_INT8' } as const;

/** What the aggregator does on close: decode each update, fedavg the decoded values, add them to the base. */
function round(encoding: UpdateEncoding, layoutJob: JobRecord) {
  const updates = deltas.map((d) => encodeUpdate(d, manifest, encoding));
  const decoded = updates.map((u, i) => ({ id: toHex(sha256(u)), values: decodeUpdateBlob(u, encoding, { job: layoutJob, size: base.length }), weight: samples[i] ?? 1 }));
  const { aggregate: delta } = aggregate(parseRule({ name: 'fedavg', f: 0 }), decoded, undefined, { dimension: base.length });
  const next = base.map((v, i) => v + (delta[i] ?? 0));
  const result: v1.RoundResult__Output = {
    jobId: 'j',
    round: 1,
    baseModelHash: Buffer.from(sha256(parameterBytes(base))),
    newModelHash: Buffer.from(sha256(parameterBytes(next))),
    membershipEpoch: 1,
    rule: { name: 'fedavg', params: {}, byzantineBudget: 0, normBound: 0 },
    included: updates.map((u, i) => ({ nodeId: `n${i}`, updateHash: Buffer.from(sha256(u)), numSamples: samples[i] ?? 1, encoding: DTYPE[encoding], signature: null, decision: 'selected', score: 0, trainMicros: 0, receivedAtMs: 0, size: u.byteLength })),
    excluded: [],
    metrics: null,
  };
  return { updates, next, result, blobs: memoryBlobs([parameterBytes(base), ...updates]) };
}

describe('round checks: decoding updates', () => {
  it('reads the tensors of the committed manifest and lays updates out by them', () => {
    expect(tensorsOf(job())).toEqual([{ offset: 0, size: 12 }, { offset: 12, size: 5 }]);
    expect(tensorsOf(job(false))).toEqual([]);
    expect(updateLayoutOf(job(), manifest.size).entries).toHaveLength(2);
    expect(updateLayoutOf(job(), manifest.size + 1).entries).toHaveLength(1);
  });

  it.each(['float32', 'float16', 'int8'] as const)('%s: decodes with the job manifest, within the encoding step', (encoding) => {
    const bytes = encodeUpdate(deltas[0] as Float32Array, manifest, encoding);
    const back = decodeUpdateBlob(bytes, encoding, { job: job(), size: manifest.size });
    const tolerance = encoding === 'float32' ? 0 : encoding === 'float16' ? 2e-3 : 2 / 127;
    (deltas[0] as Float32Array).forEach((v, i) => expect(Math.abs((back[i] ?? NaN) - v)).toBeLessThanOrEqual(tolerance));
  });

  it('refuses an update whose tag is not the encoding it was signed with, and unknown encodings', () => {
    const bytes = encodeUpdate(deltas[0] as Float32Array, manifest, 'float16');
    expect(() => decodeUpdateBlob(bytes, 'int8', { job: job(), size: manifest.size })).toThrow(/is not int8/);
    expect(() => decodeUpdateBlob(bytes, 'bfloat16', { job: job(), size: manifest.size })).toThrow(/bfloat16/);
    expect(() => decodeUpdateBlob(bytes.subarray(0, 20), 'float16', { job: job(), size: manifest.size })).toThrow(/bytes, expected/);
  });

  it('an int8 update cannot be read without the manifest it was encoded with', () => {
    const bytes = encodeUpdate(deltas[0] as Float32Array, manifest, 'int8');
    expect(() => decodeUpdateBlob(bytes, 'int8', { job: job(false), size: manifest.size })).toThrow(/tensors/);
  });
});

describe.each([
  ['inline', () => ({ runner: inlineRunner })],
  // As a validator with round-check threads: the updates decoded into shared memory one turn of the event loop each,
  // the rule run on worker threads.
  ['on the aggregation pool', () => ({ runner: new PoolRuleRunner({ logger, workers: 1, thresholds: { fedavg: 0, other: 0 } }), interleave: true })],
] as const)('round checks: re-executing rounds of every encoding, the rule %s', (_, makeRunner: () => { runner: RuleRunner; interleave?: boolean }) => {
  let options: { runner: RuleRunner; interleave?: boolean };
  beforeAll(() => {
    options = makeRunner();
  });
  afterAll(async () => {
    if (options.runner instanceof PoolRuleRunner) await options.runner.close();
  });

  it.each(['float32', 'float16', 'int8'] as const)('%s: the verifier recomputes the aggregator model byte for byte', async (encoding) => {
    const { result, blobs } = round(encoding, job());
    const verifier = new AggregateRoundVerifier({ blobs, logger, decode: decodeUpdateBlob, ...options });
    expect(await verifier.verify({ chainId: 'c', job: job(), result })).toEqual({ valid: true, reason: '' });
  });

  it('int8: a new model computed from the undecoded float32 deltas is refused', async () => {
    const { result, blobs } = round('int8', job());
    const exact = aggregate(parseRule({ name: 'fedavg', f: 0 }), deltas.map((values, i) => ({ id: `d${i}`, values, weight: samples[i] ?? 1 })), undefined, { dimension: base.length });
    const forged = { ...result, newModelHash: Buffer.from(sha256(parameterBytes(base.map((v, i) => v + (exact.aggregate[i] ?? 0))))) };
    const verdict = await new AggregateRoundVerifier({ blobs, logger, decode: decodeUpdateBlob, ...options }).verify({ chainId: 'c', job: job(), result: forged });
    expect(verdict.reason).toMatch(/^aggregate-mismatch/);
  });
});
