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

import { drainChainOutbox, type ChainBatch, type ChainBatchResult } from './store/chain-outbox';
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

  constructor(private readonly options: MembershipRecorderOptions) {
    this.clients = options.validators.map((address) => createClient(contracts().validator, address));
  }

  /** Submits what is pending; returns how many changes were done with. */
  recordPending(): Promise<number> {
    return drainChainOutbox(this.options.db, (batch) => this.submit(batch));
  }

  close(): void {
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

  /** Broadcasts one transaction and waits for its block; tries each validator on transient failure. */
  private async broadcast(change: ChangeRecord, nonce: number): Promise<{ accepted: boolean; reason: string }> {
    const tx = signTx(this.options.identity, this.options.chainId, nonce, membershipTxBody(change));
    let last: unknown;
    for (const client of this.clients) {
      try {
        const answer = await unary(client, 'broadcastTx', { tx, wait: 'TX_WAIT_COMMIT' }, { deadlineMs: this.options.commitTimeoutMs ?? 30_000 });
        return { accepted: answer.accepted, reason: answer.reason };
      } catch (error) {
        if (!isTransient(error)) throw error;
        last = error;
      }
    }
    throw last ?? new Error('no validator configured');
  }

  private async submit(batch: ChainBatch): Promise<ChainBatchResult> {
    const done = new Map<number, string>();
    let nonce = batch.lastNonce;
    let resynced = false;
    for (let i = 0; i < batch.changes.length; ) {
      const change = batch.changes[i] as ChangeRecord;
      try {
        const outcome = await this.broadcast(change, nonce + 1);
        nonce += 1; // committed, accepted or not: the ledger consumed the nonce
        if (!outcome.accepted) this.options.logger.warn({ epoch: change.epoch, node: change.member.nodeId, reason: outcome.reason }, 'ledger refused a membership change');
        done.set(change.epoch, outcome.accepted ? 'recorded' : `refused: ${outcome.reason}`);
        resynced = false;
        i++;
      } catch (error) {
        if (isTransient(error)) {
          this.options.logger.warn({ err: error }, 'validators unavailable; membership will be recorded later');
          break;
        }
        const message = (error as Error).message;
        if (isNonceProblem(message) && !resynced) {
          nonce = await this.ledgerNonce();
          resynced = true;
          continue;
        }
        this.options.logger.warn({ epoch: change.epoch, node: change.member.nodeId, err: error }, 'a membership change was refused before its block');
        done.set(change.epoch, `refused: ${message}`);
        i++;
      }
    }
    return { done, lastNonce: nonce };
  }
}
