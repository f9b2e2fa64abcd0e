/**
 * The retention of updates' and models' bytes in the aggregator's store: what
 * every database and bytes store behind it must do. Run against PostgreSQL
 * (test/integration) and PGlite (services/aggregator).
 */
import { contentId } from '@learnchain/core';
import { migrateToLatest, type Storage } from '@learnchain/storage';

import { BlobNotFoundError } from '../../services/aggregator/src/errors';
import type { BlobBytes } from '../../services/aggregator/src/store/blob-bytes';
import { BlobStore } from '../../services/aggregator/src/store/blobs';
import { BlobRetention } from '../../services/aggregator/src/store/retention';
import { RoundStore } from '../../services/aggregator/src/store/rounds';
import { migrations, type AggregatorDb, type Db, type RoundStateName } from '../../services/aggregator/src/store/schema';

const CHUNK = 1024;
const bytesOf = (seed: number): Uint8Array => Uint8Array.from({ length: CHUNK + 10 }, (_, i) => (i * 13 + seed) & 0xff);

export function retentionContract(name: string, open: () => Promise<Storage<AggregatorDb>>, bytesStore: () => BlobBytes): void {
  describe(`retention of updates' bytes (${name})`, () => {
    let storage: Storage<AggregatorDb>;
    let blobs: BlobStore;
    let errors: unknown[];
    /** When the blob store stores (the aggregator's clock). */
    let storedAt: number;
    const DAY = 86_400_000;
    const HOUR = 3_600_000;
    const retention = (keepRounds: number, now = 1_000, models?: { keepRounds: number; checkpointRounds: number }) =>
      new BlobRetention({ db: storage.db, blobs, keepRounds, keepFinishedMs: DAY, ...(models ? { models: { ...models, unnamedForMs: HOUR } } : {}), clock: () => now, onError: (e) => errors.push(e) });

    beforeEach(async () => {
      storage = await open();
      await migrateToLatest(storage, migrations);
      storedAt = 1_000;
      blobs = new BlobStore(storage.db, CHUNK, () => storedAt, 1024 * 1024, bytesStore());
      errors = [];
    });
    afterEach(async () => {
      await storage.close();
    });

    /** A round in `state`; committed, at `committedAt` (the aggregator's clock); on model `base`, its result model `model`. */
    async function setRound(job: string, round: number, state: RoundStateName, committedAt: number | null = 1_000, models: { base?: string; model?: string } = {}): Promise<void> {
      const committed_at_ms = state === 'committed' ? committedAt : null;
      const new_model_hash = models.model ?? null;
      const row = { job_id: job, round, attempt: 1, state, base_model_hash: models.base ?? 'b', epoch: 1, participants: '[]', opened_at_ms: 1, deadline_ms: 2, extended: false, failure: '', committed_at_ms, new_model_hash };
      await storage.db.insertInto('rounds').values(row).onConflict((c) => c.columns(['job_id', 'round']).doUpdateSet({ state, committed_at_ms })).execute();
    }

    /** A job whose last round is `lastRound` (0: none), starting from `initialModelHash`. */
    async function setJob(job: string, lastRound: number, initialModelHash = ''): Promise<void> {
      await storage.db.insertInto('jobs').values({ job_id: job, spec: JSON.stringify({ jobId: job, initialModelHash }), created_at_ms: 1, last_round: lastRound }).execute();
    }

    /** An accepted update of `node`: its bytes and its row, in one transaction (as intake stores them). */
    async function addUpdate(trx: Db, job: string, round: number, node: string, bytes: Uint8Array): Promise<string> {
      const hash = contentId(bytes);
      await blobs.putIn(trx, hash, bytes, 'update');
      const row = { job_id: job, round, node_id: node, update_hash: hash, size: bytes.byteLength, encoding: 'float32', num_samples: 1, public_key: Buffer.alloc(32), signature: Buffer.alloc(64), stats: '{}', received_at_ms: 1 };
      await trx.insertInto('updates').values(row).execute();
      return hash;
    }
    const update = (job: string, round: number, node: string, bytes: Uint8Array) => storage.db.transaction().execute((trx) => addUpdate(trx, job, round, node, bytes));

    async function held(hash: string): Promise<boolean> {
      const listed = (await blobs.stat(hash)) !== undefined;
      const readable = await blobs.read(hash).then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof BlobNotFoundError)) throw error;
          return false;
        },
      );
      expect(readable).toBe(listed);
      return listed;
    }

    it('deletes the bytes of updates once `keepRounds` later rounds of their job have committed, and nothing else', async () => {
      const hashes: string[][] = [];
      for (const round of [1, 2, 3]) {
        await setRound('a', round, round < 3 ? 'committed' : 'closed');
        hashes.push([await update('a', round, 'n1', bytesOf(round * 10 + 1)), await update('a', round, 'n2', bytesOf(round * 10 + 2))]);
      }
      const model = await blobs.put(bytesOf(99), 'parameters');
      expect(await retention(2).prune()).toEqual([]);

      await setRound('a', 3, 'committed');
      expect((await retention(2).prune()).sort()).toEqual([...(hashes[0] ?? [])].sort());
      expect(await Promise.all(hashes.flat().map(held))).toEqual([false, false, true, true, true, true]);
      expect(await held(model)).toBe(true);
      // The rows stay: who sent what, for the round's record.
      expect(await storage.db.selectFrom('updates').select('update_hash').where('round', '=', 1).execute()).toHaveLength(2);
      expect(await retention(2).prune()).toEqual([]);
    });

    it('keeps bytes that another job still keeps, and deletes those no update names (a failed attempt)', async () => {
      const shared = bytesOf(7);
      await setRound('a', 1, 'committed');
      await setRound('a', 2, 'committed');
      await setRound('b', 1, 'open');
      const hash = await update('a', 1, 'n1', shared);
      expect(await update('b', 1, 'n9', shared)).toBe(hash);
      const orphan = await blobs.put(bytesOf(8), 'update');

      expect(await retention(1).prune()).toEqual([orphan]);
      expect(await held(hash)).toBe(true);
      await setRound('b', 1, 'committed');
      await setRound('b', 2, 'committed');
      expect(await retention(1).prune()).toEqual([hash]);
      expect(await held(hash)).toBe(false);
    });

    it("deletes a finished job's last updates once keepFinishedMs has passed since its last round committed, not an unfinished job's", async () => {
      await setJob('done', 2);
      await setJob('endless', 0);
      await setJob('running', 3);
      const hashes: string[] = [];
      for (const job of ['done', 'endless', 'running'])
        for (const round of [1, 2]) {
          await setRound(job, round, 'committed', round === 2 ? 5_000 : 1_000);
          hashes.push(await update(job, round, 'n1', bytesOf(hashes.length + 20)));
        }
      // Within four rounds of the last committed: all kept by the window.
      expect(await retention(4, 5_000 + DAY - 1).prune()).toEqual([]);
      expect((await retention(4, 5_000 + DAY).prune()).sort()).toEqual(hashes.slice(0, 2).sort());
      expect(await Promise.all(hashes.map(held))).toEqual([false, false, true, true, true, true]);
      await setRound('running', 3, 'committed', 6_000);
      expect(await retention(4, 6_000 + DAY).prune()).toHaveLength(2);
    });

    it('takes a finished job whose last round committed before commit times were kept as finished long ago', async () => {
      await setJob('old', 1);
      await setRound('old', 1, 'committed', null);
      const hash = await update('old', 1, 'n1', bytesOf(40));
      expect(await retention(4, DAY).prune()).toEqual([hash]);
    });

    it('keeps everything with keepRounds 0', async () => {
      await setRound('a', 1, 'committed');
      await setRound('a', 2, 'committed');
      const hash = await update('a', 1, 'n1', bytesOf(3));
      const keepAll = retention(0);
      keepAll.afterCommit();
      await keepAll.idle();
      expect(await keepAll.prune()).toEqual([]);
      expect(await held(hash)).toBe(true);
    });

    /** Job a's round 1 update of `bytes`, expired under keepRounds 1; job b's round 1 open. */
    async function expiredUpdate(bytes: Uint8Array): Promise<string> {
      await setRound('a', 1, 'committed');
      await setRound('a', 2, 'committed');
      await setRound('b', 1, 'open');
      return update('a', 1, 'n1', bytes);
    }

    it('an upload of the same bytes while a pass runs keeps them, whichever goes first', async () => {
      const bytes = bytesOf(5);
      const hash = await expiredUpdate(bytes);
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let stored = (): void => undefined;
      const storedNow = new Promise<void>((resolve) => (stored = resolve));
      // The upload finds the blob (and locks it) before the pass starts, and commits its row after.
      const upload = storage.db.transaction().execute(async (trx) => {
        await addUpdate(trx, 'b', 1, 'n9', bytes);
        stored();
        await gate;
      });
      await storedNow;
      const pass = retention(1);
      pass.afterCommit();
      await new Promise((r) => setTimeout(r, 50));
      release();
      await upload;
      await pass.idle();
      expect(errors).toEqual([]);
      expect(await held(hash)).toBe(true);
    });

    it('after a pass deleted the bytes, an upload of the same bytes stores them again', async () => {
      const bytes = bytesOf(6);
      const hash = await expiredUpdate(bytes);
      expect(await retention(1).prune()).toEqual([hash]);
      expect(await update('b', 1, 'n9', bytes)).toBe(hash);
      expect(Array.from(await blobs.read(hash))).toEqual(Array.from(bytes));
    });
  
    describe('models', () => {
      const model = (seed: number): Promise<string> => blobs.put(bytesOf(seed), 'parameters');

      /** Job `job` from `initial`: rounds 1..`committed` committed, then `open` (if any) running on the last model; returns the models by round (0: initial). */
      async function lineage(job: string, initial: string, committed: number, seed: number, open = false): Promise<string[]> {
        await setJob(job, 0, initial);
        const models = [initial];
        for (let round = 1; round <= committed; round++) {
          models.push(await model(seed + round));
          await setRound(job, round, 'committed', 1_000, { base: models[round - 1] as string, model: models[round] as string });
        }
        if (open) await setRound(job, committed + 1, 'open', null, { base: models[committed] as string });
        return models;
      }

      it("deletes a committed round's model once keepRounds later rounds committed, but checkpoints, the initial model, the last ones and models stored unnamed less than unnamedForMs ago", async () => {
        const initial = await model(100);
        const models = await lineage('m', initial, 12, 100, true);
        const unnamed = await model(99);
        const deleted = [1, 2, 3, 4, 6, 7, 8, 9].map((r) => models[r] as string);
        expect((await retention(0, 1_000, { keepRounds: 3, checkpointRounds: 5 }).prune()).sort()).toEqual([...deleted].sort());
        expect(await Promise.all(models.map(held))).toEqual(models.map((m) => !deleted.includes(m)));
        expect(await held(unnamed)).toBe(true);
        expect(await retention(0, 1_000, { keepRounds: 3, checkpointRounds: 5 }).prune()).toEqual([]);
      });

      it('keeps a model another job still keeps: as its initial model, its result or the base it runs on', async () => {
        const models = await lineage('m', await model(200), 4, 200);
        // Job n starts from m's round 3 model, ran to the same bytes as m's round 1 (its result not committed) and runs on m's round 2's.
        await setJob('n', 0, models[3]);
        await setRound('n', 1, 'closed', null, { base: 'x', model: models[1] as string });
        await setRound('n', 2, 'open', null, { base: models[2] as string });
        expect(await retention(0, 1_000, { keepRounds: 1, checkpointRounds: 0 }).prune()).toEqual([]);
        await setRound('n', 1, 'committed', 1_000);
        await setRound('n', 2, 'committed', 1_000);
        await setRound('n', 3, 'committed', 1_000);
        expect((await retention(0, 1_000, { keepRounds: 1, checkpointRounds: 0 }).prune()).sort()).toEqual([models[1], models[2]].sort());
        expect(await held(models[3] as string)).toBe(true);
      });

      it('deletes a model no round and no job names once it has been stored unnamedForMs, and keeps a job\'s initial model however old', async () => {
        const policy = { keepRounds: 1, checkpointRounds: 0 };
        // Stored at 1_000: a failed attempt's result (its round opened again names none), initial parameters of a job not saved here, and a saved job's initial model.
        const [failed, early, initial] = [await model(500), await model(501), await model(502)];
        await setJob('j', 0, initial);
        await setRound('j', 1, 'open', null, { base: 'other' });
        expect(await retention(0, 1_000 + HOUR - 1, policy).prune()).toEqual([]);
        expect((await retention(0, 1_000 + HOUR, policy).prune()).sort()).toEqual([failed, early].sort());
        expect(await held(initial)).toBe(true);
        // Named as a running round's base, or as its result, a model is not unnamed.
        const [base, result] = [await model(503), await model(504)];
        await setRound('k', 1, 'closed', null, { base, model: result });
        expect(await retention(0, 1_000 + 2 * HOUR, policy).prune()).toEqual([]);
      });

      it('keeps a model nothing names unnamedForMs from its last upload, not its first', async () => {
        const policy = { keepRounds: 1, checkpointRounds: 0 };
        const early = await model(700);
        storedAt = 1_000 + HOUR;
        // Uploaded again, as a client does that finds its job waiting for parameters it stored long ago.
        expect(await blobs.put(bytesOf(700), 'parameters')).toBe(early);
        expect(await retention(0, 1_000 + HOUR, policy).prune()).toEqual([]);
        expect(await retention(0, 1_000 + 2 * HOUR - 1, policy).prune()).toEqual([]);
        storedAt = 1_000;
        // An upload by a clock that is behind never shortens a blob's stay.
        expect(await blobs.put(bytesOf(700), 'parameters')).toBe(early);
        expect(await retention(0, 1_000 + 2 * HOUR, policy).prune()).toEqual([early]);
        expect(await held(early)).toBe(false);
      });

      it('stores a result and its model in one transaction: bytes equal to a model deleted meanwhile are stored again, and a round no longer closed stores neither', async () => {
        const models = await lineage('m', await model(600), 3, 600);
        // Round 1's model goes; then job n's round 1 comes to exactly those bytes.
        expect((await retention(0, 1_000, { keepRounds: 1, checkpointRounds: 0 }).prune()).sort()).toEqual([models[1], models[2]].sort());
        await setJob('n', 0, models[3]);
        await setRound('n', 1, 'closed', null, { base: models[3] as string });
        const rounds = await RoundStore.create(storage, () => 1_000);
        const result = { newModelHash: models[1] as string, included: [], excluded: [], aggregationMicros: 1, updateBytes: 0 };
        expect(await rounds.saveResult('n', 1, 1, result, { bytes: bytesOf(601), blobs })).toBe(true);
        expect(await held(models[1] as string)).toBe(true);
        expect(await retention(0, 1_000, { keepRounds: 1, checkpointRounds: 0 }).prune()).toEqual([]);
        // Attempt 2 of a round at attempt 1: nothing stored.
        expect(await rounds.saveResult('n', 1, 2, { ...result, newModelHash: contentId(bytesOf(602)) }, { bytes: bytesOf(602), blobs })).toBe(false);
        expect(await blobs.stat(contentId(bytesOf(602)))).toBeUndefined();
      });

      it('keeps every model with keepRounds 0, and without a model policy', async () => {
        const models = await lineage('m', await model(400), 6, 400);
        expect(await retention(1, 1_000).prune()).toEqual([]);
        expect(await retention(0, 1_000, { keepRounds: 0, checkpointRounds: 0 }).prune()).toEqual([]);
        expect(await Promise.all(models.map(held))).toEqual(models.map(() => true));
      });
    });
  });
}
