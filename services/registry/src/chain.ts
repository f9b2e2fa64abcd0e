/**
 * Records membership on chain: each change becomes a RegisterNode or NodeLeft
 * transaction signed by the registry's key (listed in genesis), submitted in
 * epoch order and followed to commit, so the ledger can tell who belonged to a
 * round's epoch. One replica submits at a time (see store/chain-outbox.ts).
 */
import { status, type ServiceError } from '@grpc/grpc-js';

import { createClient, toHex, unary, type Identity, type Logger } from '@learnchain/core';
import { signTx, type TxBodyInput } from '@learnchain/ledger';
import { ROLES } from '@learnchain/membership';
import { contracts } from '@learnchain/proto';
import type { Kysely } from '@learnchain/storage';

import { drainChainOutbox, type ChainBatch, type ChainBatchResult, type ChainPass } from './store/chain-outbox';
import type { ChangeRecord } from './store/members';
import type { RegistryDb } from './store/schema';

type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;

export interface MembershipRecorderOptions {
  readonly chainId: string;
  readonly identity: Identity;
  /** Validators, host:port; tried in order. */
  readonly validators: readonly string[];
  readonly db: Kysely<RegistryDb>;
  readonly logger: Logger;
  /** How long one transaction may take to commit. */
  readonly commitTimeoutMs?: number;
}

/** The transaction body for one membership change. */
export function membershipTxBody(change: ChangeRecord): TxBodyInput {
  const { member } = change;
  if (change.status === 'active') {
    return {
      registerNode: {
        nodeId: member.nodeId,
        publicKey: Buffer.from(member.publicKey),
        role: ROLES[member.role],
        epoch: change.epoch,
        capabilities: { ...member.capabilities, labels: { ...member.capabilities.labels } },
      },
    };
  }
  return { nodeLeft: { nodeId: member.nodeId, epoch: change.epoch, reason: `${change.status}: ${change.reason}`.slice(0, 256) } };
}

function isTransient(error: unknown): boolean {
  const code = (error as Partial<ServiceError>).code;
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED || code === status.RESOURCE_EXHAUSTED || code === status.CANCELLED;
}

function isNonceProblem(message: string): boolean {
  return /replay|nonce/i.test(message);
}

export class MembershipRecorder {
  private readonly clients: ValidatorClient[];
  private interrupted = false;

  constructor(private readonly options: MembershipRecorderOptions) {
    this.clients = options.validators.map((address) => createClient(contracts().validator, address));
  }

  /** Submits what is pending: how many changes were done with, how many of the batch are still pending. */
  recordPending(): Promise<ChainPass> {
    return drainChainOutbox(this.options.db, (batch) => this.submit(batch));
  }

  /** Stops waiting for commits (on shutdown): what did not commit yet stays pending for the next start. */
  interrupt(): void {
    this.interrupted = true;
  }

  close(): void {
    this.interrupt();
    for (const client of this.clients) client.close();
  }

  /** The last nonce the ledger has seen from the registry's key. */
  private async ledgerNonce(): Promise<number> {
    const path = `nonces/${toHex(this.options.identity.publicKey)}`;
    for (const client of this.clients) {
      try {
        const answer = await unary(client, 'queryState', { path }, { deadlineMs: 3000 });
        return Number(JSON.parse(answer.json));
      } catch (error) {
        if ((error as Partial<ServiceError>).code === status.NOT_FOUND) return 0;
        if (!isTransient(error)) throw error;
      }
    }
    throw new Error('no validator answered');
  }

  /** Hands one transaction to a validator's mempool; tries each validator on transient failure. */
  private async broadcast(change: ChangeRecord, nonce: number): Promise<void> {
    const tx = signTx(this.options.identity, this.options.chainId, nonce, membershipTxBody(change));
    let last: unknown;
    for (const client of this.clients) {
      try {
        await unary(client, 'broadcastTx', { tx }, { deadlineMs: 5000 });
        return;
      } catch (error) {
        if (!isTransient(error)) throw error;
        last = error;
      }
    }
    throw last ?? new Error('no validator configured');
  }

  /** Waits until the ledger has committed `nonce` (or the time is up); returns the ledger's nonce. */
  private async committedUpTo(nonce: number): Promise<number> {
    const deadline = Date.now() + (this.options.commitTimeoutMs ?? 30_000);
    for (;;) {
      const committed = await this.ledgerNonce();
      if (committed >= nonce || Date.now() > deadline || this.interrupted) return committed;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Sends the batch to the mempool in nonce order without waiting for blocks,
   * then waits once for the ledger to commit the last nonce sent. Changes whose
   * transaction did not commit in time stay pending for the next pass.
   */
  private async submit(batch: ChainBatch): Promise<ChainBatchResult> {
    const done = new Map<number, string>();
    const sent: { epoch: number; nonce: number }[] = [];
    let nonce = batch.lastNonce;
    let resynced = false;
    for (let i = 0; i < batch.changes.length; ) {
      const change = batch.changes[i] as ChangeRecord;
      try {
        await this.broadcast(change, nonce + 1);
        nonce += 1;
        sent.push({ epoch: change.epoch, nonce });
        i++;
      } catch (error) {
        if (isTransient(error)) {
          this.options.logger.warn({ err: error }, 'validators unavailable; membership will be recorded later');
          break;
        }
        const message = (error as Error).message;
        if (isNonceProblem(message) && !resynced && sent.length === 0) {
          nonce = await this.ledgerNonce();
          resynced = true;
          continue;
        }
        this.options.logger.warn({ epoch: change.epoch, node: change.member.nodeId, err: error }, 'a membership change was refused by the mempool');
        done.set(change.epoch, `refused: ${message}`);
        i++;
      }
    }
    if (sent.length === 0) return { done, lastNonce: nonce };
    const committed = await this.committedUpTo(nonce);
    for (const tx of sent) if (tx.nonce <= committed) done.set(tx.epoch, 'committed');
    if (committed < nonce) this.options.logger.warn({ committed, sent: nonce }, 'membership transactions not committed in time; they will be sent again');
    return { done, lastNonce: committed };
  }
}
