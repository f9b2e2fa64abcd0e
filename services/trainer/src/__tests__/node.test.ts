import { LocalBroker, LocalEventBus, SUBJECT } from '@learnchain/bus';
import { Identity } from '@learnchain/core';
import type { Lease } from '@learnchain/membership';

import { NO_ATTACK } from '../attacks';
import type { TrainingJob } from '../job';
import { consumerName, TrainerNode, type Membership } from '../node';
import type { LocalResult, SignedUpdate, SubmitReceipt } from '../ports';
import { RoundHandler, type RoundOutcome } from '../round';
import { baseBytes, baseHash, job, logger, MemoryJobs, MemoryModels, MemorySink, StepTrainer } from './fakes';

const NODE = 'node-n';

class FakeMembership implements Membership {
  lease: Lease | undefined;
  stops: string[] = [];
  async start(): Promise<Lease> {
    this.lease = { nodeId: NODE, epoch: 1, ttlMs: 1000, expiresAtMs: Date.now() + 1000 };
    return this.lease;
  }
  async stop(reason = 'shutdown'): Promise<void> {
    this.stops.push(reason);
  }
}

/** Training that never finishes on its own. */
class StuckTrainer extends StepTrainer {
  started = 0;
  override async train(_job: TrainingJob, _base: Float32Array): Promise<LocalResult> {
    this.started += 1;
    return new Promise<LocalResult>(() => undefined);
  }
}

/** Uploads whose answers wait until released. */
class HeldSink extends MemorySink {
  private readonly held: (() => void)[] = [];
  override async submit(update: SignedUpdate): Promise<SubmitReceipt> {
    const receipt = await super.submit(update);
    await new Promise<void>((resolve) => this.held.push(resolve));
    return receipt;
  }
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }
}

/** Training that takes a few event-loop turns, counting how many run at once. */
class CountingTrainer extends StepTrainer {
  running = 0;
  mostAtOnce = 0;
  override async train(job: TrainingJob, base: Float32Array): Promise<LocalResult> {
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    await new Promise((r) => setTimeout(r, 5));
    this.running -= 1;
    return super.train(job, base);
  }
}

function node(broker: LocalBroker, trainer: StepTrainer, sink: MemorySink, outcomes: RoundOutcome[], membership = new FakeMembership(), replayMs = 60_000, durable = true) {
  return LocalEventBus.create({ broker }).then((bus) => {
    const rounds = new RoundHandler({
      chainId: 'c',
      identity: Identity.generate(),
      nodeId: () => membership.lease?.nodeId,
      jobs: new MemoryJobs([job]),
      models: new MemoryModels(baseBytes),
      updates: sink,
      trainer,
      attack: NO_ATTACK,
      clock: { now: () => Date.now() },
      logger,
    });
    return { bus, membership, trainer: new TrainerNode({ membership, bus, rounds, logger, ackWaitMs: 60_000, drainMs: 50, replayMs, durable, onOutcome: (o) => outcomes.push(o) }) };
  });
}

const opened = (round: number) => ({ chainId: 'c', jobId: job.jobId, round, baseModelHash: baseHash, deadlineMs: Date.now() + 30_000, participants: [NODE], epoch: 1 });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

describe('TrainerNode', () => {
  it('takes rounds from its durable consumer, one at a time, and leaves on stop', async () => {
    const broker = new LocalBroker();
    const publisher = await LocalEventBus.create({ broker });
    const sink = new MemorySink();
    const outcomes: RoundOutcome[] = [];
    const { bus, membership, trainer } = await node(broker, new StepTrainer(), sink, outcomes);
    await trainer.start();
    expect(trainer.lifecycle).toBe('running');
    await publisher.publish(SUBJECT.roundOpened, opened(1));
    await publisher.publish(SUBJECT.roundOpened, opened(2));
    await until(() => sink.received.length === 2);
    expect(sink.received.map((u) => u.header.round)).toEqual([1, 2]);
    await trainer.stop('done');
    expect(trainer.lifecycle).toBe('stopped');
    expect(membership.stops).toEqual(['done']);
    await trainer.stop();
    expect(membership.stops).toEqual(['done']);
    await bus.close();
    await publisher.close();
    expect(consumerName(NODE)).toBe('trainer-node-n');
    expect(broker.stream('learnchain').consumerNames()).toEqual(['trainer-node-n']);
  });

  it('trains the next round while the previous upload waits for its answer, one training and two rounds in hand at a time', async () => {
    const broker = new LocalBroker();
    const publisher = await LocalEventBus.create({ broker });
    const sink = new HeldSink();
    const training = new CountingTrainer();
    const outcomes: RoundOutcome[] = [];
    const { bus, trainer } = await node(broker, training, sink, outcomes);
    await trainer.start();
    for (const round of [1, 2, 3]) await publisher.publish(SUBJECT.roundOpened, opened(round));
    // Round 2 trained and its upload began while round 1's answer was still awaited.
    await until(() => sink.received.length === 2);
    expect(sink.received.map((u) => u.header.round)).toEqual([1, 2]);
    expect(outcomes).toEqual([]);
    // Two rounds are in hand: round 3 waits for one of them to end.
    await new Promise((r) => setTimeout(r, 50));
    expect(training.calls).toBe(2);
    sink.release();
    await until(() => sink.received.length === 3);
    sink.release();
    await until(() => outcomes.length === 3);
    expect(outcomes.map((o) => o.kind)).toEqual(['submitted', 'submitted', 'submitted']);
    expect(training.mostAtOnce).toBe(1);
    await trainer.stop();
    await bus.close();
    await publisher.close();
  });

  it('leaves no consumer behind when its key, and so its consumer, would not be used again', async () => {
    const broker = new LocalBroker();
    const publisher = await LocalEventBus.create({ broker });
    const sink = new MemorySink();
    const { bus, trainer } = await node(broker, new StepTrainer(), sink, [], new FakeMembership(), 60_000, false);
    await trainer.start();
    await publisher.publish(SUBJECT.roundOpened, opened(1));
    await until(() => sink.received.length === 1);
    expect(broker.stream('learnchain').consumerNames()).toHaveLength(1);
    await trainer.stop();
    expect(broker.stream('learnchain').consumerNames()).toEqual([]);
    await bus.close();
    await publisher.close();
  });

  it('reads, when new, the round events of the last replayMs only, not every one ever published', async () => {
    const broker = new LocalBroker();
    const publisher = await LocalEventBus.create({ broker });
    await publisher.publish(SUBJECT.roundOpened, opened(1));
    const between = Date.now() + 500;
    await new Promise((r) => setTimeout(r, 1000));
    await publisher.publish(SUBJECT.roundOpened, opened(2));
    const sink = new MemorySink();
    // Back to half way between the two events.
    const { bus, trainer } = await node(broker, new StepTrainer(), sink, [], new FakeMembership(), Date.now() - between);
    await trainer.start();
    await publisher.publish(SUBJECT.roundOpened, opened(3));
    await until(() => sink.received.length === 2);
    expect(sink.received.map((u) => u.header.round)).toEqual([2, 3]);
    await trainer.stop();
    await bus.close();
    await publisher.close();
  });

  it('aborts a round still training after the drain period and leaves it for a restart', async () => {
    const broker = new LocalBroker();
    const publisher = await LocalEventBus.create({ broker });
    const outcomes: RoundOutcome[] = [];
    const stuck = new StuckTrainer();
    const first = await node(broker, stuck, new MemorySink(), outcomes);
    await first.trainer.start();
    await publisher.publish(SUBJECT.roundOpened, opened(7));
    await until(() => stuck.started === 1);
    await first.trainer.stop();
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'failed', reason: 'stopped during training' })]);
    expect(first.membership.stops).toEqual(['shutdown']);
    await first.bus.close();

    // The same node again: its durable consumer hands the unacknowledged round back.
    const sink = new MemorySink();
    const again = await node(broker, new StepTrainer(), sink, []);
    await again.trainer.start();
    await until(() => sink.received.length === 1);
    expect(sink.received[0]!.header.round).toBe(7);
    await again.trainer.stop();
    await again.bus.close();
    await publisher.close();
  });
});
