/**
 * The host of the consensus core: feeds it verified messages, timeouts and the
 * application's verdicts through one serial queue (logging every input to the
 * write-ahead log first), and carries out its effects in order — sign, log,
 * fsync, then send; timers; proposals built from the mempool; blocks checked
 * (and their rounds verified) before a verdict; commits stored, executed and
 * announced; evidence turned into a transaction.
 */
import {
  apply,
  createState,
  HeightMismatchError,
  powerOf,
  validatorsAt,
  type CommitCertificate,
  type ConsensusState,
  type Effect,
  type Input,
  type Evidence,
  type ValidatorSet,
  type Vote,
} from '@learnchain/consensus';
import { sha256, toHex, verifyStatement, type Logger } from '@learnchain/core';
import {
  checkVote,
  decodeTxBytes,
  encodeTx,
  KEYS,
  nonceOf,
  proposalStatement,
  signTx,
  TxFormatError,
  type Genesis,
  type JobRecord,
  type RoundVerifier,
  type Tx,
} from '@learnchain/ledger';
import { messageCodec, type v1 } from '@learnchain/proto';

import { buildBlock, checkProposedBlock, valueBytes, valueOf } from './blocks';
import { Chain, type CommittedBlock } from './chain';
import { DoubleSignError } from './errors';
import type { Mempool } from './mempool';
import type { Signer } from './signer';
import { entriesOf, type Wal } from './wal';

/** What the node needs from the network: send to every peer, and fetch blocks it lacks. */
export interface Network {
  broadcast(message: v1.ConsensusMessage__Output): void;
  /** True while blocks are being fetched from a peer. */
  readonly syncing: boolean;
  /** Passes a transaction this mempool accepted on to the other validators (batched). */
  gossipTx(tx: v1.Tx__Output): void;
  requestSync(peer?: string): void;
}

export interface Timing {
  readonly proposeMs: number;
  readonly roundMs: number;
  readonly commitMs: number;
  readonly emptyBlockIntervalMs: number;
  readonly relayAfterMs: number;
}

export interface NodeOptions {
  readonly genesis: Genesis;
  readonly signer: Signer;
  readonly wal: Wal;
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly verifier: RoundVerifier;
  readonly logger: Logger;
  readonly timing: Timing;
  /** TEST ONLY: from this height on, also sign and send a conflicting prevote. */
  readonly equivocateHeight?: number;
}

/** How a peer's message was taken: 'bad' counts against the peer. */
export type Reception = 'ok' | 'duplicate' | 'ignored' | 'bad';

const blockCodec = () => messageCodec<v1.Block, v1.Block__Output>('learnchain.v1.Block');
const MAX_BLOCKS_PER_HEIGHT = 32;

export class ValidatorNode {
  private core: ConsensusState;
  private queue: Promise<void> = Promise.resolve();
  private network: Network = { syncing: false, broadcast: () => undefined, gossipTx: () => undefined, requestSync: () => undefined };
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Candidate blocks of the running height, by value id. */
  private readonly blocks = new Map<string, v1.Block__Output>();
  /** Verified votes of the running and next height, by height/round/type/validator/value. */
  private readonly votes = new Map<string, v1.Vote__Output>();
  private readonly proposals = new Map<string, v1.ConsensusMessage__Output>();
  private readonly syncedCommits = new Map<string, v1.Commit__Output>();
  /** Decoded transactions of candidate blocks that passed the checks (or that this node built), by value id. */
  private readonly checkedTxs = new Map<string, readonly Tx[]>();
  private pendingCommit: CommitCertificate | undefined;
  private heightStartedAt = Date.now();
  private heightBegan = Date.now();
  private relayTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private evidenceNonce = 0;
  private readonly equivocated = new Set<number>();
  private wakeProposer: (() => void) | undefined;

  constructor(private readonly options: NodeOptions) {
    const chain = options.chain;
    this.core = createState({ address: options.signer.address, height: chain.tip.height + 1, validators: chain.setAt(chain.tip.height + 1) });
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
    this.relayTimer = setInterval(() => this.relayIfStalled(), this.options.timing.relayAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.relayTimer) clearInterval(this.relayTimer);
    this.wakeProposer?.();
    await this.queue;
  }

  /** Where this node is, for peers. */
  status(): v1.HeightStatus__Output {
    return { height: this.core.height, round: this.core.round, latestCommitted: this.options.chain.tip.height };
  }

  /** A transaction entered the mempool: a proposer waiting for one stops waiting. */
  txArrived(): void {
    this.wakeProposer?.();
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
        const t = effect.timeout;
        const { proposeMs, roundMs } = this.options.timing;
        const ms = t.kind === 'propose' ? (t.round === 0 ? proposeMs : roundMs + (roundMs / 2) * t.round) : roundMs + (roundMs / 2) * t.round;
        this.later(ms, () => this.run(() => this.step({ kind: 'timeout-elapsed', timeout: t })));
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

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private async broadcast(message: Parameters<Signer['sign']>[0]): Promise<void> {
    const block = message.kind === 'proposal' ? this.blocks.get(message.proposal.value) : undefined;
    let signed;
    try {
      signed = await this.options.signer.sign(message, block);
    } catch (error) {
      if (error instanceof DoubleSignError) {
        this.options.logger.error({ key: error.key }, 'double-sign refused');
        return;
      }
      throw error;
    }
    if (signed.again) this.options.logger.info({ key: `${message.kind}:${message.kind === 'vote' ? `${message.vote.height}/${message.vote.round}/${message.vote.type}` : message.proposal.height}` }, 'resent a message signed before the restart');
    const wire = signed.wire;
    if (wire.vote) this.votes.set(voteKey(message.kind === 'vote' ? message.vote : undefined, wire.vote), wire.vote);
    if (wire.proposal) this.proposals.set(`${wire.proposal.height}/${wire.proposal.round}`, wire);
    this.network.broadcast(wire);
    const eq = this.options.equivocateHeight;
    if (eq && message.kind === 'vote' && message.vote.type === 'prevote' && message.vote.height >= eq && !this.equivocated.has(message.vote.height)) {
      this.equivocated.add(message.vote.height);
      const other = message.vote.value === null ? toHex(sha256(new TextEncoder().encode(`byzantine-${message.vote.height}`))) : null;
      const conflicting = this.options.signer.signUnguarded({ kind: 'vote', vote: { ...message.vote, value: other } });
      this.options.logger.warn({ height: message.vote.height, round: message.vote.round }, 'TEST Byzantine: sent a conflicting prevote');
      this.network.broadcast(conflicting);
    }
  }

  private async propose(height: number, round: number): Promise<void> {
    const { mempool, genesis, timing, chain } = this.options;
    if (mempool.size === 0 && timing.emptyBlockIntervalMs > 0) {
      let wake: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timing.emptyBlockIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.wakeProposer = wake;
      });
      if (this.wakeProposer === wake) this.wakeProposer = undefined;
    }
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
    const { genesis, chain, mempool, verifier, logger } = this.options;
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
      const checked = own ? { ok: true as const, txs: [...own] } : checkProposedBlock(genesis, this.core, chain.tip, chain.previousSet, block, mempool.isVerified, Date.now());
      if (checked.ok) {
        for (const tx of checked.txs) mempool.markVerified(tx.hashHex);
        this.checkedTxs.set(value, checked.txs);
        ({ valid, reason } = await this.verifyRounds(checked.txs));
      } else reason = checked.reason;
    }
    if (!valid) logger.warn({ height, block: value, reason }, 'proposed block is invalid');
    await this.run(() => this.step({ kind: 'verdict', height, value, valid }));
  }

  private async verifyRounds(txs: readonly Tx[]): Promise<{ valid: boolean; reason: string }> {
    for (const tx of txs) {
      if (tx.kind !== 'roundResult') continue;
      const job = this.options.chain.state.get(KEYS.job(tx.body.jobId)) as unknown as JobRecord | undefined;
      if (!job) continue; // refused at execution: no state changes
      const verdict = await this.options.verifier.verify({ chainId: this.options.genesis.chainId, job, result: tx.body });
      if (!verdict.valid) {
        // Never propose it again: otherwise one unverifiable round would stall every height.
        this.options.mempool.reject(tx.hashHex);
        return { valid: false, reason: `round ${tx.body.jobId}/${tx.body.round}: ${verdict.reason}` };
      }
    }
    return { valid: true, reason: '' };
  }

  private async commit(certificate: CommitCertificate): Promise<void> {
    const block = this.blocks.get(certificate.value);
    if (!block) {
      this.pendingCommit = certificate;
      this.options.logger.info({ height: certificate.height }, 'decided a block this validator has not seen: fetching it');
      this.network.requestSync();
      return;
    }
    const commit = this.syncedCommits.get(certificate.value) ?? this.wireCommit(certificate);
    const committed = await this.options.chain.commit(block, commit, this.core.validators, this.checkedTxs.get(certificate.value));
    await this.afterCommit(committed);
  }

  private async afterCommit(committed: CommittedBlock): Promise<void> {
    const next = committed.height + 1;
    this.pendingCommit = undefined;
    for (const [value, block] of this.blocks) if ((block.header?.height ?? 0) <= committed.height) this.blocks.delete(value);
    this.syncedCommits.clear();
    this.checkedTxs.clear();
    for (const key of this.votes.keys()) if (Number(key.split('/')[0]) <= committed.height) this.votes.delete(key);
    for (const key of this.proposals.keys()) if (Number(key.split('/')[0]) <= committed.height) this.proposals.delete(key);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.options.signer.prune(next);
    const compact = this.options.wal.needsCompaction;
    // Compacting drops the inputs of stored heights: only once they are durably stored.
    if (compact) await this.options.chain.persisted();
    this.options.wal.startHeight(next, compact);
    this.heightStartedAt = Date.now();
    this.heightBegan = Date.now();
    const start: Input = { kind: 'start-height', height: next, validatorUpdates: committed.coreUpdates };
    if (this.options.timing.commitMs > 0) this.later(this.options.timing.commitMs, () => this.run(() => this.step(start)));
    else await this.step(start);
  }

  private wireCommit(certificate: CommitCertificate): v1.Commit__Output {
    const precommits = certificate.precommits.map((v) => this.votes.get(voteKey(v))).filter((v): v is v1.Vote__Output => v !== undefined);
    return { height: certificate.height, round: certificate.round, blockHash: Buffer.from(valueBytes(certificate.value)), precommits };
  }

  private evidence(evidence: Evidence): void {
    const { logger, chain, signer, genesis } = this.options;
    if (evidence.kind !== 'duplicate-vote') {
      logger.warn({ proposer: evidence.first.proposer, height: evidence.first.height }, 'conflicting proposals seen (no transaction carries proposal evidence)');
      return;
    }
    const a = this.votes.get(voteKey(evidence.first));
    const b = this.votes.get(voteKey(evidence.second));
    if (!a || !b) return;
    const nonce = Math.max(nonceOf(chain.state, toHex(signer.identity.publicKey)), this.evidenceNonce) + 1;
    this.evidenceNonce = nonce;
    try {
      const tx = decodeTxBytes(encodeTx(signTx(signer.identity, genesis.chainId, nonce, { evidence: { voteA: a, voteB: b } })), { chainId: genesis.chainId });
      this.options.mempool.add(tx.wire, tx.size);
      this.network.gossipTx(tx.wire);
      logger.warn({ validator: evidence.first.validator, height: evidence.first.height, round: evidence.first.round, tx: tx.hashHex }, 'conflicting votes: evidence submitted');
      this.txArrived();
    } catch (error) {
      logger.warn({ err: error }, 'evidence not submitted');
    }
  }

  /** Transactions a peer's mempool accepted. */
  private receiveTxs(txs: readonly v1.Tx__Output[]): Reception {
    let fresh = false;
    for (const wire of txs) {
      try {
        fresh = this.options.mempool.add(wire).fresh || fresh;
      } catch (error) {
        if (error instanceof TxFormatError && error.reason === 'bad_signature') return 'bad';
      }
    }
    if (fresh) this.txArrived();
    return 'ok';
  }

  /** A message from a peer (Hello already done). Signatures are checked here, before the core sees anything. */
  receive(message: v1.ConsensusMessage__Output, peer: string): Reception {
    if (message.vote) return this.receiveVote(message.vote, peer);
    if (message.proposal) return this.receiveProposal(message.proposal, message);
    if (message.status) {
      // A peer committed our running height: fetch the block, unless consensus is about to deliver it.
      if (message.status.latestCommitted >= this.core.height && (message.status.latestCommitted > this.core.height || Date.now() - this.heightBegan > this.options.timing.relayAfterMs)) {
        this.network.requestSync(peer);
      }
      return 'ok';
    }
    if (message.txs) return this.receiveTxs(message.txs.txs);
    return 'bad';
  }

  private setFor(height: number): ValidatorSet | undefined {
    if (height === this.core.height) return this.core.validators;
    if (height === this.core.height + 1) return validatorsAt(this.core, height);
    return undefined;
  }

  private receiveVote(wire: v1.Vote__Output, peer: string): Reception {
    if (wire.height < this.core.height) return 'ignored';
    if (wire.height > this.core.height + 1) {
      // Far ahead: a sign this node is behind, if the vote is genuine.
      if (!checkVote(this.options.genesis.chainId, wire)) return 'bad';
      this.network.requestSync(peer);
      return 'ignored';
    }
    const key = `${wire.height}/${wire.round}/${String(wire.type)}/${wire.validator}/${toHex(wire.blockHash)}`;
    if (this.votes.has(key)) return 'duplicate';
    const set = this.setFor(wire.height);
    if (!set || powerOf(set, wire.validator) === 0) return 'bad';
    const vote = checkVote(this.options.genesis.chainId, wire);
    if (!vote) return 'bad';
    this.votes.set(key, wire);
    void this.run(() => this.step({ kind: 'vote', vote }));
    return 'ok';
  }

  private receiveProposal(wire: v1.Proposal__Output, message: v1.ConsensusMessage__Output): Reception {
    if (wire.height < this.core.height) return 'ignored';
    if (wire.height > this.core.height + 1) {
      this.network.requestSync();
      return 'ignored';
    }
    const block = wire.block;
    if (!block?.header || !wire.signature) return 'bad';
    const value = valueOf(block);
    const key = `${wire.height}/${wire.round}/${wire.proposer}/${value}`;
    if (this.proposals.has(key)) return 'duplicate';
    const set = this.setFor(wire.height);
    const publicKey = new Uint8Array(wire.signature.publicKey);
    if (!set || powerOf(set, wire.proposer) === 0 || publicKey.length !== 32) return 'bad';
    const statement = proposalStatement(this.options.genesis.chainId, wire.height, wire.round, valueBytes(value), wire.validRound);
    if (!verifyStatement(publicKey, 'proposal', statement, new Uint8Array(wire.signature.signature))) return 'bad';
    if (toHex(sha256(publicKey).subarray(0, 20)) !== wire.proposer) return 'bad';
    this.proposals.set(key, message);
    const proposal = { height: wire.height, round: wire.round, value, validRound: wire.validRound, proposer: wire.proposer };
    void this.run(() => this.step({ kind: 'proposal', proposal }, block));
    return 'ok';
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
            const v = checkVote(this.options.genesis.chainId, w);
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
    const stalled = now - this.heightBegan;
    if (now - this.heightStartedAt < this.options.timing.relayAfterMs) return;
    this.heightStartedAt = now;
    for (const [key, vote] of this.votes) if (Number(key.split('/')[0]) >= this.core.height) this.network.broadcast({ message: 'vote', vote });
    if (stalled >= 4 * this.options.timing.relayAfterMs) {
      for (const [key, proposal] of this.proposals) if (Number(key.split('/')[0]) >= this.core.height) this.network.broadcast(proposal);
    }
    this.network.broadcast({ message: 'status', status: this.status() });
  }
}

/** The votes map key of a core vote (or of its wire form). */
function voteKey(vote: Vote | undefined, wire?: v1.Vote__Output): string {
  if (wire) return `${wire.height}/${wire.round}/${String(wire.type)}/${wire.validator}/${toHex(wire.blockHash)}`;
  const v = vote as Vote;
  return `${v.height}/${v.round}/${v.type === 'prevote' ? 'VOTE_TYPE_PREVOTE' : 'VOTE_TYPE_PRECOMMIT'}/${v.validator}/${v.value ?? ''}`;
}

