/**
 * The round manager end to end, in-process: rounds open on job.created with
 * the registry's active trainers, close all-in or on quorum plus grace, extend
 * then fail and retry when too few updates arrive, aggregate with the job's
 * rule, submit a RoundResult the ledger's decodeTx accepts, and open the next
 * round on the new model.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { aggregate, parseRule } from '@learnchain/aggregation';
import { SUBJECT } from '@learnchain/bus';
import { contentId, errorDetailOf, fromHex, serverStream, toHex, unary, updateStatement, verifyStatement } from '@learnchain/core';

import { decodeUpdate, encodeUpdate, flatLayout, parametersOf, type ParameterLayout } from '@learnchain/model/encoding';
import { chunks, createJob, delta, round, startMesh, submit, Trainer, until, type Mesh } from './support/mesh';

jest.setTimeout(60_000);

let mesh: Mesh;
let trainers: Trainer[];

beforeAll(async () => {
  mesh = await startMesh({ LEARNCHAIN_ROUND_QUORUM: '0.5', LEARNCHAIN_KEEP_UPDATE_ROUNDS: '1', LEARNCHAIN_KEEP_MODEL_ROUNDS: '1', LEARNCHAIN_MODEL_CHECKPOINT_ROUNDS: '0' });
  trainers = [];
  for (let i = 0; i < 4; i++) trainers.push(await Trainer.join(mesh.registry.address, mesh.chainId));
});

afterAll(async () => {
  await mesh?.stop();
});

async function openRound(jobId: string, r: number) {
  return until(`${jobId} round ${r} open`, async () => {
    const status = await round(mesh.client, jobId);
    return status?.round === r && status.state === 'ROUND_STATE_OPEN' ? status : undefined;
  });
}

async function send(trainer: Trainer, jobId: string, r: number, base: string, values: number[], numSamples = 10): Promise<void> {
  const bytes = delta(values);
  await submit(mesh.client, chunks(trainer.header({ chainId: mesh.chainId, jobId, round: r, baseModelHash: base, bytes, numSamples }), bytes));
}

function eventsOf(jobId: string) {
  return mesh.events.filter((e) => e.subject !== SUBJECT.jobCreated && 'jobId' in e.payload && e.payload.jobId === jobId);
}

it('opens a round for every active trainer, closes all-in, commits the fedavg model and opens the next round on it', async () => {
  const initial = Float32Array.from([1, 2, 3, 4]);
  const base = await createJob(mesh, { jobId: 'all-in', rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000 }, initial);
  const opened = await openRound('all-in', 1);
  expect([...opened.participants].sort()).toEqual(trainers.map((t) => t.nodeId).sort());
  expect(Buffer.from(opened.baseModelHash).toString('hex')).toBe(base);

  const deltas = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const samples = [10, 10, 20, 40];
  for (const [i, t] of trainers.entries()) await send(t, 'all-in', 1, base, deltas[i] ?? [], samples[i]);

  const next = await openRound('all-in', 2);
  const committed = await until('round 1 committed', async () => {
    const status = await round(mesh.client, 'all-in', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  const result = committed?.result;
  const newHash = Buffer.from(result?.newModelHash ?? []).toString('hex');
  expect(Buffer.from(next.baseModelHash).toString('hex')).toBe(newHash);
  // fedavg by sample count: 1 + 10/80, 2 + 10/80, 3 + 20/80, 4 + 40/80
  expect(Array.from(parametersOf(await mesh.aggregator.blobs.read(newHash)))).toEqual([1.125, 2.125, 3.25, 4.5]);
  expect(result?.included.map((u) => u.decision)).toEqual(['selected', 'selected', 'selected', 'selected']);
  expect(result?.excluded).toEqual([]);

  // What the ledger received: a transaction its decodeTx accepted, signed by the aggregator, with every trainer's signature.
  const tx = mesh.validator.committed.find((t) => t.kind === 'roundResult' && t.body.jobId === 'all-in');
  expect(tx?.signerHex).toBe(toHex(mesh.aggregator.identity.publicKey));
  const body = mesh.validator.roundResults().find((r) => r.jobId === 'all-in');
  expect(body?.included).toHaveLength(4);
  for (const u of body?.included ?? []) {
    const statement = updateStatement({ chainId: mesh.chainId, jobId: 'all-in', round: 1, baseModelHash: new Uint8Array(body?.baseModelHash ?? []), updateHash: new Uint8Array(u.updateHash), encoding: 'float32', numSamples: u.numSamples });
    expect(verifyStatement(new Uint8Array(u.signature?.publicKey ?? []), 'update', statement, new Uint8Array(u.signature?.signature ?? []))).toBe(true);
  }

  await until('round events', () => eventsOf('all-in').filter((e) => e.subject === SUBJECT.roundOpened).length >= 2);
  await until('round 1 committed event', () => eventsOf('all-in').some((e) => e.subject === SUBJECT.roundCommitted));
  // Round 2 opens on round 1's model as soon as it is aggregated, before round 1 commits.
  const subjects = eventsOf('all-in')
    .map((e) => e.subject)
    .filter((s) => s !== SUBJECT.updateAccepted);
  expect(subjects.slice(0, 4)).toEqual([SUBJECT.roundOpened, SUBJECT.roundClosed, SUBJECT.roundOpened, SUBJECT.roundCommitted]);
  // Each update was announced as it was stored (validators fetch it while the round runs).
  const announced = eventsOf('all-in').flatMap((e) => (e.subject === SUBJECT.updateAccepted ? [e.payload] : []));
  expect(announced.map((a) => [a.round, a.nodeId, toHex(a.updateHash), a.size]).sort()).toEqual(
    (result?.included ?? []).map((u) => [1, u.nodeId, toHex(new Uint8Array(u.updateHash)), delta(deltas[0] ?? []).byteLength]).sort(),
  );
  const closed = eventsOf('all-in').find((e) => e.subject === SUBJECT.roundClosed);
  expect(closed?.payload).toMatchObject({ round: 1, closedBy: 'quorum', excluded: [] });
  const committedEvent = eventsOf('all-in').find((e) => e.subject === SUBJECT.roundCommitted);
  expect(committedEvent?.payload).toMatchObject({ round: 1, height: expect.any(Number) as number });
  expect(toHex((committedEvent?.payload as { newModelHash: Uint8Array }).newModelHash)).toBe(newHash);

  // ListRounds in pages: round 1 with its four senders, then round 2 (open, none yet).
  const first = await unary(mesh.client, 'listRounds', { jobId: 'all-in', limit: 1 });
  expect(first.rounds.map((r) => [r.round, r.state, [...r.received].sort()])).toEqual([[1, 'ROUND_STATE_COMMITTED', trainers.map((t) => t.nodeId).sort()]]);
  expect(Number(first.nextRound)).toBe(2);
  const second = await unary(mesh.client, 'listRounds', { jobId: 'all-in', fromRound: first.nextRound, limit: 1 });
  expect(second.rounds.map((r) => [r.round, r.received.length])).toEqual([[2, 0]]);
  expect(Number(second.nextRound)).toBe(0);
  const tooMany = (await unary(mesh.client, 'listRounds', { jobId: 'all-in', limit: 1001 }).catch((e: ServiceError) => e)) as ServiceError;
  expect([tooMany.code, errorDetailOf(tooMany)?.field, errorDetailOf(tooMany)?.reason]).toEqual([status.INVALID_ARGUMENT, 'limit', 'too_large']);
});

it('closes on quorum plus grace and drops the stragglers with a reason', async () => {
  const base = await createJob(mesh, { jobId: 'quorum', rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000, rounds: 1 }, new Float32Array(4));
  await openRound('quorum', 1);
  const [a, b, c, d] = trainers as [Trainer, Trainer, Trainer, Trainer];
  await send(a, 'quorum', 1, base, [2, 0, 0, 0]);
  await send(b, 'quorum', 1, base, [0, 2, 0, 0]);
  const done = await until('quorum round committed', async () => {
    const status = await round(mesh.client, 'quorum', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  expect(done.result?.included.map((u) => u.nodeId).sort()).toEqual([a.nodeId, b.nodeId].sort());
  expect(done.result?.excluded.map((e) => [e.nodeId, e.reason]).sort()).toEqual(
    [c.nodeId, d.nodeId].sort().map((id) => [id, 'late: the round closed on quorum before its update arrived']),
  );
  expect(Array.from(parametersOf(await mesh.aggregator.blobs.read(Buffer.from(done.result?.newModelHash ?? []).toString('hex'))))).toEqual([1, 1, 0, 0]);
});

it('extends a round short of its minimum once, then fails it with a reason and opens it again', async () => {
  const base = await createJob(mesh, { jobId: 'short', rule: { name: 'fedavg' }, minTrainers: 3, roundDeadlineMs: 300, rounds: 1 }, new Float32Array(4));
  await openRound('short', 1);
  const [a, b, c] = trainers as [Trainer, Trainer, Trainer];
  await send(a, 'short', 1, base, [3, 0, 0, 0]);
  const failed = await until('round.failed', () => eventsOf('short').find((e) => e.subject === SUBJECT.roundFailed));
  expect(failed.payload).toMatchObject({ round: 1, willRetry: true, reason: '1 of the 3 updates the job needs arrived by the deadline, even after one extension' });
  const reopened = await until('round 1 open again', async () => {
    const status = await round(mesh.client, 'short', 1);
    return status?.state === 'ROUND_STATE_OPEN' && eventsOf('short').filter((e) => e.subject === SUBJECT.roundOpened).length >= 2 ? status : undefined;
  });
  // The update accepted before the failure still counts in the retried round.
  expect(reopened.received).toEqual([a.nodeId]);
  await send(b, 'short', 1, base, [0, 3, 0, 0]);
  await send(c, 'short', 1, base, [0, 0, 3, 0]);
  const done = await until('retried round committed', async () => {
    const status = await round(mesh.client, 'short', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  expect(done.result?.included).toHaveLength(3);
});

it('aggregates with the job robust rule and records each decision', async () => {
  const initial = Float32Array.from([0, 0, 0]);
  const base = await createJob(mesh, { jobId: 'robust', rule: { name: 'median', byzantineBudget: 1 }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 1 }, initial);
  await openRound('robust', 1);
  const values = [
    [1, 1, 1],
    [1.2, 0.8, 1],
    [0.9, 1.1, 1.05],
    [-100, 100, -100],
  ];
  for (const [i, t] of trainers.entries()) await send(t, 'robust', 1, base, values[i] ?? []);
  const done = await until('robust round committed', async () => {
    const status = await round(mesh.client, 'robust', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  const updates = values.map((v) => {
    const bytes = delta(v);
    return { id: contentId(bytes), values: decodeUpdate(bytes, flatLayout(3), 'float32'), weight: 10 };
  });
  const expected = aggregate(parseRule({ name: 'median', f: 1 }), updates);
  const model = parametersOf(await mesh.aggregator.blobs.read(Buffer.from(done.result?.newModelHash ?? []).toString('hex')));
  expect(Array.from(model)).toEqual(Array.from(expected.aggregate));
  expect(Math.max(...Array.from(model).map(Math.abs))).toBeLessThan(2);
  expect(done.result?.included.map((u) => [Buffer.from(u.updateHash).toString('hex'), u.decision]).sort()).toEqual(
    expected.decisions.map((d) => [d.id, d.status]).sort(),
  );
});

it('fails a round the ledger refuses, and commits it on the retry', async () => {
  mesh.validator.mode = 'refuse';
  const base = await createJob(mesh, { jobId: 'refused', rule: { name: 'fedavg' }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 1 }, new Float32Array(2));
  await openRound('refused', 1);
  for (const [i, t] of trainers.entries()) await send(t, 'refused', 1, base, [i, 1]);
  const failed = await until('round.failed', () => eventsOf('refused').find((e) => e.subject === SUBJECT.roundFailed));
  expect((failed.payload as { reason: string }).reason).toBe('the ledger refused the round result: wrong-base-model: test refusal');
  mesh.validator.mode = 'commit';
  const done = await until('round committed on retry', async () => {
    const status = await round(mesh.client, 'refused', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  expect(done.result?.included).toHaveLength(4);
  const listed = await unary(mesh.client, 'listRounds', { jobId: 'refused' });
  expect(listed.rounds.map((r) => [r.round, r.received.length])).toEqual([[1, 4]]);
  expect(Number(listed.nextRound)).toBe(0);
});

it('runs the next round on a result before it commits, submits it only after, and abandons it when that result is refused', async () => {
  const release = mesh.validator.hold();
  const base = await createJob(mesh, { jobId: 'ahead', rule: { name: 'fedavg' }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 2 }, new Float32Array(2));
  await openRound('ahead', 1);
  for (const [i, t] of trainers.entries()) await send(t, 'ahead', 1, base, [i, 1]);
  const ahead = await openRound('ahead', 2);
  const model = toHex(new Uint8Array(ahead.baseModelHash));
  for (const [i, t] of trainers.entries()) await send(t, 'ahead', 2, model, [10 + i, 2]);
  // Round 1's result is still held by the chain: round 2 runs on it, and nothing of round 2 was submitted.
  expect((await round(mesh.client, 'ahead', 1))?.state).toBe('ROUND_STATE_CLOSED');
  expect((await round(mesh.client, 'ahead', 2))?.received).toHaveLength(4);
  const submitted = () => mesh.validator.received.flatMap((tx) => (tx.kind === 'roundResult' && tx.body.jobId === 'ahead' ? [tx.body.round] : []));
  expect(submitted()).toEqual([1]);

  mesh.validator.mode = 'refuse';
  release();
  const abandoned = await until('round 2 abandoned', () => eventsOf('ahead').find((e) => e.subject === SUBJECT.roundFailed && e.payload.round === 2));
  expect(abandoned.payload).toMatchObject({ willRetry: true, reason: 'abandoned: it ran on a result of round 1 that the chain did not commit' });
  mesh.validator.mode = 'commit';
  // Round 1 runs again (its updates stand), and round 2 opens again; the updates trained on the refused result are gone.
  await until('round 2 opened again', () => eventsOf('ahead').filter((e) => e.subject === SUBJECT.roundOpened && e.payload.round === 2).length === 2);
  const again = await openRound('ahead', 2);
  expect(again.received).toEqual([]);
  for (const [i, t] of trainers.entries()) await send(t, 'ahead', 2, toHex(new Uint8Array(again.baseModelHash)), [10 + i, 2]);
  const done = await until('round 2 committed', async () => {
    const status = await round(mesh.client, 'ahead', 2);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  expect(done.result?.included).toHaveLength(4);
  // Submitted: round 1 (refused), round 1 again, then round 2 only once round 1 was committed.
  expect(submitted()).toEqual([1, 1, 2]);
  const [first, second] = mesh.validator.roundResults().filter((r) => r.jobId === 'ahead');
  expect([first?.round, second?.round]).toEqual([1, 2]);
  expect(Buffer.from(second?.baseModelHash ?? []).equals(Buffer.from(first?.newModelHash ?? []))).toBe(true);
  expect(Number(first?.metrics?.baseCommittedAtMs)).toBe(0);
  // Round 2 opened before round 1 was committed, and says when that was.
  expect(Number(second?.metrics?.baseCommittedAtMs)).toBeGreaterThanOrEqual(Number(second?.metrics?.openedAtMs));
});

it("deletes a round's update bytes and model once the next round commits (keeping 1 round), keeps its record, the initial and last models, and GetBlob says why they are gone", async () => {
  const base = await createJob(mesh, { jobId: 'kept', rule: { name: 'fedavg' }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 2 }, new Float32Array(2));
  await openRound('kept', 1);
  for (const [i, t] of trainers.entries()) await send(t, 'kept', 1, base, [i, 3]);
  const second = await openRound('kept', 2);
  for (const [i, t] of trainers.entries()) await send(t, 'kept', 2, toHex(new Uint8Array(second.baseModelHash)), [i, 4]);
  const committed = (r: number) =>
    until(`round ${r} committed`, async () => {
      const status = await round(mesh.client, 'kept', r);
      return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
    });
  const [first, last] = [await committed(1), await committed(2)];
  /** The bytes of a blob, or the gRPC error that refused them. */
  const getBlob = async (hash: Uint8Array): Promise<Buffer | ServiceError> => {
    const parts: Buffer[] = [];
    try {
      for await (const message of serverStream(mesh.client, 'getBlob', { hash: Buffer.from(hash), chunkSize: 0 })) parts.push(message.data);
    } catch (error) {
      return error as ServiceError;
    }
    return Buffer.concat(parts);
  };
  const gone = first.result?.included.map((u) => u.updateHash) ?? [];
  expect(gone).toHaveLength(4);
  const refusals = await until('round 1 updates deleted', async () => {
    const answers = await Promise.all(gone.map(getBlob));
    return answers.every((a) => !Buffer.isBuffer(a)) ? (answers as ServiceError[]) : undefined;
  });
  for (const refusal of refusals) {
    expect(refusal.code).toBe(status.NOT_FOUND);
    expect(refusal.details).toMatch(/update of .* to job kept, round 1\) was deleted/);
  }
  // The round's record still names them, and the last round's bytes stay.
  expect((await round(mesh.client, 'kept', 1))?.result?.included).toHaveLength(4);
  for (const u of last.result?.included ?? []) expect(contentId((await getBlob(u.updateHash)) as Buffer)).toBe(toHex(u.updateHash));
  // Round 1's model goes (round 2, based on it, committed); the initial and the last model stay.
  const model = await until('round 1 model deleted', async () => {
    const answer = await getBlob(first.result?.newModelHash ?? new Uint8Array());
    return Buffer.isBuffer(answer) ? undefined : answer;
  });
  expect(model.code).toBe(status.NOT_FOUND);
  expect(model.details).toMatch(/the model of job kept, round 1\) was deleted/);
  for (const kept of [fromHex(base) ?? new Uint8Array(), last.result?.newModelHash ?? new Uint8Array()]) expect(Buffer.isBuffer(await getBlob(kept))).toBe(true);
});

it('learns from the ledger that a round committed when the answer to its submission was lost, and never submits it twice', async () => {
  mesh.validator.mode = 'lose-answer';
  const base = await createJob(mesh, { jobId: 'lost', rule: { name: 'fedavg' }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 1 }, new Float32Array(2));
  await openRound('lost', 1);
  for (const [i, t] of trainers.entries()) await send(t, 'lost', 1, base, [i, 2]);
  const done = await until('round committed', async () => {
    const status = await round(mesh.client, 'lost', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  mesh.validator.mode = 'commit';
  const submitted = mesh.validator.roundResults().filter((r) => r.jobId === 'lost');
  expect(submitted).toHaveLength(1);
  expect(Buffer.from(submitted[0]?.newModelHash ?? []).equals(Buffer.from(done.result?.newModelHash ?? []))).toBe(true);
  expect(eventsOf('lost').filter((e) => e.subject === SUBJECT.roundFailed)).toEqual([]);
});

it('decodes int8 updates with one scale per tensor of the job manifest, and float16 updates', async () => {
  const manifest = { tensors: [{ name: 'w', shape: [2, 2], offset: 0 }, { name: 'b', shape: [2], offset: 4 }], totalElements: 6 };
  const layout: ParameterLayout = { size: 6, entries: [{ offset: 0, size: 4 }, { offset: 4, size: 2 }] };
  for (const encoding of ['int8', 'float16'] as const) {
    const jobId = `quantized-${encoding}`;
    const base = await createJob(
      mesh,
      { jobId, rule: { name: 'fedavg' }, minTrainers: 4, roundDeadlineMs: 600_000, rounds: 1, updateEncoding: encoding === 'int8' ? 'DTYPE_INT8' : 'DTYPE_FLOAT16', manifest },
      new Float32Array(6),
    );
    await openRound(jobId, 1);
    const sent: Float32Array[] = [];
    for (const [i, t] of trainers.entries()) {
      // Tensors of very different scales: one shared int8 scale would flatten the bias to zero.
      const values = Float32Array.from([100 * (i + 1), -50, 25, 10, 0.01 * (i + 1), -0.02]);
      const bytes = encodeUpdate(values, layout, encoding);
      sent.push(decodeUpdate(bytes, layout, encoding));
      await submit(mesh.client, chunks(t.header({ chainId: mesh.chainId, jobId, round: 1, baseModelHash: base, bytes, encoding }), bytes));
    }
    const done = await until(`${jobId} committed`, async () => {
      const status = await round(mesh.client, jobId, 1);
      return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
    });
    const model = parametersOf(await mesh.aggregator.blobs.read(Buffer.from(done.result?.newModelHash ?? []).toString('hex')));
    const mean = Array.from({ length: 6 }, (_, k) => sent.reduce((sum, v) => sum + (v[k] ?? 0), 0) / sent.length);
    model.forEach((v, k) => expect(v).toBeCloseTo(mean[k] ?? NaN, 4));
    expect(Math.abs(model[4] ?? 0)).toBeGreaterThan(0.01);
  }
});

it('excludes a malformed (NaN) update with a reason and aggregates the rest', async () => {
  const base = await createJob(mesh, { jobId: 'nan', rule: { name: 'fedavg' }, minTrainers: 3, roundDeadlineMs: 600_000, rounds: 1 }, new Float32Array(2));
  await openRound('nan', 1);
  const [a, b, c, d] = trainers as [Trainer, Trainer, Trainer, Trainer];
  await send(a, 'nan', 1, base, [1, 1]);
  await send(b, 'nan', 1, base, [2, 2]);
  await send(c, 'nan', 1, base, [3, 3]);
  await send(d, 'nan', 1, base, [Number.NaN, 0]);
  const done = await until('nan round committed', async () => {
    const status = await round(mesh.client, 'nan', 1);
    return status?.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
  });
  expect(done.result?.included.map((u) => u.nodeId).sort()).toEqual([a.nodeId, b.nodeId, c.nodeId].sort());
  expect(done.result?.excluded).toHaveLength(1);
  expect(done.result?.excluded[0]?.nodeId).toBe(d.nodeId);
  expect(done.result?.excluded[0]?.reason).toMatch(/^rejected: /);
  expect(Array.from(parametersOf(await mesh.aggregator.blobs.read(Buffer.from(done.result?.newModelHash ?? []).toString('hex'))))).toEqual([2, 2]);
});
