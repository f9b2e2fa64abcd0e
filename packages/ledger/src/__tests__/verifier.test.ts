import { createLogger, sha256, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { AggregateRoundVerifier, blobFromStream, BlobUnavailableError, collectBlob, parameterBytes, type BlobSource, type JobRecord, type ModelEvaluator } from '../index';

const logger = createLogger({ service: 'verifier-test', level: 'silent' });
const bytesOf = (values: number[]): Uint8Array => new Uint8Array(parameterBytes(new Float32Array(values)));

const base = bytesOf([1, 2, 3, 4]);
const u1 = bytesOf([0.5, 0.5, 0.5, 0.5]);
const u2 = bytesOf([1.5, -0.5, 0, 2]);
const expected = bytesOf([2, 2, 3.25, 5.25]); // base + mean(u1, u2)

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

const job = (validation: Uint8Array = new Uint8Array(0), maxLoss = 0): JobRecord => ({
  jobId: 'j',
  creator: '00',
  createdHeight: 1,
  spec: null,
  head: sha256(base),
  round: 0,
  ruleName: 'fedavg',
  validationDataset: validation,
  maxLoss,
  maxLossIncrease: 0,
});

function result(newModel: Uint8Array): v1.RoundResult__Output {
  const included = [u1, u2].map((u, i) => ({ nodeId: `n${i}`, updateHash: Buffer.from(sha256(u)), numSamples: 10, encoding: 'DTYPE_FLOAT32' as const, signature: null, decision: 'selected', score: 0, trainMicros: 0, receivedAtMs: 0, size: 0 }));
  return { jobId: 'j', round: 1, baseModelHash: Buffer.from(sha256(base)), newModelHash: Buffer.from(sha256(newModel)), membershipEpoch: 1, rule: { name: 'fedavg', params: {}, byzantineBudget: 0, normBound: 0 }, included, excluded: [], metrics: null };
}

describe('AggregateRoundVerifier', () => {
  it('accepts a round whose new model is the rule applied to the signed updates', async () => {
    const verifier = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1, u2]), logger });
    expect(await verifier.verify({ chainId: 'c', job: job(), result: result(expected) })).toEqual({ valid: true, reason: '' });
  });

  it('offers the recomputed model to its blob source once it hashes to new_model_hash, and nothing otherwise', async () => {
    const kept: [string, number[]][] = [];
    const blobs: BlobSource = { ...memoryBlobs([base, u1, u2]), keep: (hash, bytes) => kept.push([toHex(hash), Array.from(bytes)]) };
    const verifier = new AggregateRoundVerifier({ blobs, logger });
    expect((await verifier.verify({ chainId: 'c', job: job(), result: result(bytesOf([9, 9, 9, 9])) })).valid).toBe(false);
    expect(kept).toEqual([]);
    expect((await verifier.verify({ chainId: 'c', job: job(), result: result(expected) })).valid).toBe(true);
    expect(kept).toEqual([[toHex(sha256(expected)), Array.from(expected)]]);
  });

  it('asks for the round\'s blobs together, not one after another', async () => {
    const memory = memoryBlobs([base, u1, u2]);
    let waiting: (() => void)[] = [];
    let most = 0;
    // each fetch answers only once all three are asked for: fetching one at a time would never finish
    const blobs: BlobSource = {
      fetch: (hash) =>
        new Promise<void>((resolve) => {
          waiting.push(resolve);
          most = Math.max(most, waiting.length);
          if (waiting.length === 3) {
            for (const release of waiting) release();
            waiting = [];
          }
        }).then(() => memory.fetch(hash)),
    };
    const verifier = new AggregateRoundVerifier({ blobs, logger });
    expect(await verifier.verify({ chainId: 'c', job: job(), result: result(expected) })).toEqual({ valid: true, reason: '' });
    expect(most).toBe(3);
  });

  it('refuses a round whose new model differs from the recomputed aggregate', async () => {
    const verifier = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1, u2]), logger });
    const verdict = await verifier.verify({ chainId: 'c', job: job(), result: result(bytesOf([2, 2, 3.25, 5.5])) });
    expect(verdict).toEqual({ valid: false, reason: expect.stringMatching(/^aggregate-mismatch/) });
  });

  it('votes against a round whose blobs cannot be fetched, as one to check again later', async () => {
    const verifier = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1]), logger });
    expect(await verifier.verify({ chainId: 'c', job: job(), result: result(expected) })).toEqual({ valid: false, reason: expect.stringMatching(/^blobs: .*not found/), retry: true });
    // What the fetched bytes say is final: the same on every check.
    const torn = u2.subarray(0, 6);
    const round = result(expected);
    const [first, second] = round.included as [v1.RoundResult__Output['included'][number], v1.RoundResult__Output['included'][number]];
    const short = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1, torn]), logger });
    const verdict = await short.verify({ chainId: 'c', job: job(), result: { ...round, included: [first, { ...second, updateHash: Buffer.from(sha256(torn)) }] } });
    expect(verdict).toEqual({ valid: false, reason: expect.stringMatching(/^blobs: float32 blob length/) });
  });

  it('checks the loss when the job has a validation rule, and refuses without an evaluator', async () => {
    const dataset = sha256(new Uint8Array([1]));
    const none = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1, u2]), logger });
    expect((await none.verify({ chainId: 'c', job: job(dataset, 1), result: result(expected) })).reason).toMatch(/^no-evaluator/);
    const evaluator: ModelEvaluator = { evaluate: async (_job, params) => ({ loss: params[0] === 2 ? 0.8 : 2 }) };
    const withEval = new AggregateRoundVerifier({ blobs: memoryBlobs([base, u1, u2]), logger, evaluator });
    expect(await withEval.verify({ chainId: 'c', job: job(dataset, 1), result: result(expected) })).toEqual({ valid: true, reason: '' });
    expect((await withEval.verify({ chainId: 'c', job: job(dataset, 0.5), result: result(expected) })).reason).toMatch(/above max_loss/);
  });

  it('refuses streamed bytes that do not hash to the blob name', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield u1.subarray(0, 8);
      yield u1.subarray(8);
    }
    expect(await collectBlob(sha256(u1), chunks(), 1024)).toEqual(u1);
    await expect(collectBlob(sha256(u2), chunks(), 1024)).rejects.toThrow(BlobUnavailableError);
    await expect(collectBlob(sha256(u1), chunks(), 8)).rejects.toThrow(/larger than/);
  });

  it('joins chunks into one blob, and reads the data of GetBlob messages as they come', async () => {
    async function* one(): AsyncGenerator<Uint8Array> {
      yield u1;
    }
    expect(await collectBlob(sha256(u1), one(), 1024)).toBe(u1); // a single chunk is not copied
    const joined = await collectBlob(sha256(u1), (async function* () {
      for (let at = 0; at < u1.length; at += 3) yield u1.subarray(at, at + 3);
    })(), 1024);
    expect(Array.from(joined)).toEqual(Array.from(u1));
    async function* messages(): AsyncGenerator<{ data: Buffer }> {
      yield { data: Buffer.from(u1.subarray(0, 5)) };
      yield { data: Buffer.from(u1.subarray(5)) };
    }
    const fetched = await blobFromStream(sha256(u1), messages(), 1024);
    expect(fetched).not.toBeInstanceOf(Buffer);
    expect(Array.from(fetched)).toEqual(Array.from(u1));
    async function* broken(): AsyncGenerator<{ data: Buffer }> {
      yield { data: Buffer.from(u1.subarray(0, 5)) };
      throw new Error('stream reset');
    }
    await expect(blobFromStream(sha256(u1), broken(), 1024)).rejects.toThrow(new BlobUnavailableError(toHex(sha256(u1)), 'stream reset'));
  });
});
