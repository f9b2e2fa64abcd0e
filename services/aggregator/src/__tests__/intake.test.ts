/**
 * SubmitUpdate against bad input, and the blob store's streams, in-process:
 * PGlite, the local bus, a real registry and the Validator test server. Every
 * refused stream gets its status, field and reason, and leaves the round as it was.
 */
import { status, type ServiceError } from '@grpc/grpc-js';

import { clientStream, contentId, errorDetailOf, Identity, serverStream, signStatement, unary, updateStatement } from '@learnchain/core';
import { encodeUpdate, flatLayout, parameterBytes } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';

import { chunks, createJob, delta, putBlob, round, startMesh, submit, Trainer, until, type HeaderFields, type Mesh } from './support/mesh';

jest.setTimeout(60_000);

const JOB = 'job-intake';
const P = 8;
let mesh: Mesh;
let base: string;
let a: Trainer;
let b: Trainer;
let c: Trainer;
let late: Trainer;

beforeAll(async () => {
  mesh = await startMesh({ LEARNCHAIN_MAX_UPLOADS: '2' });
  [a, b, c] = [await Trainer.join(mesh.registry.address, mesh.chainId), await Trainer.join(mesh.registry.address, mesh.chainId), await Trainer.join(mesh.registry.address, mesh.chainId)];
  base = await createJob(mesh, { jobId: JOB, rule: { name: 'fedavg' }, minTrainers: 3, roundDeadlineMs: 600_000 }, new Float32Array(P).fill(1));
  await until('round 1 open', async () => (await round(mesh.client, JOB))?.state === 'ROUND_STATE_OPEN');
  late = await Trainer.join(mesh.registry.address, mesh.chainId);
});

afterAll(async () => {
  await mesh?.stop();
});

async function refusal(call: Promise<unknown>): Promise<{ code: number | undefined; field: string | undefined; reason: string | undefined }> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as ServiceError | undefined;
  if (!error) throw new Error('expected the call to be refused');
  const detail = errorDetailOf(error);
  return { code: error.code, field: detail?.field, reason: detail?.reason };
}

function header(trainer: Trainer, bytes: Uint8Array, overrides: Partial<HeaderFields> = {}): v1.UpdateHeader {
  return trainer.header({ chainId: mesh.chainId, jobId: JOB, round: 1, baseModelHash: base, bytes, ...overrides });
}

async function snapshot(): Promise<{ received: string[]; state: string; updates: number }> {
  const status1 = await round(mesh.client, JOB, 1);
  return { received: [...(status1?.received ?? [])].sort(), state: status1?.state ?? 'missing', updates: (await mesh.aggregator.rounds.updates(JOB, 1)).length };
}

const good = delta([0.5, -0.5, 0.25, 0, 0, 0, 0, 1]);

describe('bad streams', () => {
  const cases: [string, () => v1.UpdateChunk[], { code: number; field: string; reason: string }][] = [
    ['no header on the first message', () => chunks(undefined, good), { code: status.INVALID_ARGUMENT, field: 'header', reason: 'missing_header' }],
    [
      'a header on a later message (wrong chunk order)',
      () => [...chunks(header(a, good), good.subarray(0, 20)), { header: header(a, good), data: Buffer.from(good.subarray(20)) }],
      { code: status.INVALID_ARGUMENT, field: 'header', reason: 'header_not_first' },
    ],
    [
      'a chunk over the chunk limit',
      () => [{ header: header(a, good), data: Buffer.alloc(5000) }],
      { code: status.RESOURCE_EXHAUSTED, field: 'data', reason: 'chunk_too_large' },
    ],
    [
      'a declared size other than the size rule',
      () => chunks({ ...header(a, good), updateSize: good.byteLength + 4 }, good),
      { code: status.INVALID_ARGUMENT, field: 'header.update_size', reason: 'wrong_size' },
    ],
    ['an overlong stream', () => chunks(header(a, good), new Uint8Array([...good, 1, 2, 3])), { code: status.INVALID_ARGUMENT, field: 'data', reason: 'overlong' }],
    ['a truncated stream', () => chunks(header(a, good), good.subarray(0, good.byteLength - 5)), { code: status.INVALID_ARGUMENT, field: 'data', reason: 'truncated' }],
    [
      'data that does not hash to update_hash',
      () => chunks(header(a, good), delta([9, 9, 9, 9, 9, 9, 9, 9])),
      { code: status.INVALID_ARGUMENT, field: 'header.update_hash', reason: 'hash_mismatch' },
    ],
    [
      'bytes that are not an update of this model',
      () => {
        const bytes = good.slice();
        bytes[0] = 0;
        return chunks(header(a, bytes), bytes);
      },
      { code: status.INVALID_ARGUMENT, field: 'data', reason: 'bad_encoding' },
    ],
    ['another chain', () => chunks(header(a, good, { chainId: 'other-chain' }), good), { code: status.INVALID_ARGUMENT, field: 'header.chain_id', reason: 'wrong_chain' }],
    ['an unknown job', () => chunks(header(a, good, { jobId: 'nope' }), good), { code: status.FAILED_PRECONDITION, field: 'header.job_id', reason: 'unknown_job' }],
    ['a round not open yet', () => chunks(header(a, good, { round: 2 }), good), { code: status.FAILED_PRECONDITION, field: 'header.round', reason: 'round_not_open' }],
    ['another base model', () => chunks(header(a, good, { baseModelHash: 'cd'.repeat(32) }), good), { code: status.INVALID_ARGUMENT, field: 'header.base_model_hash', reason: 'wrong_base' }],
    [
      'another encoding than the job takes',
      () => {
        const bytes = encodeUpdate(new Float32Array(P), flatLayout(P), 'float16');
        return chunks(header(a, bytes, { encoding: 'float16' }), bytes);
      },
      { code: status.INVALID_ARGUMENT, field: 'header.encoding', reason: 'wrong_encoding' },
    ],
    [
      'an unknown member',
      () => {
        const stranger = Identity.generate();
        const h = header(a, good);
        const statement = updateStatement({ chainId: mesh.chainId, jobId: JOB, round: 1, baseModelHash: new Uint8Array(h.baseModelHash as Buffer), updateHash: new Uint8Array(h.updateHash as Buffer), encoding: 'float32', numSamples: 10 });
        return chunks({ ...h, nodeId: stranger.address, signature: { publicKey: Buffer.from(stranger.publicKey), signature: Buffer.from(signStatement(stranger, 'update', statement)) } }, good);
      },
      { code: status.PERMISSION_DENIED, field: 'header.node_id', reason: 'not_a_participant' },
    ],
    ['a member who joined after the round opened', () => chunks(header(late, good), good), { code: status.PERMISSION_DENIED, field: 'header.node_id', reason: 'not_a_participant' }],
    [
      'a bad signature (a signed field changed)',
      () => chunks({ ...header(a, good), numSamples: 1000 }, good),
      { code: status.UNAUTHENTICATED, field: 'header.signature', reason: 'bad_signature' },
    ],
    [
      "another node's key (impersonation)",
      () => chunks({ ...header(b, good), nodeId: a.nodeId }, good),
      { code: status.UNAUTHENTICATED, field: 'header.signature.public_key', reason: 'wrong_key' },
    ],
  ];

  it.each(cases)('refuses %s with the right status, and the round is unchanged', async (_name, messages, expected) => {
    const before = await snapshot();
    expect(await refusal(submit(mesh.client, messages()))).toEqual(expected);
    expect(await snapshot()).toEqual(before);
  });
});

describe('accepted updates', () => {
  it('acknowledges an update once it is stored, and answers a re-submission as a duplicate', async () => {
    const answer = await submit(mesh.client, chunks(header(a, good), good, 16));
    expect(answer).toMatchObject({ duplicate: false });
    expect(Buffer.from(answer.updateHash).toString('hex')).toBe(contentId(good));
    expect(await mesh.aggregator.blobs.stat(contentId(good))).toMatchObject({ size: good.byteLength, kind: 'update' });
    const after = await snapshot();
    expect(after.received).toEqual([a.nodeId]);
    expect((await submit(mesh.client, chunks(header(a, good), good))).duplicate).toBe(true);
    expect(await snapshot()).toEqual(after);
  });

  it('refuses a second, different update from the same node in the round', async () => {
    const before = await snapshot();
    const other = delta([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await refusal(submit(mesh.client, chunks(header(a, other), other)))).toEqual({ code: status.ALREADY_EXISTS, field: 'header.node_id', reason: 'already_submitted' });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses another node's copy of an update already held", async () => {
    const before = await snapshot();
    expect(await refusal(submit(mesh.client, chunks(header(b, good), good)))).toEqual({ code: status.ALREADY_EXISTS, field: 'header.update_hash', reason: 'replayed_update' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses the replay of an old update once the round is over', async () => {
    const ub = delta([0, 0, 0, 0, 0, 0, 0, 2]);
    const uc = delta([0, 0, 0, 0, 0, 0, 0, 3]);
    await submit(mesh.client, chunks(header(b, ub), ub));
    await submit(mesh.client, chunks(header(c, uc), uc));
    const second = await until('round 2 open', async () => {
      const r = await round(mesh.client, JOB);
      return r?.round === 2 && r.state === 'ROUND_STATE_OPEN' ? r : undefined;
    });
    // Round 2 opens on round 1's model while round 1's result is on its way to the chain.
    await until('round 1 committed', async () => (await round(mesh.client, JOB, 1))?.state === 'ROUND_STATE_COMMITTED');
    expect(await refusal(submit(mesh.client, chunks(header(a, good), good)))).toEqual({ code: status.FAILED_PRECONDITION, field: 'header.round', reason: 'stale_round' });
    const rebased = header(a, good, { round: 2, baseModelHash: Buffer.from(second.baseModelHash).toString('hex') });
    expect(await refusal(submit(mesh.client, chunks(rebased, good)))).toEqual({ code: status.ALREADY_EXISTS, field: 'header.update_hash', reason: 'replayed_update' });
    expect((await round(mesh.client, JOB, 2))?.received).toEqual([]);
  });
});

describe('blobs', () => {
  async function fetch(hash: string, chunkSize: number): Promise<{ header: v1.BlobHeader__Output | null; sizes: number[]; bytes: Buffer }> {
    let header: v1.BlobHeader__Output | null = null;
    const parts: Buffer[] = [];
    for await (const message of serverStream(mesh.client, 'getBlob', { hash: Buffer.from(hash, 'hex'), chunkSize })) {
      header ??= message.header;
      parts.push(message.data);
    }
    return { header, sizes: parts.map((p) => p.length), bytes: Buffer.concat(parts) };
  }

  /** A job the ledger stub knows (no job.created: no rounds) naming `dataset` as its validation set; returns its id. */
  function namingJob(jobId: string, dataset: Uint8Array, parameters: Uint8Array = Buffer.from(`${jobId} parameters`)): string {
    mesh.validator.jobs.set(jobId, { jobId, initialParametersHash: contentId(parameters), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 1000, validation: { datasetHash: contentId(dataset) } });
    return jobId;
  }

  it('streams a blob in chunks no larger than asked, the header first, the bytes hashing to the id', async () => {
    const bytes = parameterBytes(Float32Array.from({ length: 3000 }, (_, i) => i / 7));
    const hash = await putBlob(mesh.client, bytes, 'BLOB_KIND_PARAMETERS', namingJob('blob-stream', Buffer.from('unused'), bytes));
    const got = await fetch(hash, 1000);
    expect(got.header).toMatchObject({ size: bytes.byteLength, kind: 'BLOB_KIND_PARAMETERS' });
    expect(Math.max(...got.sizes)).toBeLessThanOrEqual(1000);
    expect(contentId(got.bytes)).toBe(hash);
    const capped = await fetch(hash, 1 << 20);
    expect(Math.max(...capped.sizes)).toBeLessThanOrEqual(4096);
    expect(contentId(capped.bytes)).toBe(hash);
  });

  it('answers NOT_FOUND for a round or job it does not know', async () => {
    expect(await refusal(unary(mesh.client, 'getRound', { jobId: JOB, round: 99 }))).toEqual({ code: status.NOT_FOUND, field: 'round', reason: 'not_found' });
    expect(await refusal(unary(mesh.client, 'getRound', { jobId: 'nope', round: 0 }))).toEqual({ code: status.NOT_FOUND, field: 'job_id', reason: 'not_found' });
  });

  it('answers NOT_FOUND for an unknown hash', async () => {
    expect(await refusal(fetch('ef'.repeat(32), 0))).toEqual({ code: status.NOT_FOUND, field: 'hash', reason: 'not_found' });
  });

  it('refuses a PutBlob whose bytes do not hash to its header, one over the size limit, updates, and blobs no committed job names', async () => {
    const data = Buffer.from('a validation set');
    const jobId = namingJob('blob-refusals', data);
    const put = async (headerFields: Partial<v1.BlobHeader>, bytes: Buffer) => {
      const upload = clientStream(mesh.client, 'putBlob');
      await upload.write({ header: { hash: Buffer.from(contentId(bytes), 'hex'), size: bytes.length, kind: 'BLOB_KIND_DATASET', jobId, ...headerFields }, data: bytes }).catch(() => undefined);
      return upload.finish();
    };
    expect(await refusal(put({ jobId: '' }, data))).toEqual({ code: status.INVALID_ARGUMENT, field: 'header.job_id', reason: 'missing_job' });
    expect(await refusal(put({ jobId: 'no-such-job' }, data))).toEqual({ code: status.FAILED_PRECONDITION, field: 'header.job_id', reason: 'unknown_job' });
    expect(await refusal(put({}, Buffer.from('bytes the job does not name')))).toEqual({ code: status.PERMISSION_DENIED, field: 'header.hash', reason: 'not_named' });
    expect(await refusal(put({ kind: 'BLOB_KIND_PARAMETERS' }, data))).toEqual({ code: status.INVALID_ARGUMENT, field: 'header.kind', reason: 'kind_mismatch' });
    expect(await refusal(put({ hash: Buffer.alloc(32, 7) }, data))).toEqual({ code: status.PERMISSION_DENIED, field: 'header.hash', reason: 'not_named' });
    const forged = clientStream(mesh.client, 'putBlob');
    await forged.write({ header: { hash: Buffer.from(contentId(data), 'hex'), size: data.length, kind: 'BLOB_KIND_DATASET', jobId }, data: Buffer.from('A validation set') }).catch(() => undefined);
    expect(await refusal(forged.finish())).toEqual({ code: status.INVALID_ARGUMENT, field: 'header.hash', reason: 'hash_mismatch' });
    expect(await refusal(put({ size: 2 * 1024 * 1024 }, data))).toEqual({ code: status.RESOURCE_EXHAUSTED, field: 'header.size', reason: 'too_large' });
    expect(await refusal(put({ kind: 'BLOB_KIND_UPDATE' }, data))).toEqual({ code: status.INVALID_ARGUMENT, field: 'header.kind', reason: 'bad_kind' });
    expect(await mesh.aggregator.blobs.stat(contentId(data))).toBeUndefined();
    expect((await put({}, data)).size).toBe(data.length);
    expect(await mesh.aggregator.blobs.stat(contentId(data))).toMatchObject({ kind: 'dataset' });
  });

  it('answers RESOURCE_EXHAUSTED to an upload over the limit of streams in flight, and takes uploads again once they end', async () => {
    const data = Buffer.from('held open');
    const after = Buffer.from('taken after the others ended');
    const jobId = namingJob('blob-busy', data, after);
    const open = [clientStream(mesh.client, 'putBlob'), clientStream(mesh.client, 'putBlob')];
    for (const upload of open) await upload.write({ header: { hash: Buffer.from(contentId(data), 'hex'), size: data.length, kind: 'BLOB_KIND_DATASET', jobId }, data: data.subarray(0, 4) });
    await until('both uploads in flight', async () => {
      const third = clientStream(mesh.client, 'putBlob');
      await third.write({ header: { hash: Buffer.from(contentId(data), 'hex'), size: data.length, kind: 'BLOB_KIND_DATASET', jobId }, data }).catch(() => undefined);
      const outcome = await refusal(third.finish()).catch(() => undefined);
      return outcome?.reason === 'busy' ? outcome : undefined;
    });
    for (const upload of open) {
      await upload.write({ data: data.subarray(4) });
      expect((await upload.finish()).size).toBe(data.length);
    }
    expect(await putBlob(mesh.client, after, 'BLOB_KIND_PARAMETERS', jobId)).toBe(contentId(after));
  });
});
