/**
 * The round manager: the adapter around the decision core (domain/round-plan
 * and domain/round-policy). It learns jobs from `job.created` events and the
 * ledger (job-feed.ts); on every tick (and whenever an update arrives) it
 * reads each job's latest two rounds, asks the plan which rounds move and the
 * policy what to do with an open one, and carries out the decision: open,
 * extend, fail (then retry after a delay), abandon, or close → aggregate →
 * store the model → open the next round on it (pipelined: trainers train
 * while validators verify) → submit the signed RoundResult → follow it to
 * commit (submissions.ts). Without pipelining, the next round opens once the
 * commit is seen.
 *
 * All state is in the database, so a restarted manager picks up every round
 * where it was; each round.* event is written to the outbox with the state
 * change it announces and published from there (relay.ts).
 */
import { PoolRuleRunner } from '@learnchain/aggregation';
import { SUBJECT, type EventBus } from '@learnchain/bus';
import { contentId, FailureLog, fromHex, isDatabaseAway, type Identity, type Logger } from '@learnchain/core';
import { parameterBytes, parametersOf } from '@learnchain/model/encoding';

import { followJobs } from './job-feed';
import { PassLoop, type PassScope } from './pass-loop';
import { EventRelay } from './relay';
import { outboxEvent, type OutboxEvent } from './store/outbox';
import { aggregateRound, type ReceivedUpdate } from './domain/aggregate-round';
import type { JobSpec } from './domain/job';
import { selectParticipants } from './domain/participants';
import { decideRound, quorumOf, stragglersOf, type Straggler } from './domain/round-policy';
import { isLastRound, jobFinished, openOnResult, planRounds } from './domain/round-plan';
import { layoutOf } from './intake';
import type { ChainClient, JobSource, MembershipSource } from './ports';
import type { BlobStore } from './store/blobs';
import type { RoundRecord, StoredResult, UpdateRecord } from './store/records';
import type { RoundStore } from './store/rounds';
import { AggregatorMetrics, RoundObserver } from './metrics';
import { ResultSubmissions, type Commit } from './submissions';

export interface RoundManagerOptions {
  readonly chainId: string;
  readonly rounds: RoundStore;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  readonly jobs: JobSource;
  readonly membership: MembershipSource;
  readonly chain: ChainClient;
  readonly identity: Identity;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Wait after the quorum's last update before closing. */
  readonly graceMs: number;
  /** Share of the participants that makes a quorum (at least the job's minimum). */
  readonly quorumFraction: number;
  /** Wait before a failed round is opened again (and before a failed submission is retried). */
  readonly retryDelayMs: number;
  /** How often every job's rounds are looked at, whatever else happens (a deadline, a grace period's end and a retry each have a timer of their own). */
  readonly tickMs: number;
  /** The durable bus consumer for job events. */
  readonly consumer: string;
  /** Metrics and traces of the rounds (a fresh, unserved set when absent). */
  readonly observer?: RoundObserver;
  /** Worker threads for large rounds (started on the first one); default: one per CPU. */
  readonly aggregationWorkers?: number;
  /** Open round r+1 on round r's aggregated model before r is committed (default true). */
  readonly pipeline?: boolean;
  /** Deletes updates' and models' bytes that fell out of their retention, after each commit. */
  readonly retention?: { afterCommit(): void };
}

type Lifecycle = 'starting' | 'running' | 'draining' | 'stopped';

/** The registry's answer for a round: its membership epoch and active trainers. */
type RoundTrainers = Awaited<ReturnType<MembershipSource['activeTrainers']>>;

function hexBytes(hex: string): Uint8Array {
  return fromHex(hex) ?? new Uint8Array();
}

export class RoundManager {
  private lifecycle: Lifecycle = 'starting';
  private readonly abort = new AbortController();
  private readonly passes: PassLoop;
  private loops: Promise<void>[] = [];
  private readonly submissions: ResultSubmissions;
  private readonly warned = new Set<string>();
  /** Jobs whose last round committed: passes skip them. */
  private readonly finished = new Set<string>();
  private readonly clock: () => number;
  private readonly observer: RoundObserver;
  private readonly runner: PoolRuleRunner;
  private readonly relay: EventRelay;

  constructor(private readonly options: RoundManagerOptions) {
    this.clock = options.clock ?? Date.now;
    this.observer = options.observer ?? new RoundObserver(options.chainId, new AggregatorMetrics());
    this.relay = new EventRelay({ outbox: options.rounds.outbox(), bus: options.bus, chainId: options.chainId, logger: options.logger, observer: this.observer, clock: this.clock });
    this.runner = new PoolRuleRunner({ logger: options.logger, ...(options.aggregationWorkers === undefined ? {} : { workers: options.aggregationWorkers }) });
    this.submissions = new ResultSubmissions({
      ...options,
      observer: this.observer,
      clock: this.clock,
      signal: this.abort.signal,
      dueAt: (jobId, atMs) => this.passes.dueAt(jobId, atMs),
      committed: (job, round, commit) => this.committed(job, round, commit),
      refused: async (job, round, reason) => {
        await this.fail(job, round, reason);
        // A round opened on the refused result is abandoned on the next pass (planRounds).
        this.poke(job.jobId);
      },
    });
    this.passes = new PassLoop(
      (scope) => this.pass(scope),
      options.tickMs,
      new FailureLog(options.logger, 'round pass', 'over every job, after a wait that grows while passes fail'),
      this.clock,
    );
  }

  start(): void {
    if (this.lifecycle !== 'starting') return;
    this.lifecycle = 'running';
    // What a crash left in the outbox goes out first.
    const { bus, consumer, chainId, jobs, rounds, logger, retryDelayMs } = this.options;
    const jobFeed = followJobs({ bus, consumer, chainId, jobs, rounds, logger, retryDelayMs, signal: this.abort.signal, onLearnt: () => this.poke() });
    this.loops = [this.passes.start(this.relay.kick()), jobFeed];
  }

  /** Looks at the rounds now rather than at the next tick: those of `jobId` (an update came, a round committed), or of every job. */
  poke(jobId?: string): void {
    this.passes.poke(jobId);
  }

  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'draining';
    this.abort.abort();
    await Promise.allSettled([this.passes.stop(), ...this.loops, this.submissions.settled()]);
    // The last state changes' events go out before the bus closes (what cannot stays in the outbox).
    await this.relay.kick();
    await this.runner.close();
    this.observer.stop();
    this.lifecycle = 'stopped';
  }

  /** One pass over the current round of every job, or of the jobs named (PassLoop runs one at a time). */
  private async pass(scope: PassScope): Promise<void> {
    for (const jobId of scope === 'all' ? await this.options.rounds.jobIds() : scope) {
      if (this.lifecycle === 'draining') return;
      if (this.finished.has(jobId)) continue;
      const job = await this.options.rounds.job(jobId);
      if (!job) continue;
      try {
        await this.step(job);
      } catch (error) {
        // Stopping cancels the calls a step has in flight: that is no failure.
        if (this.abort.signal.aborted) this.options.logger.debug({ err: error, job: job.jobId }, 'round step cut short by stopping');
        // The other jobs' steps would meet it too: the pass fails, and the loop waits before the next.
        else if (isDatabaseAway(error)) throw error;
        else this.options.logger.error({ err: error, job: job.jobId }, 'round step failed; retrying on the next tick');
      }
    }
    // Events a failed publish (or another replica) left in the outbox.
    await this.relay.sweep();
  }

  private async step(job: JobSpec): Promise<void> {
    const [current, previous] = await this.options.rounds.latest(job.jobId);
    // A finished job stays finished: later passes skip it.
    if (jobFinished(job, current)) this.finished.add(job.jobId);
    const now = this.clock();
    // A failed round opens again at its retry time (read here too: a failure from before a restart).
    for (const r of [current, previous]) if (r?.state === 'failed' && (r.retryAtMs ?? 0) > now) this.passes.dueAt(job.jobId, r.retryAtMs ?? 0);
    for (const step of planRounds(job, current, previous, now)) {
      switch (step.kind) {
        case 'open':
          await this.open(job, step.round, step.attempt, step.baseModelHash);
          break;
        case 'advance':
          await this.advance(job, step.record, step.submit);
          break;
        case 'aggregate':
          await this.result(job, step.record);
          break;
        case 'finish':
          await this.finish(job, step.record);
          break;
        case 'abandon':
          await this.abandon(job, step.record, step.previousRound);
          break;
      }
    }
  }

  /** The registry's active trainers for round `round` of a job: from the Watch-kept view, or by a List call that joins the round's trace while the view is not in step. */
  private trainersFor(jobId: string, round: number): Promise<RoundTrainers> {
    return this.observer.inRound({ jobId, round }, () => this.options.membership.activeTrainers(this.abort.signal));
  }

  /** Opens a round on `baseModelHash`, with the trainers the registry names (asked now, unless `asked` is that answer on its way). */
  private async open(job: JobSpec, round: number, attempt: number, baseModelHash: string, asked?: Promise<RoundTrainers>): Promise<void> {
    const { rounds, blobs, bus, chainId, logger } = this.options;
    if (!(await blobs.stat(baseModelHash))) {
      const key = `${job.jobId}/${baseModelHash}`;
      if (!this.warned.has(key)) logger.warn({ job: job.jobId, round, base: baseModelHash }, 'base model not stored yet: the round waits for it (PutBlob)');
      this.warned.add(key);
      return;
    }
    const { epoch, trainers } = await (asked ?? this.trainersFor(job.jobId, round));
    const participants = selectParticipants(trainers, job.maxTrainers, `${chainId}/${job.jobId}/${round}/${attempt}`);
    const now = this.clock();
    const deadlineMs = now + job.roundDeadlineMs;
    const event = outboxEvent(
      SUBJECT.roundOpened,
      { chainId, jobId: job.jobId, round, baseModelHash: hexBytes(baseModelHash), deadlineMs, participants: participants.map((p) => p.nodeId), epoch, attempt },
      `${job.jobId}/${round}/${attempt}/opened`,
    );
    if (!(await rounds.open({ jobId: job.jobId, round, attempt, baseModelHash, epoch, participants, openedAtMs: now, deadlineMs }, event))) return;
    logger.info({ job: job.jobId, round, attempt, epoch, participants: participants.length, deadlineMs }, 'round opened');
    this.passes.dueAt(job.jobId, deadlineMs);
    this.observer.opened(job.jobId, round, attempt, participants.length, epoch);
    await this.relay.kick();
  }

  /** Carries out the policy's decision on an open round; a round run ahead of its predecessor's commit is only aggregated when it closes. */
  private async advance(job: JobSpec, round: RoundRecord, submit = true): Promise<void> {
    const { rounds, logger, chainId } = this.options;
    const updates = await rounds.updates(job.jobId, round.round);
    const participants = round.participants.map((p) => p.nodeId);
    const decision = decideRound(
      { participants, received: updates.map((u) => ({ nodeId: u.nodeId, atMs: u.receivedAtMs })), deadlineMs: round.deadlineMs, extended: round.extended },
      { minTrainers: job.minTrainers, quorum: quorumOf(participants.length, job.minTrainers, this.options.quorumFraction), graceMs: this.options.graceMs, extensionMs: job.roundDeadlineMs },
      this.clock(),
    );
    switch (decision.kind) {
      case 'wait':
        this.passes.dueAt(job.jobId, decision.untilMs);
        return;
      case 'extend':
        if (await rounds.extend(job.jobId, round.round, round.attempt, decision.deadlineMs, decision.reason)) {
          logger.warn({ job: job.jobId, round: round.round, deadlineMs: decision.deadlineMs, reason: decision.reason }, 'round extended');
          this.passes.dueAt(job.jobId, decision.deadlineMs);
        }
        return;
      case 'fail':
        return this.fail(job, round, decision.reason);
      case 'close': {
        // The event reads the updates in the closing transaction: an update committed just before the close is in.
        // Those are the round's updates for good (none is taken once it is closed): the aggregation uses them as read.
        const asked = new Set(participants);
        let counts = { included: 0, stragglers: 0 };
        let closedWith: UpdateRecord[] = [];
        const closing = (updates: UpdateRecord[]) => {
          closedWith = updates;
          const included = updates.filter((u) => asked.has(u.nodeId));
          const stragglers = this.stragglers({ ...round, closedBy: decision.closedBy }, new Set(included.map((u) => u.nodeId)));
          counts = { included: included.length, stragglers: stragglers.length };
          return outboxEvent(
            SUBJECT.roundClosed,
            {
              chainId,
              jobId: job.jobId,
              round: round.round,
              closedBy: decision.closedBy === 'deadline' ? 'deadline' : 'quorum',
              included: included.map((u) => ({ nodeId: u.nodeId, updateHash: hexBytes(u.updateHash) })),
              excluded: stragglers.map((s) => ({ nodeId: s.nodeId, reason: s.reason })),
            },
            `${job.jobId}/${round.round}/${round.attempt}/closed`,
          );
        };
        if (!(await rounds.close(job.jobId, round.round, round.attempt, decision.closedBy, closing))) return;
        logger.info({ job: job.jobId, round: round.round, closedBy: decision.closedBy, ...counts }, 'round closed');
        this.observer.closed(job.jobId, round.round, decision.closedBy);
        // Published while the round is aggregated: nothing below waits for it (the relay keeps the outbox's order).
        void this.relay.kick();
        const closed: RoundRecord = { ...round, state: 'closed', closedBy: decision.closedBy };
        if (submit) return this.finish(job, closed, closedWith);
        await this.result(job, closed, closedWith);
        return;
      }
    }
  }

  /** Stragglers of a closed round, recomputed from how it closed (the closing lock guarantees no update came after). */
  private stragglers(round: RoundRecord, arrived: ReadonlySet<string>): Straggler[] {
    return stragglersOf(round.participants.map((p) => p.nodeId), arrived, round.closedBy);
  }

  /** Aggregates a closed round, from `closedWith` when given (its updates as the close read them). */
  private async aggregate(job: JobSpec, round: RoundRecord, closedWith?: readonly UpdateRecord[]): Promise<StoredResult | undefined> {
    const { rounds, blobs, logger } = this.options;
    const started = process.hrtime.bigint();
    const closedAtMs = this.clock();
    const base = parametersOf(await blobs.read(round.baseModelHash));
    // A round opened again keeps the updates of earlier attempts, but only this attempt's participants count.
    const asked = new Set(round.participants.map((p) => p.nodeId));
    const records = (closedWith ?? (await rounds.updates(job.jobId, round.round))).filter((r) => asked.has(r.nodeId));
    const received: ReceivedUpdate[] = [];
    for (const record of records) received.push({ record, bytes: await blobs.read(record.updateHash) });
    const outcome = await aggregateRound(job, base, layoutOf(job, base.length), received, this.stragglers(round, new Set(records.map((r) => r.nodeId))), this.runner);
    if (outcome.kind === 'failed') {
      await this.fail(job, round, outcome.reason);
      return undefined;
    }
    const bytes = parameterBytes(outcome.parameters);
    const result: StoredResult = { ...outcome.result, newModelHash: contentId(bytes), aggregationMicros: Number((process.hrtime.bigint() - started) / 1000n), openedAtMs: round.openedAtMs, closedAtMs };
    if (!(await rounds.saveResult(job.jobId, round.round, round.attempt, result, { bytes, blobs }))) return undefined;
    logger.info({ job: job.jobId, round: round.round, newModel: result.newModelHash, included: result.included.length, excluded: result.excluded.length }, 'round aggregated');
    return result;
  }

  /** The round's stored result, or the result of aggregating it now (undefined when that failed the round, or it is no longer closed). */
  private result(job: JobSpec, round: RoundRecord, closedWith?: readonly UpdateRecord[]): Promise<StoredResult | undefined> {
    return round.result ? Promise.resolve(round.result) : this.observer.aggregate(job.jobId, round.round, () => this.aggregate(job, round, closedWith));
  }

  private async finish(job: JobSpec, round: RoundRecord, closedWith?: readonly UpdateRecord[]): Promise<void> {
    const { rounds } = this.options;
    const pipelined = this.options.pipeline !== false;
    // The next round opens as soon as this one is aggregated: the registry is asked for its trainers while it is.
    const asked = pipelined && !round.result && !isLastRound(job, round.round) ? this.trainersFor(job.jobId, round.round + 1) : undefined;
    asked?.catch(() => undefined); // a failure surfaces when the round opens, or not at all when it does not
    const result = await this.result(job, round, closedWith);
    if (!result) return;
    if (pipelined) {
      // Trainers start on the next round before this one's result reaches the chain.
      const opening = openOnResult(job, round.round, result.newModelHash, await rounds.round(job.jobId, round.round + 1), this.clock());
      if (opening) await this.open(job, opening.round, opening.attempt, opening.baseModelHash, asked);
    }
    this.submissions.submit(job, round, result);
  }

  private async committed(job: JobSpec, round: RoundRecord, { newModelHash, height, blockHash }: Commit): Promise<void> {
    const { rounds, logger, chainId } = this.options;
    const event = outboxEvent(SUBJECT.roundCommitted, { chainId, jobId: job.jobId, round: round.round, newModelHash: hexBytes(newModelHash), height, blockHash }, `${job.jobId}/${round.round}/committed`);
    if (!(await rounds.commit(job.jobId, round.round, round.attempt, height, Buffer.from(blockHash).toString('hex'), event))) return;
    logger.info({ job: job.jobId, round: round.round, height, newModel: newModelHash }, 'round committed');
    this.observer.committed(job.jobId, round.round, height);
    this.options.retention?.afterCommit();
    await this.relay.kick();
    this.poke(job.jobId);
  }

  private fail(job: JobSpec, round: RoundRecord, reason: string): Promise<void> {
    // Retries back off (×2 per attempt, at most ×32): a job with no trainers does not spin.
    const retryAtMs = this.clock() + this.options.retryDelayMs * Math.min(2 ** (round.attempt - 1), 32);
    this.passes.dueAt(job.jobId, retryAtMs);
    return this.failWith(job, round, reason, (event) => this.options.rounds.fail(job.jobId, round.round, round.attempt, reason, retryAtMs, event));
  }

  /** Fails a round opened on a result of `previousRound` the chain did not take; it opens again on the model the chain takes. */
  private abandon(job: JobSpec, round: RoundRecord, previousRound: number): Promise<void> {
    const reason = `abandoned: it ran on a result of round ${previousRound} that the chain did not commit`;
    return this.failWith(job, round, reason, (event) => this.options.rounds.abandon(job.jobId, round.round, round.attempt, reason, event));
  }

  private async failWith(job: JobSpec, round: RoundRecord, reason: string, store: (event: OutboxEvent) => Promise<boolean>): Promise<void> {
    const { logger, chainId } = this.options;
    const event = outboxEvent(SUBJECT.roundFailed, { chainId, jobId: job.jobId, round: round.round, reason, willRetry: true }, `${job.jobId}/${round.round}/${round.attempt}/failed`);
    if (!(await store(event))) return;
    logger.warn({ job: job.jobId, round: round.round, attempt: round.attempt, reason }, 'round failed; it will be retried');
    this.observer.failed(job.jobId, round.round, reason);
    await this.relay.kick();
  }
}
