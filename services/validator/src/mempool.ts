/**
 * The mempool: transactions checked against everything the committed state can
 * tell (form, signature, chain, size, nonce, who may submit what), waiting for a
 * proposer. Bounded: past its limit it refuses new ones (RESOURCE_EXHAUSTED).
 * A transaction whose signer's earlier nonce is missing cannot go in a block
 * until that one arrives; once the mempool is half full, those that waited
 * STUCK_BLOCKS blocks are dropped, so that transactions no block can take (a
 * gap nobody fills, or one made on purpose) do not hold its room for good.
 */
import type { SignatureChecks } from '@learnchain/core';
import { authorityProblem, badTxSignature, decodeTx, decodeTxForm, nonceOf, TxFormatError, type DecodeTxOptions, type Genesis, type LedgerState, type Tx, type UncheckedTx } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { MempoolFullError, TxRefusedError } from './errors';

const VERIFIED_MEMORY = 200_000;

/** Blocks a transaction may wait for its signer's earlier nonce, once the mempool is half full. */
export const STUCK_BLOCKS = 10;

/** What a submitter of a transaction this validator rejected is told. */
function refusal(reason: string): string {
  return `this validator found the round unverifiable and votes against it: ${reason}`;
}

/** What became of one transaction of a batch: queued (new or already there), or refused with what `add` would throw. */
export type Admission = { readonly tx: Tx; readonly fresh: boolean } | { readonly refused: TxRefusal; readonly hash?: Uint8Array };

/** Why the mempool refuses a transaction. */
export type TxRefusal = TxFormatError | TxRefusedError | MempoolFullError;

/** Whether `error` is a refusal of the transaction (an answer for its sender) rather than a fault. */
export function isTxRefusal(error: unknown): error is TxRefusal {
  return error instanceof TxFormatError || error instanceof TxRefusedError || error instanceof MempoolFullError;
}

/** What became of a batch a peer passed on. */
export interface BatchOutcome {
  /** Transactions new to the mempool. */
  readonly fresh: number;
  readonly badSignatures: number;
  /** Transactions not looked at: too many were being checked already. */
  readonly dropped: number;
}

export class Mempool {
  /** Transactions of batches whose signatures are being checked. */
  private checking = 0;
  private readonly txs = new Map<string, Tx>();
  /** Blocks committed since this mempool began, and the count at which each transaction was queued. */
  private blocks = 0;
  private readonly queuedAt = new Map<string, number>();
  /** Transactions this validator found unverifiable (a round it votes against), with why: never queued again. */
  private readonly rejected = new Map<string, string>();
  /** Hashes whose signatures were checked (here or in a proposal), kept a while so a block is not verified twice. */
  private readonly verified = new Set<string>();
  private readonly rejectListeners = new Set<(hashHex: string, refusal: string) => void>();
  private readonly queueListeners = new Set<(tx: Tx) => void>();

  constructor(
    private readonly genesis: Genesis,
    private readonly state: () => LedgerState,
    private readonly maxTxs: number,
  ) {}

  get size(): number {
    return this.txs.size;
  }

  has(hashHex: string): boolean {
    return this.txs.has(hashHex);
  }

  isVerified = (hashHex: string): boolean => this.verified.has(hashHex);

  markVerified(hashHex: string): void {
    if (this.verified.size >= VERIFIED_MEMORY) this.verified.clear();
    this.verified.add(hashHex);
  }

  /**
   * Checks and queues a transaction; returns it, or the one already queued with the
   * same hash. Throws TxFormatError, TxRefusedError or MempoolFullError.
   */
  add(wire: v1.Tx__Output, size?: number): { tx: Tx; fresh: boolean } {
    return this.admit(decodeTx(wire, { ...this.decoding(size), isVerified: this.isVerified }));
  }

  /** {@link add} with the signature checked by `checks` (where client calls meet gossip on worker threads). */
  async addChecked(wire: v1.Tx__Output, checks: SignatureChecks): Promise<{ tx: Tx; fresh: boolean }> {
    const [admission] = (await this.admitAll([wire], checks)) as [Admission];
    if ('refused' in admission) throw admission.refused;
    return admission;
  }

  /**
   * Checks and queues a batch of transactions a peer passed on, their
   * signatures checked together by `checks` (on worker threads where cores
   * are spare). What `add` would refuse is skipped. While the mempool is
   * full, or past its size in transactions still being checked, a batch is
   * dropped whole, not even decoded (its transactions reach the proposer
   * through the validators that took them).
   */
  async addBatch(wires: readonly v1.Tx__Output[], checks: SignatureChecks): Promise<BatchOutcome> {
    if (this.txs.size >= this.maxTxs || this.overloaded(wires.length)) return { fresh: 0, badSignatures: 0, dropped: wires.length };
    let fresh = 0;
    let badSignatures = 0;
    for (const admission of await this.admitAll(wires, checks)) {
      if (!('refused' in admission)) fresh += admission.fresh ? 1 : 0;
      else if (admission.refused instanceof TxFormatError && admission.refused.reason === 'bad_signature') badSignatures += 1;
    }
    return { fresh, badSignatures, dropped: 0 };
  }

  /** Whether `count` more transactions to check would put more than the mempool's size under check at once (0: whether it has already). */
  overloaded(count = 0): boolean {
    return this.checking + count > this.maxTxs;
  }

  /**
   * Checks and queues each of `wires` as {@link add} would, their signatures
   * checked together by `checks`: one admission per transaction, in order,
   * each queued or refused with the error `add` would throw for it alone —
   * except that while the mempool is full, one not queued already is refused
   * as such without its signature checked.
   */
  async admitAll(wires: readonly v1.Tx__Output[], checks: SignatureChecks): Promise<Admission[]> {
    const formed = wires.map((wire): UncheckedTx | TxFormatError => {
      try {
        return decodeTxForm(wire, this.decoding());
      } catch (error) {
        if (error instanceof TxFormatError) return error;
        throw error;
      }
    });
    // A mempool already full (counting what is being checked) refuses transactions new to it unchecked: a flood costs no signature checks.
    const refusedUnchecked = new Set<UncheckedTx>();
    if (this.txs.size + this.checking >= this.maxTxs) for (const f of formed) if (!(f instanceof TxFormatError) && !this.txs.has(f.tx.hashHex)) refusedUnchecked.add(f);
    const unchecked = this.unchecked(formed.filter((f): f is UncheckedTx => !(f instanceof TxFormatError) && !refusedUnchecked.has(f)));
    this.checking += unchecked.length;
    let bad: Set<string>;
    try {
      bad = await this.badSignatures(unchecked, checks);
    } finally {
      this.checking -= unchecked.length;
    }
    let full: MempoolFullError | undefined;
    return formed.map((f): Admission => {
      if (f instanceof TxFormatError) return { refused: f };
      if (refusedUnchecked.has(f)) return { refused: (full ??= new MempoolFullError(this.maxTxs)), hash: f.tx.hash };
      if (bad.has(f.tx.hashHex)) return { refused: badTxSignature(), hash: f.tx.hash };
      try {
        return this.admit(f.tx);
      } catch (error) {
        if (isTxRefusal(error)) return { refused: error, hash: f.tx.hash };
        throw error;
      }
    });
  }

  /** The chain and size limit a transaction is decoded against here. */
  private decoding(size?: number): DecodeTxOptions {
    return { chainId: this.genesis.chainId, maxTxBytes: this.genesis.consensus.maxTxBytes, ...(size === undefined ? {} : { size }) };
  }

  /** Those of `formed` whose signatures were not checked here before. */
  private unchecked(formed: readonly UncheckedTx[]): UncheckedTx[] {
    return formed.filter((f) => !this.isVerified(f.tx.hashHex));
  }

  /** The hashes of those of `unchecked` whose signatures do not verify. */
  private async badSignatures(unchecked: readonly UncheckedTx[], checks: SignatureChecks): Promise<Set<string>> {
    const verdicts = await checks.verify(unchecked.map((f) => ({ publicKey: f.tx.signer, message: f.signed, signature: f.tx.signature })));
    return new Set(unchecked.filter((_, i) => !verdicts[i]).map((f) => f.tx.hashHex));
  }

  /** Queues a transaction whose signature verified. */
  private admit(tx: Tx): { tx: Tx; fresh: boolean } {
    this.markVerified(tx.hashHex);
    const existing = this.txs.get(tx.hashHex);
    if (existing) return { tx: existing, fresh: false };
    const rejection = this.rejected.get(tx.hashHex);
    if (rejection !== undefined) throw new TxRefusedError(refusal(rejection), 'body', 'round_unverifiable');
    if (this.txs.size >= this.maxTxs) throw new MempoolFullError(this.maxTxs);
    const state = this.state();
    if (tx.nonce <= nonceOf(state, tx.signerHex)) throw new TxRefusedError(`replay: nonce ${tx.nonce} is not above ${nonceOf(state, tx.signerHex)}`, 'nonce');
    // Authority does not depend on other pending transactions: refuse early what would be refused anyway.
    const problem = authorityProblem(state, tx, this.genesis);
    if (problem) throw new TxRefusedError(problem, 'signature', 'refused');
    this.txs.set(tx.hashHex, tx);
    this.queuedAt.set(tx.hashHex, this.blocks);
    for (const listener of this.queueListeners) listener(tx);
    return { tx, fresh: true };
  }

  /**
   * Transactions for a block within the limits: each signer's in nonce order
   * with no gap after its committed nonce (a transaction whose predecessor has
   * not arrived waits), signers in order of arrival.
   */
  reap(maxTxs: number, maxBytes: number): Tx[] {
    const out: Tx[] = [];
    let bytes = 0;
    for (const run of this.includable()) {
      for (const tx of run) {
        if (out.length >= maxTxs || bytes + tx.size > maxBytes) return out;
        out.push(tx);
        bytes += tx.size;
      }
    }
    return out;
  }

  /** Each signer's transactions a block could take now: the run of nonces right after its committed one, signers in order of arrival. */
  private includable(): Tx[][] {
    const state = this.state();
    const bySigner = new Map<string, Tx[]>();
    for (const tx of this.txs.values()) {
      const list = bySigner.get(tx.signerHex);
      if (list) list.push(tx);
      else bySigner.set(tx.signerHex, [tx]);
    }
    const runs: Tx[][] = [];
    for (const [signer, list] of bySigner) {
      list.sort((a, b) => a.nonce - b.nonce);
      const run: Tx[] = [];
      let expected = nonceOf(state, signer) + 1;
      for (const tx of list) {
        if (tx.nonce !== expected) break;
        run.push(tx);
        expected += 1;
      }
      runs.push(run);
    }
    return runs;
  }

  /** Drops a transaction that makes blocks invalid in this validator's eyes (so it stops proposing it) and refuses it from now on. */
  reject(hashHex: string, reason: string): void {
    this.drop(hashHex);
    if (this.rejected.size >= 10_000) this.rejected.clear();
    this.rejected.set(hashHex, reason);
    for (const listener of this.rejectListeners) listener(hashHex, refusal(reason));
  }

  /** Hears each transaction rejected, or dropped as stuck, with what a submitter waiting for it is told; returns the unsubscribe. */
  onReject(listener: (hashHex: string, refusal: string) => void): () => void {
    this.rejectListeners.add(listener);
    return () => this.rejectListeners.delete(listener);
  }

  /** Hears each transaction new to the mempool as it is queued; returns the unsubscribe. */
  onQueued(listener: (tx: Tx) => void): () => void {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  /** After a commit: drops the included transactions, any the new state makes replays, and (half full) those stuck for STUCK_BLOCKS blocks. */
  update(committed: readonly Tx[]): void {
    this.blocks += 1;
    for (const tx of committed) this.drop(tx.hashHex);
    if (this.txs.size === 0) return;
    const state = this.state();
    for (const [hash, tx] of this.txs) if (tx.nonce <= nonceOf(state, tx.signerHex)) this.drop(hash);
    if (this.txs.size >= this.maxTxs / 2) this.dropStuck();
  }

  private dropStuck(): void {
    const ready = new Set(this.includable().flatMap((run) => run.map((tx) => tx.hashHex)));
    const state = this.state();
    for (const [hash, tx] of this.txs) {
      if (ready.has(hash) || this.blocks - (this.queuedAt.get(hash) ?? this.blocks) < STUCK_BLOCKS) continue;
      this.drop(hash);
      const missing = nonceOf(state, tx.signerHex) + 1;
      const told = `dropped from the mempool: it waited ${STUCK_BLOCKS} blocks for its signer's transaction of nonce ${missing}, which never arrived; send that one, then this one again`;
      for (const listener of this.rejectListeners) listener(hash, told);
    }
  }

  private drop(hashHex: string): void {
    this.txs.delete(hashHex);
    this.queuedAt.delete(hashHex);
  }
}
