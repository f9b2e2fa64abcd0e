/**
 * A restarted aggregator (in-process, on a PGlite directory): it keeps every
 * acknowledged update of the open round and publishes the round.opened its
 * outbox kept, so an event not sent before a crash still reaches the trainers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalBroker, LocalEventBus, SUBJECT, type Delivery, type EventBus } from '@learnchain/bus';
import { createClient, createLogger, fromHex, Identity, loadConfig, unary } from '@learnchain/core';
import { parameterBytes } from '@learnchain/model/encoding';
import { contracts } from '@learnchain/proto';

import { aggregatorConfig } from '../config';
import { startAggregator } from '../main';
import type { MembershipSource } from '../ports';
import { chunks, delta, signedHeader, stubJob, submit, until, type AggregatorClient } from './support/mesh';
import { ValidatorStub } from './support/validator-stub';

jest.setTimeout(60_000);

const CHAIN = 'restart-chain';
const logger = createLogger({ service: 'aggregator-restart-test', level: 'silent' });
const trainers = [Identity.generate(), Identity.generate()];
const membership: MembershipSource = { activeTrainers: async () => ({ epoch: 7, trainers: trainers.map((t) => ({ nodeId: t.address, publicKey: t.publicKey })) }) };

/** A bus that loses the first publish of round.opened, as a crash right after the round's commit would. */
/** A bus that never takes round.opened: the first aggregator dies with the event still in its outbox. */
function refusingOpened(inner: EventBus): EventBus {
  return {
    publish: (subject, payload, options) => {
      if (subject === SUBJECT.roundOpened) return Promise.reject(new Error('connection lost'));
      return inner.publish(subject, payload, options);
    },
    subscribe: (options) => inner.subscribe(options),
    close: () => inner.close(),
  };
}

let dir: string;
let broker: LocalBroker;
let validator: ValidatorStub;
const events: Delivery[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aggregator-restart-'));
  broker = new LocalBroker();
  validator = await ValidatorStub.start(CHAIN);
  const watcher = await LocalEventBus.create({ broker, subjectsPrefix: CHAIN });
  void (async () => {
    for await (const event of await watcher.subscribe({ from: 'all' })) {
      events.push(event);
      await event.ack();
    }
  })().catch(() => undefined);
});

afterAll(async () => {
  await validator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(bus: EventBus) {
  const config = loadConfig(aggregatorConfig, {
    env: { LEARNCHAIN_CHAIN_ID: CHAIN, LEARNCHAIN_AGGREGATOR_LISTEN: '127.0.0.1:0', DATABASE_URL: `pglite:${dir}`, LEARNCHAIN_VALIDATORS: validator.address, LEARNCHAIN_ROUND_TICK_MS: '20', LEARNCHAIN_LOG_LEVEL: 'silent' },
  });
  const running = await startAggregator(config, { bus, membership, logger });
  const client: AggregatorClient = createClient(contracts().aggregator, running.address);
  return { running, client };
}

it('keeps the acknowledged updates of the open round across a restart and publishes the round.opened its outbox kept', async () => {
  const bus = await LocalEventBus.create({ broker, subjectsPrefix: CHAIN });
  const first = await start(refusingOpened(bus));
  const base = await stubJob(first.client, validator, { jobId: 'job', rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000, rounds: 1 }, new Float32Array(3));
  await bus.publish(SUBJECT.jobCreated, { chainId: CHAIN, jobId: 'job', initialModelHash: fromHex(base) as Uint8Array, height: 1, rule: 'fedavg', minTrainers: 2, roundDeadlineMs: 600_000 });
  await until('round 1 open', async () => (await unary(first.client, 'getRound', { jobId: 'job', round: 0 }).catch(() => undefined))?.state === 'ROUND_STATE_OPEN');
  const [a, b] = trainers as [Identity, Identity];
  const ua = delta([1, 2, 3]);
  expect((await submit(first.client, chunks(signedHeader(a, { chainId: CHAIN, jobId: 'job', round: 1, baseModelHash: base, bytes: ua }), ua))).duplicate).toBe(false);
  expect(events.filter((e) => e.subject === SUBJECT.roundOpened)).toEqual([]);
  first.client.close();
  await first.running.stop();

  const second = await start(bus);
  const opened = await until('round.opened published from the outbox', () => events.find((e) => e.subject === SUBJECT.roundOpened));
  expect(opened.payload).toMatchObject({ jobId: 'job', round: 1, epoch: 7, participants: trainers.map((t) => t.address).sort() });
  expect((await unary(second.client, 'getRound', { jobId: 'job', round: 1 })).received).toEqual([a.address]);
  const ub = delta([3, 2, 1]);
  await submit(second.client, chunks(signedHeader(b, { chainId: CHAIN, jobId: 'job', round: 1, baseModelHash: base, bytes: ub }), ub));
  await until('round committed', async () => (await unary(second.client, 'getRound', { jobId: 'job', round: 1 })).state === 'ROUND_STATE_COMMITTED');
  second.client.close();
  await second.running.stop();
  await bus.close();
});
