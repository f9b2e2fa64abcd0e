/**
 * The chain as this validator holds it: the tip, the ledger state, the
 * validator sets, the block store; executing and storing committed blocks,
 * answering those who wait for a transaction, and announcing blocks on the bus.
 */
import { setTimeout as delay } from 'node:timers/promises';

import type { EventBus } from '@learnchain/bus';
import type { ValidatorSet, ValidatorUpdate } from '@learnchain/consensus';
import { backoffMs, equalBytes, fromHex, isDatabaseAway, toHex, untilAborted, type Canonical, type Logger } from '@learnchain/core';
import {
  blockHashOf,
  checkBlock,
  coreUpdates,
  decodeTx,
  executeBlock,
  genesisValidatorSet,
  genesisWrites,
  isArchivedKey,
  LedgerState,
  nextValidatorSet,
  statePath,
  UnknownPathError,
  type Genesis,
  type Tx,
  type TxOutcome,
} from '@learnchain/ledger';
import { messageCodec, type v1 } from '@learnchain/proto';

import type { ChainTip } from './blocks';
import { BlockEvents } from './block-events';
import type { Mempool } from './mempool';
import type { BlockRow, BlockStore, StoredOutcome, StoredUpdate } from './store';
import { advanceSets, restoredSets, storedSets, storesSets, type ChainSets, type StoredSets } from './validator-sets';

export const blockCodec = () => messageCodec<v1.Block, v1.Block__Output>('learnchain.v1.Block');
export const commitCodec = () => messageCodec<v1.Commit, v1.Commit__Output>('learnchain.v1.Commit');

export interface CommittedBlock {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly block: v1.Block__Output;
  readonly commit: v1.Commit__Output;
  readonly txs: readonly Tx[];
  readonly outcomes: readonly TxOutcome[];
  readonly coreUpdates: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

export interface TxCommitted {
  readonly height: number;
  readonly outcome: TxOutcome;
}

/** How long a block that cannot be stored is tried again before the validator exits, and the longest wait between tries. */
const STORE_RETRY_FOR_MS = 60_000;
const STORE_RETRY_MAX_WAIT_MS = 2_000;

function wireUpdates(updates: readonly StoredUpdate[]): v1.ValidatorUpdate__Output[] {
  return updates.map((u) => ({ publicKey: Buffer.from(fromHex(u.publicKey) ?? new Uint8Array(0)), power: u.power }));
}

export class Chain {
  tip: ChainTip;
  previousSet: ValidatorSet | undefined;
  private currentSet: ValidatorSet;
  private readonly waiters = new Map<string, ((result: TxCommitted) => void)[]>();
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private persisting: Promise<void> = Promise.resolve();
  /** The last block durably stored (what GetBlock, Status and WatchBlocks see). */
  persistedTip: ChainTip;

  get persistedHeight(): number {
    return this.persistedTip.height;
  }
  mempool: Mempool | undefined;
  private readonly events: BlockEvents | undefined;

  private constructor(
    private readonly genesis: Genesis,
    private readonly store: BlockStore,
    readonly state: LedgerState,
    tip: ChainTip,
    sets: ChainSets,
    private readonly logger: Logger,
    bus: EventBus | undefined,
  ) {
    this.events = bus ? new BlockEvents(bus, genesis.chainId, logger) : undefined;
    this.tip = tip;
    this.persistedTip = tip;
    this.previousSet = sets.previous;
    this.currentSet = sets.current;
  }

  /** Loads the chain from the store (writing the genesis state on first start). */
  static async create(genesis: Genesis, store: BlockStore, logger: Logger, bus?: EventBus): Promise<Chain> {
    const height = await store.latestHeight();
    let state: LedgerState;
    let tip: ChainTip;
    if (height === 0) {
      state = new LedgerState();
      const writes = genesisWrites(genesis);
      state.apply(writes);
      if (!(await store.hasState())) await store.writeGenesis(writes);
      tip = { height: 0, hash: new Uint8Array(0), timeMs: genesis.genesisTimeMs, commit: null, updates: [], appHash: state.appHash() };
    } else {
      const rows = await store.state();
      state = LedgerState.fromRows(rows.values, rows.archived);
      const row = await store.block(height);
      if (!row) throw new Error(`block ${height} missing from the store`);
      tip = { height, hash: row.hash, timeMs: row.timeMs, commit: commitCodec().decode(row.commit), updates: wireUpdates(row.updates), appHash: state.appHash() };
      if (!equalBytes(row.appHash, tip.appHash)) throw new Error(`stored state does not hash to the app hash of block ${height}: the store is damaged, or was written by a version of learnchain that hashed the state another way`);
    }
    const stored = height > 0 ? await store.setsAtOrBelow(height) : undefined;
    const from = stored?.height ?? 0;
    const start = stored ? restoredSets(stored.sets) : { previous: undefined, current: genesisValidatorSet(genesis) };
    const sets = advanceSets(start, from, height, await store.updatesFrom(from));
    return new Chain(genesis, store, state, tip, sets, logger, bus);
  }

  /** The validator set of `height` (the tip's next height only). */
  setAt(height: number): ValidatorSet {
    if (height !== this.tip.height + 1) throw new Error(`only the set of height ${this.tip.height + 1} is known`);
    return this.currentSet;
  }

  coreUpdatesOfTip(): ValidatorUpdate[] {
    return coreUpdates(this.tip.updates.map((u) => ({ publicKey: new Uint8Array(u.publicKey), power: u.power })));
  }

  /** Executes and stores a decided block; `set` is the validator set of its height. */
  async commit(block: v1.Block__Output, commit: v1.Commit__Output, set: ValidatorSet, decoded?: readonly Tx[]): Promise<CommittedBlock> {
    const header = block.header as v1.Header__Output;
    const isVerified = this.mempool?.isVerified ?? (() => false);
    const txs = decoded && decoded.length === block.txs.length ? decoded : block.txs.map((w) => decodeTx(w, { chainId: this.genesis.chainId, isVerified }));
    const result = executeBlock(this.state, txs, { genesis: this.genesis, height: header.height, timeMs: header.timeMs });
    this.state.apply(result.writes);
    const appHash = this.state.appHash();
    const hash = blockHashOf(header);
    const updates: StoredUpdate[] = result.validatorUpdates.map((u) => ({ publicKey: toHex(u.publicKey), power: u.power }));
    const outcomes: StoredOutcome[] = txs.map((t, i) => ({ txHash: t.hashHex, ...(result.outcomes[i] as TxOutcome) }));
    const row = {
      height: header.height,
      hash,
      block: blockCodec().encode(block as v1.Block),
      commit: commitCodec().encode(commit as v1.Commit),
      outcomes,
      updates,
      appHash,
      timeMs: header.timeMs,
      txCount: txs.length,
    };
    this.previousSet = set;
    const tip: ChainTip = { height: header.height, hash, timeMs: header.timeMs, commit, updates: wireUpdates(updates), appHash };
    this.tip = tip;
    const core = coreUpdates(result.validatorUpdates);
    // The set of height h + 2 is the set of h + 1 advanced, with the changes of block h.
    this.currentSet = nextValidatorSet(this.currentSet, coreUpdates(block.header?.lastValidatorUpdates.map((u) => ({ publicKey: new Uint8Array(u.publicKey), power: u.power })) ?? []));
    const sets = storesSets(header.height) ? storedSets({ previous: this.previousSet, current: this.currentSet }) : undefined;
    this.mempool?.update(txs);
    const committed: CommittedBlock = { height: header.height, hash, block, commit, txs, outcomes: result.outcomes, coreUpdates: core, appHash };
    // The block is decided (more than 2/3 of the power precommitted it) and its
    // outcomes follow from it: those waiting for its transactions are answered
    // now. A block whose storing a crash cuts off is decided again from the log
    // or fetched by block sync, with the same outcomes.
    for (const [i, tx] of txs.entries()) this.answer(tx.hashHex, { height: header.height, outcome: result.outcomes[i] as TxOutcome });
    // Consensus moves on at once; the block is stored behind it, in order. The
    // write-ahead log keeps the inputs of a height until its block is stored.
    const began = performance.now();
    this.persisting = this.persisting.then(async () => {
      try {
        await this.storeBlock(row, result.writes, sets);
      } catch (error) {
        // The in-memory state is ahead of the store: only a restart from the store and the log is safe.
        this.logger.fatal({ err: error, height: header.height }, 'cannot store a committed block: exiting');
        process.exit(1);
      }
      this.persistedTip = tip;
      // Stored: the round records it wrote are read from the store from now on.
      this.state.release(result.writes);
      this.logger.debug({ height: header.height, txs: txs.length, storeMs: Number((performance.now() - began).toFixed(2)) }, 'committed');
      this.published(committed);
    });
    return committed;
  }

  /**
   * Stores a decided block, trying again while the database is away (a
   * restart of PostgreSQL, a dropped connection) for up to STORE_RETRY_FOR_MS;
   * a write whose answer was lost, but which went through, counts as stored.
   * Throws what the last try threw once that time is over (a try that hangs
   * is given up then too), and at once for an error that is not the database
   * being away.
   */
  private async storeBlock(row: BlockRow, writes: ReadonlyMap<string, Canonical | null>, sets: StoredSets | undefined): Promise<void> {
    const began = performance.now();
    const deadline = AbortSignal.timeout(STORE_RETRY_FOR_MS);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await untilAborted(this.store.commit(row, writes, sets), deadline);
      } catch (error) {
        const stored = await untilAborted(this.store.block(row.height), deadline).catch(() => undefined);
        if (stored && !equalBytes(stored.hash, row.hash)) throw new Error(`height ${row.height} is stored with another block`);
        if (!stored) {
          if (!isDatabaseAway(error)) throw error;
          if (attempt === 0) this.logger.warn({ err: error, height: row.height }, 'cannot store a committed block; trying again (consensus goes on meanwhile)');
          await delay(backoffMs(attempt, 100, STORE_RETRY_MAX_WAIT_MS));
          continue;
        }
      }
      if (attempt > 0) this.logger.info({ height: row.height, attempts: attempt + 1, afterMs: Math.round(performance.now() - began) }, 'committed block stored');
      return;
    }
  }

  /** Answers a QueryState path (LedgerState.query), an archived record from memory until its block is stored, then from the store. */
  async query(path: string): Promise<Canonical> {
    const key = statePath(path);
    if (!isArchivedKey(key)) return this.state.query(key);
    // Held, or released: released only once stored.
    const value = this.state.held(key) ?? (await this.store.entry(key));
    if (value === undefined) throw new UnknownPathError(path);
    return value;
  }

  /** Resolves once every committed block so far is stored. */
  persisted(): Promise<void> {
    return this.persisting;
  }

  private published(committed: CommittedBlock): void {
    for (const l of this.listeners) l(committed);
    const { height, hash, appHash, txs, outcomes } = committed;
    this.events?.announce({ height, hash, appHash, timeMs: (committed.block.header as v1.Header__Output).timeMs, txs, outcomes });
  }

  /** A synced block's fault against the running height, or undefined when it checks out. */
  checkSynced(block: v1.Block__Output, commit: v1.Commit__Output, set: ValidatorSet): string | undefined {
    const header = block.header as v1.Header__Output;
    const result = checkBlock(this.genesis, header.height, block, commit, set, this.tip.hash);
    if ('fault' in result) return result.fault;
    if (!equalBytes(new Uint8Array(header.appHash), this.tip.appHash)) return 'app hash differs from this validator state';
    return undefined;
  }

  /** Answers those waiting for a transaction this validator will not commit (it rejected it): refused, at no height. */
  refuse(hashHex: string, reason: string): void {
    this.answer(hashHex, { height: 0, outcome: { accepted: false, reason } });
  }

  /** Resolves (and forgets) everyone waiting for the transaction. */
  private answer(hashHex: string, result: TxCommitted): void {
    const waiting = this.waiters.get(hashHex);
    if (!waiting) return;
    this.waiters.delete(hashHex);
    for (const w of waiting) w(result);
  }

  /** Resolves when a block containing the transaction commits, or when this validator refuses it (height 0). */
  waitFor(hashHex: string, signal: AbortSignal): Promise<TxCommitted> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(hashHex) ?? [];
      const onAbort = (): void => {
        const rest = (this.waiters.get(hashHex) ?? []).filter((w) => w !== done);
        if (rest.length === 0) this.waiters.delete(hashHex);
        else this.waiters.set(hashHex, rest);
        reject(new Error('cancelled'));
      };
      const done = (result: TxCommitted): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      list.push(done);
      this.waiters.set(hashHex, list);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  onBlock(listener: (block: CommittedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A committed block as stored (waiting for it to be stored when it is committed but still on its way to the store). */
  async storedBlock(height: number): Promise<{ block: v1.Block__Output; commit: v1.Commit__Output; hash: Uint8Array; outcomes: readonly StoredOutcome[] } | undefined> {
    if (height > this.persistedTip.height && height <= this.tip.height) await this.persisting;
    const row = await this.store.block(height);
    if (!row) return undefined;
    return { block: blockCodec().decode(row.block), commit: commitCodec().decode(row.commit), hash: row.hash, outcomes: row.outcomes };
  }

  /** Waits for the events already queued (giving up, after a while, those the bus does not take). */
  async drainEvents(graceMs?: number): Promise<void> {
    await this.persisting;
    await this.events?.drain(graceMs);
  }
}
