/**
 * The host of the consensus core: feeds it verified messages (inbound.ts), timeouts and the
 * application's verdicts through one serial queue (logging every input to the
 * write-ahead log first), and carries out its effects in order — own
 * messages through the outbox (signed, logged, sent once fsynced); timers; proposals built from the mempool; blocks checked
 * (and their rounds verified) before a verdict; commits stored, executed and
 * announced; evidence turned into a transaction.
 */
import { writeSync } from 'node:fs';

import {
  apply,
  createState,
  HeightMismatchError,
  verifyCommit,
  type CommitCertificate,
  type ConsensusMessage,
  type ConsensusState,
  type Effect,
  type Input,
  type Evidence,
  type ValidatorSet,
  type Vote,
} from '@learnchain/consensus';
import { inlineSignatureChecks, type Logger, type SignatureChecks } from '@learnchain/core';
import type { Genesis, RoundVerifier, Tx } from '@learnchain/ledger';
import { messageCodec, type v1 } from '@learnchain/proto';

import { buildBlock, checkProposedBlock, valueBytes, valueOf } from './blocks';
import { Chain, type CommittedBlock } from './chain';
import { EvidenceTxs } from './evidence';
import { gossipView, MessageBook, NO_NETWORK, relayPlan, statusCallsForSync, type GossipView, type Network, type Reception } from './gossip';
import { receive, type Inbound } from './inbound';
import type { Mempool } from './mempool';
import { Outbox } from './outbox';
import { RoundVerdicts } from './round-verdicts';
import type { Signer } from './signer';
import { HeightClock, timeoutDuration, Timers, type Timing } from './timers';
import { entriesOf, type Wal } from './wal';

export interface NodeOptions {
  readonly genesis: Genesis;
  readonly signer: Signer;
  readonly wal: Wal;
  readonly chain: Chain;
  readonly mempool: Mempool;
  /** Where gossiped transactions' signatures are checked (default: on the event loop). */
  readonly signatures?: SignatureChecks;
  readonly verifier: RoundVerifier;
  readonly logger: Logger;
  readonly timing: Timing;
  /** TEST ONLY: from this height on, also sign and send a conflicting prevote. */
  readonly equivocateHeight?: number;
  /** TEST ONLY: exit on deciding a block at this height or above, once the log holds the votes, before storing it. */
  readonly crashAtDecisionHeight?: number;
}

const blockCodec = () => messageCodec<v1.Block, v1.Block__Output>('learnchain.v1.Block');
const MAX_BLOCKS_PER_HEIGHT = 32;

export class ValidatorNode {
  private core: ConsensusState;
  private queue: Promise<void> = Promise.resolve();
  private network: Network = NO_NETWORK;
  private readonly timers = new Timers();
  /** Candidate blocks of the running height, by value id. */
  private readonly blocks = new Map<string, v1.Block__Output>();
  /** Verified votes and proposals of the running and next height. */
  private readonly book = new MessageBook();
  /** What the checks of peers' messages see. */
  private readonly view: GossipView;
  private readonly syncedCommits = new Map<string, v1.Commit__Output>();
  /** Decoded transactions of candidate blocks that passed the checks (or that this node built), by value id. */
  private readonly checkedTxs = new Map<string, readonly Tx[]>();
  /** Re-executes the rounds of candidate blocks, once per round result per height. */
  private readonly rounds: RoundVerdicts;
  private pendingCommit: CommitCertificate | undefined;
  /** When the running height began, and when its messages were last relayed. */
  private heightBegan = Date.now();
  private readonly clock = new HeightClock();
  private lastRelay = Date.now();
  private stopped = false;
  private readonly evidenceTxs: EvidenceTxs;
  /** Own messages: signed, logged, and sent once durable. */
  private readonly outbox: Outbox;
  private readonly inbound: Inbound;

  constructor(private readonly options: NodeOptions) {
    const chain = options.chain;
    this.core = createState({ address: options.signer.address, height: chain.tip.height + 1, validators: chain.setAt(chain.tip.height + 1) });
    this.outbox = new Outbox(
      { signer: options.signer, book: this.book, logger: options.logger, clock: this.clock, ...(options.equivocateHeight ? { equivocateHeight: options.equivocateHeight } : {}) },
      () => this.network,
    );
    this.rounds = new RoundVerdicts({ chainId: options.genesis.chainId, verifier: options.verifier, mempool: options.mempool, state: () => chain.state });
    this.evidenceTxs = new EvidenceTxs(options);
    this.view = gossipView(options.genesis.chainId, () => this.core, this.book);
    this.inbound = {
      view: this.view,
      network: () => this.network,
      mempool: options.mempool,
      signatures: options.signatures ?? inlineSignatureChecks,
      enqueue: (input, block) => void this.run(() => this.step(input, block)),
      txArrived: () => this.txArrived(),
      callsForSync: (status) => statusCallsForSync(status, this.core.height, Date.now() - this.heightBegan, options.timing.relayAfterMs),
    };
  }

  get height(): number {
    return this.core.height;
  }

  get round(): number {
    return this.core.round;
  }

  get validators(): ValidatorSet {
    return this.core.validators;
  }

  attach(network: Network): void {
    this.network = network;
  }

  /**
   * Rebuilds the double-sign guard from every message signed at or above the
   * running height, replays the logged inputs of the running height (and of
   * the heights after it that the log holds, when the block store is behind),
   * or starts the height afresh.
   */
  async start(): Promise<void> {
    const { wal, signer, logger } = this.options;
    const first = this.core.height;
    const recovered = wal.recovered;
    wal.startHeight(first, false);
    const signed = signer.restore(recovered, first);
    for (const block of signer.proposedBlocks()) if ((block.header?.height ?? 0) >= first) this.keepBlock(block);
    let replayed = 0;
    for (let height = first; this.core.height === height; height++) {
      const inputs = entriesOf(recovered, height).filter((e) => e.t === 'input');
      if (inputs.length === 0) break;
      logger.info({ height, inputs: inputs.length, signed }, 'replaying write-ahead log');
      for (const e of inputs) {
        if (e.t !== 'input') continue;
        const block = e.block ? blockCodec().decode(Buffer.from(e.block, 'base64')) : undefined;
        await this.run(() => this.step(e.input, block));
      }
      replayed += inputs.length;
    }
    if (replayed === 0) await this.run(() => this.step({ kind: 'start-height', height: first, validatorUpdates: this.options.chain.coreUpdatesOfTip() }));
    this.timers.every(this.options.timing.relayAfterMs, () => this.relayIfStalled());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    await this.queue;
    await this.outbox.settled();
  }

  /** Where this node is, for peers. */
  status(): v1.HeightStatus__Output {
    return { height: this.core.height, round: this.core.round, latestCommitted: this.options.chain.tip.height };
  }

  /** A transaction entered the mempool: a proposer waiting for one stops waiting. */
  txArrived(): void {
    this.timers.txArrived();
  }

  private run(task: () => Promise<void> | void): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.stopped) await task();
    });
    this.queue = next.catch((error: unknown) => this.options.logger.error({ err: error }, 'consensus step failed'));
    return this.queue;
  }

  private async step(input: Input, block?: v1.Block__Output): Promise<void> {
    if (block) this.keepBlock(block);
    if ((input.kind === 'proposal' && input.proposal.height === this.core.height) || input.kind === 'proposal-value') this.clock.mark('proposal');
    // Only this node's own proposals carry their block into the log (it must be able to sign them
    // again after a crash); a received block is not needed to replay, since the verdicts are
    // logged, and a decided block that is missing after a restart is fetched by block sync.
    const logBlock = block && input.kind === 'proposal-value';
    this.options.wal.append(logBlock ? { t: 'input', input, block: Buffer.from(blockCodec().encode(block as v1.Block)).toString('base64') } : { t: 'input', input });
    let transition;
    try {
      transition = apply(this.core, input);
    } catch (error) {
      if (error instanceof HeightMismatchError) {
        this.options.logger.warn({ input: input.kind, err: error }, 'input for another height ignored');
        return;
      }
      throw error;
    }
    this.core = transition.state;
    for (const effect of transition.effects) await this.carryOut(effect);
  }

  private keepBlock(block: v1.Block__Output): void {
    if (this.blocks.size >= MAX_BLOCKS_PER_HEIGHT) return;
    this.blocks.set(valueOf(block), block);
  }

  private async carryOut(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'broadcast':
        return this.broadcast(effect.message);
      case 'schedule-timeout': {
        const timeout = effect.timeout;
        this.timers.after(timeoutDuration(timeout, this.options.timing), () => this.run(() => this.step({ kind: 'timeout-elapsed', timeout })));
        return;
      }
      case 'request-proposal':
        void this.propose(effect.height, effect.round);
        return;
      case 'validate-proposal':
        void this.validate(effect.height, effect.value);
        return;
      case 'commit':
        return this.commit(effect.certificate);
      case 'evidence':
        return this.evidence(effect.evidence);
    }
  }

  private broadcast(message: ConsensusMessage): Promise<void> {
    const block = message.kind === 'proposal' ? this.blocks.get(message.proposal.value) : undefined;
    return this.outbox.send(message, block, () => this.core.height);
  }

  private async propose(height: number, round: number): Promise<void> {
    const { mempool, genesis, timing, chain } = this.options;
    if (mempool.size === 0 && timing.emptyBlockIntervalMs > 0) await this.timers.waitForTx(timing.emptyBlockIntervalMs);
    await this.run(() => {
      if (this.core.height !== height || this.core.round !== round || this.core.awaitingValue !== round) return;
      const txs = mempool.reap(genesis.consensus.maxBlockTxs, genesis.consensus.maxBlockBytes);
      const block = buildBlock(genesis, this.core, chain.tip, txs, this.options.signer.address, Date.now());
      const value = valueOf(block);
      this.checkedTxs.set(value, txs);
      return this.step({ kind: 'proposal-value', height, round, value }, block);
    });
  }

  private async validate(height: number, value: string): Promise<void> {
    const { genesis, chain, mempool, logger } = this.options;
    const block = this.blocks.get(value);
    if (!block) {
      // Replaying the log: the verdict given before the crash is in the log too. Otherwise the
      // round's timeouts move on without this node's vote.
      logger.debug({ height, block: value }, 'no block to judge');
      return;
    }
    let valid = false;
    let reason = 'wrong height';
    if (height === this.core.height) {
      // A block this node built from its own mempool needs no second look at its form.
      const own = this.checkedTxs.get(value);
      const checked = own ? { ok: true as const, txs: [...own] } : checkProposedBlock(genesis, this.core, chain.tip, chain.previousSet, block, mempool.isVerified, Date.now(), (w) => this.view.votes.check(w));
      if (checked.ok) {
        for (const tx of checked.txs) mempool.markVerified(tx.hashHex);
        this.checkedTxs.set(value, checked.txs);
        ({ valid, reason } = await this.rounds.check(checked.txs));
      } else reason = checked.reason;
    }
    if (!valid) logger.warn({ height, block: value, reason }, 'proposed block is invalid');
    if (height === this.core.height) this.clock.mark('verdict');
    await this.run(() => this.step({ kind: 'verdict', height, value, valid }));
  }

  private async commit(certificate: CommitCertificate): Promise<void> {
    const block = this.blocks.get(certificate.value);
    if (!block) return this.fromPeers(certificate, 'decided a block this validator has not seen: fetching it');
    this.clock.mark('decided');
    // The commit carries this validator's own precommit: only once it is durable (and sent).
    await this.outbox.settled();
    const synced = this.syncedCommits.get(certificate.value);
    if (!synced) await this.crashIfTold(certificate.height);
    if (!synced && !verifyCommit({ ...certificate, precommits: this.book.signedOf(certificate.precommits) }, this.core.validators)) {
      // Decided on votes replayed from the write-ahead log, which keeps no peer's signature: the commit this validator
      // could show would not prove the decision (a light client, or a peer syncing from it, would refuse it). The
      // block's commit is taken from a peer, or made once the peers' precommits come again (relayIfStalled tries both).
      return this.fromPeers(certificate, 'decided a block whose signed precommits this validator does not hold: fetching its commit');
    }
    const commit = synced ?? this.wireCommit(certificate);
    const committed = await this.options.chain.commit(block, commit, this.core.validators, this.checkedTxs.get(certificate.value));
    this.options.logger.debug({ height: committed.height, round: certificate.round, txs: committed.txs.length, ms: this.clock.report() }, 'height timings');
    await this.afterCommit(committed);
  }

  private async afterCommit(committed: CommittedBlock): Promise<void> {
    const next = committed.height + 1;
    this.pendingCommit = undefined;
    for (const [value, block] of this.blocks) if ((block.header?.height ?? 0) <= committed.height) this.blocks.delete(value);
    this.syncedCommits.clear();
    this.checkedTxs.clear();
    this.rounds.clear();
    this.book.prune(committed.height);
    this.timers.cancelHeight();
    this.options.signer.prune(next);
    const compact = this.options.wal.needsCompaction;
    // Compacting drops the inputs of stored heights: only once they are durably stored.
    if (compact) await this.options.chain.persisted();
    this.options.wal.startHeight(next, compact);
    this.lastRelay = Date.now();
    this.heightBegan = Date.now();
    this.clock.restart();
    const start: Input = { kind: 'start-height', height: next, validatorUpdates: committed.coreUpdates };
    if (this.options.timing.commitMs > 0) this.timers.after(this.options.timing.commitMs, () => this.run(() => this.step(start)));
    else await this.step(start);
  }

  /** Waits for what a decision still needs from the peers (block sync answers with it; relayIfStalled asks again). */
  private fromPeers(certificate: CommitCertificate, why: string): void {
    if (this.pendingCommit !== certificate) this.options.logger.info({ height: certificate.height }, why);
    this.pendingCommit = certificate;
    this.network.requestSync();
  }

  private async crashIfTold(height: number): Promise<void> {
    const at = this.options.crashAtDecisionHeight ?? 0;
    if (at === 0 || height < at) return;
    await this.options.wal.flush();
    writeSync(2, `TEST crash: decided height ${height}, exiting before storing it\n`);
    process.exit(18);
  }

  private wireCommit(certificate: CommitCertificate): v1.Commit__Output {
    return { height: certificate.height, round: certificate.round, blockHash: Buffer.from(valueBytes(certificate.value)), precommits: this.book.precommits(certificate.precommits) };
  }

  private evidence(evidence: Evidence): void {
    const tx = this.evidenceTxs.submit(evidence, this.book);
    if (!tx) return;
    this.network.gossipTx(tx);
    this.txArrived();
  }

  /** A message from a peer (Hello already done). Signatures are checked before the core sees anything. */
  receive(message: v1.ConsensusMessage__Output, peer: string): Reception | Promise<Reception> {
    return receive(this.inbound, message, peer);
  }

  /**
   * A block with its commit from a peer (block sync), for the running height:
   * checked like a light client would, then handed to the core as a commit certificate.
   */
  applySynced(synced: v1.SyncedBlock__Output): Promise<'applied' | 'skipped' | 'bad'> {
    return new Promise((resolve) => {
      void this.run(async () => {
        const block = synced.block;
        const commit = synced.commit;
        if (!block?.header || !commit || block.header.height !== this.core.height || block.header.height !== this.options.chain.tip.height + 1) return resolve('skipped');
        const fault = this.options.chain.checkSynced(block, commit, this.core.validators);
        if (fault) {
          this.options.logger.warn({ height: block.header.height, fault }, 'synced block refused');
          return resolve('bad');
        }
        const value = valueOf(block);
        this.keepBlock(block);
        this.blocks.set(value, block);
        this.syncedCommits.set(value, commit);
        const before = this.options.chain.tip.height;
        if (this.pendingCommit && this.pendingCommit.value === value) await this.commit(this.pendingCommit);
        else {
          const precommits: Vote[] = [];
          for (const w of commit.precommits) {
            const v = this.view.votes.check(w);
            if (v) precommits.push(v);
          }
          await this.step({ kind: 'commit-certificate', certificate: { height: commit.height, round: commit.round, value, precommits } });
        }
        resolve(this.options.chain.tip.height > before ? 'applied' : 'skipped');
      });
    });
  }

  /**
   * Re-gossips the running height's votes when it has not committed for a
   * while (a peer may have missed them: a reconnect, a dropped message); the
   * proposal, which carries the whole block, only when the height is stalled
   * four times as long.
   */
  private relayIfStalled(): void {
    const now = Date.now();
    const plan = relayPlan(now, this.lastRelay, this.heightBegan, this.options.timing.relayAfterMs);
    if (!plan.relay) return;
    this.lastRelay = now;
    for (const message of this.book.relayed(this.core.height, plan.withProposals)) this.network.broadcast(message);
    this.network.broadcast({ message: 'status', status: this.status() });
    // A decided block still missing, or its signed precommits: held by now (gossiped again), or asked of the peers again.
    const pending = this.pendingCommit;
    if (pending) void this.run(() => (this.pendingCommit === pending ? this.commit(pending) : undefined));
  }
}
