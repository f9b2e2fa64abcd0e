import { sha256, toHex } from '@learnchain/core';
import type { BlobSource, JobRecord } from '@learnchain/ledger';
import { buildModel, builtModel, encodeDataset, evaluate, loadMnist, subset } from '@learnchain/model';

import { EvaluationThreadError } from '../errors';
import { DATASETS_KEPT, EvaluationThread } from '../evaluation-thread';
import { BlobModelEvaluator, inlineEvaluation } from '../round-check';

const { test } = loadMnist();
const validation = subset(test, Array.from({ length: 300 }, (_, i) => i));
const other = subset(test, Array.from({ length: 200 }, (_, i) => 1000 + i));
const model = buildModel('mlp', { seed: 3 });

describe('EvaluationThread', () => {
  let thread: EvaluationThread;
  beforeEach(() => {
    thread = new EvaluationThread({ threads: 1 });
  });
  afterEach(() => thread.close());

  it('evaluates on its own thread to exactly what evaluate computes on the calling one, for each validation set it was sent', async () => {
    const here = await evaluate(builtModel('mlp'), model.initialParams, validation, { threads: 1 });
    const elsewhere = await evaluate(builtModel('mlp'), model.initialParams, other, { threads: 1 });
    expect(await thread.evaluate('mlp', model.initialParams, 'a', validation)).toEqual(here);
    expect(await thread.evaluate('mlp', model.initialParams, 'b', other)).toEqual(elsewhere);
    // Sent once: later requests name the set by its key.
    expect(await thread.evaluate('mlp', model.initialParams, 'a', validation)).toEqual(here);
    expect(here.loss).not.toEqual(elsewhere.loss);
  });

  it(`keeps the ${DATASETS_KEPT} validation sets used last: one used before them is sent again`, async () => {
    const onValidation = await evaluate(builtModel('mlp'), model.initialParams, validation, { threads: 1 });
    const onOther = await evaluate(builtModel('mlp'), model.initialParams, other, { threads: 1 });
    for (let i = 0; i <= DATASETS_KEPT; i++) await thread.evaluate('mlp', model.initialParams, `k${i}`, validation);
    // k0 was dropped: the set given with it now is sent, and used.
    expect(await thread.evaluate('mlp', model.initialParams, 'k0', other)).toEqual(onOther);
    // The last one is kept: named, not sent, so the set it was first sent with is used.
    expect(await thread.evaluate('mlp', model.initialParams, `k${DATASETS_KEPT}`, other)).toEqual(onValidation);
  });

  it("answers a failed evaluation with the thread's error, and evaluates again after it", async () => {
    await expect(thread.evaluate('mlp', new Float32Array(3), 'a', validation)).rejects.toMatchObject({ name: 'ParameterSizeError' });
    await expect(thread.evaluate('no-such-model', model.initialParams, 'a', validation)).rejects.toMatchObject({ name: 'UnknownModelError' });
    expect((await thread.evaluate('mlp', model.initialParams, 'a', validation)).accuracy).toBeGreaterThanOrEqual(0);
  });

  it('fails what is in flight when it closes, and a fresh thread is sent the validation set again', async () => {
    const failed = expect(thread.evaluate('mlp', model.initialParams, 'a', validation)).rejects.toBeInstanceOf(EvaluationThreadError);
    await thread.close();
    await failed;
    const here = await evaluate(builtModel('mlp'), model.initialParams, validation, { threads: 1 });
    expect(await thread.evaluate('mlp', model.initialParams, 'a', validation)).toEqual(here);
  });
});

describe('BlobModelEvaluator', () => {
  const bytes = encodeDataset(validation);
  const hash = sha256(bytes);
  const job = { jobId: 'j', spec: { model: 'mlp' } } as unknown as JobRecord;

  it('fetches a validation set once and checks the loss on the evaluation thread', async () => {
    let fetches = 0;
    const blobs: BlobSource = {
      fetch: async (h) => {
        fetches += 1;
        if (toHex(h) !== toHex(hash)) throw new Error('unknown blob');
        return bytes;
      },
    };
    const thread = new EvaluationThread({ threads: 1 });
    try {
      const evaluator = new BlobModelEvaluator(blobs, thread);
      const expected = (await evaluate(builtModel('mlp'), model.initialParams, validation, { threads: 1 })).loss;
      expect(await evaluator.evaluate(job, model.initialParams, hash)).toEqual({ loss: expected });
      expect(await evaluator.evaluate(job, model.initialParams, hash)).toEqual({ loss: expected });
      expect(fetches).toBe(1);
    } finally {
      await thread.close();
    }
  });

  it(`keeps the ${DATASETS_KEPT} validation sets used last, and fetches an older one again`, async () => {
    const fetched: string[] = [];
    const evaluator = new BlobModelEvaluator(
      {
        fetch: async (h) => {
          fetched.push(toHex(h));
          return bytes;
        },
      },
      inlineEvaluation({ threads: 1 }),
    );
    const sets = Array.from({ length: DATASETS_KEPT + 1 }, (_, i) => sha256(Buffer.from(`set ${i}`)));
    for (const set of sets) await evaluator.evaluate(job, model.initialParams, set);
    await evaluator.evaluate(job, model.initialParams, sets[DATASETS_KEPT] as Uint8Array);
    await evaluator.evaluate(job, model.initialParams, sets[0] as Uint8Array);
    expect(fetched).toEqual([...sets, sets[0]].map((s) => toHex(s as Uint8Array)));
  });

  it('stops waiting when the round check is aborted', async () => {
    const thread = new EvaluationThread({ threads: 1 });
    try {
      const evaluator = new BlobModelEvaluator({ fetch: async () => bytes }, thread);
      const abort = new AbortController();
      const checking = evaluator.evaluate(job, model.initialParams, hash, abort.signal);
      abort.abort(new Error('height decided'));
      await expect(checking).rejects.toThrow('height decided');
    } finally {
      await thread.close();
    }
  });
});
