/**
 * How the aggregator learns jobs (job-feed.ts), over the Validator contract on
 * a real socket: at start, and again now and then, it takes the ledger's jobs
 * page by page, so a job whose job.created it never sees is learnt too; a job it has no record of is
 * run only when the ledger has committed none of its rounds, by either path.
 */
import { createHash } from 'node:crypto';

import { LocalEventBus, SUBJECT } from '@learnchain/bus';
import { createLogger, fromHex } from '@learnchain/core';
import { openStorage, type Storage } from '@learnchain/storage';

import { ValidatorAdapter } from '../adapters/validator';
import { followJobs, type JobFeedOptions } from '../job-feed';
import { RoundStore } from '../store/rounds';
import type { AggregatorDb } from '../store/schema';
import { until } from './support/mesh';
import { ValidatorStub, type StubJob } from './support/validator-stub';

const CHAIN = 'feed-chain';
const logger = createLogger({ service: 'job-feed-test', level: 'silent' });
const hex = (label: string): string => createHash('sha256').update(label).digest('hex');

function job(jobId: string, rounds = 0): StubJob {
  return { jobId, initialParametersHash: hex(jobId), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 60_000, rounds };
}

let storage: Storage<AggregatorDb>;
let rounds: RoundStore;
let validator: ValidatorStub;
let adapter: ValidatorAdapter;
let bus: LocalEventBus;
const abort = new AbortController();
let feed: Promise<void>;

beforeAll(async () => {
  storage = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'job_feed' });
  rounds = await RoundStore.create(storage);
  validator = await ValidatorStub.start(CHAIN);
  adapter = new ValidatorAdapter({ addresses: [validator.address] });
  bus = await LocalEventBus.create({ subjectsPrefix: CHAIN });
});

afterAll(async () => {
  abort.abort();
  await feed;
  adapter?.close();
  await bus?.close();
  await validator?.stop();
  await storage?.close();
});

it("learns the ledger's jobs at start, page after page, leaving those whose rounds it has no record of", async () => {
  // 250 jobs: three pages of 100. Every tenth has rounds committed by another aggregator, every tenth after it is finished.
  const fresh: string[] = [];
  for (let i = 0; i < 250; i += 1) {
    const id = `job-${String(i).padStart(3, '0')}`;
    validator.jobs.set(id, job(id, i % 10 === 1 ? 3 : 10));
    if (i % 10 === 0) validator.recordRound(id, 1, hex(`${id}/1`));
    else if (i % 10 === 1) for (let r = 1; r <= 3; r += 1) validator.recordRound(id, r, hex(`${id}/${r}`));
    else fresh.push(id);
  }
  // A job saved before (this aggregator ran its first round) stays, committed rounds and all.
  await rounds.saveJob({ ...(await adapter.job('job-000'))!.spec });
  let learnt = 0;
  const options: JobFeedOptions = { bus, consumer: 'feed', chainId: CHAIN, jobs: adapter, rounds, logger, retryDelayMs: 50, catchUpEveryMs: 600_000, signal: abort.signal, onLearnt: () => (learnt += 1) };
  feed = followJobs(options);
  await until('every fresh job learnt', () => (learnt >= fresh.length ? true : undefined));
  expect((await rounds.jobIds()).sort()).toEqual(['job-000', ...fresh].sort());

  // By event: a job the ledger has run rounds of stays unlearnt; a new one is learnt (events go in order).
  validator.jobs.set('late-run', job('late-run', 5));
  validator.recordRound('late-run', 1, hex('late-run/1'));
  validator.jobs.set('late-new', job('late-new', 5));
  for (const jobId of ['late-run', 'late-new']) {
    await bus.publish(SUBJECT.jobCreated, { chainId: CHAIN, jobId, initialModelHash: fromHex(hex(jobId)) as Uint8Array, height: 1, rule: 'fedavg', minTrainers: 1, roundDeadlineMs: 60_000 });
  }
  await until('the new job learnt by its event', async () => ((await rounds.job('late-new')) ? true : undefined));
  expect(await rounds.job('late-run')).toBeUndefined();
});

it('reads the list again now and then, and learns a job whose event never came', async () => {
  const storage2 = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'job_feed_again' });
  const rounds2 = await RoundStore.create(storage2);
  const stop = new AbortController();
  let learnt = 0;
  const running = followJobs({ bus, consumer: 'feed-again', chainId: CHAIN, jobs: adapter, rounds: rounds2, logger, retryDelayMs: 50, catchUpEveryMs: 200, signal: stop.signal, onLearnt: () => (learnt += 1) });
  try {
    // The first read takes every job the stub holds that no other database ran, its last page included.
    const runnable = [...validator.jobs.keys()].filter((id) => validator.jobRecord(id)?.round === 0).length;
    await until('the first read of the list', () => (learnt >= runnable ? true : undefined));
    validator.jobs.set('no-event', job('no-event', 5));
    await until('the job without an event learnt from a later read', async () => ((await rounds2.job('no-event')) ? true : undefined));
  } finally {
    stop.abort();
    await running;
    await storage2.close();
  }
});
