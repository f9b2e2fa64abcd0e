/**
 * The signer: holds the key, signs the core's votes and proposals, and keeps
 * the double-sign guard. A signed message is in the write-ahead log when it is
 * handed back, with a promise that resolves once the log is fsynced over it:
 * only then may it be sent (the caller goes on meanwhile, so one fsync can
 * cover several messages); a second, different message for the
 * same height/round/type is refused, including across restarts (the guard is
 * rebuilt from the log). Signing the same message again returns the bytes
 * signed before, so what was signed before a crash is what is sent after it.
 */
import { writeSync } from 'node:fs';

import type { ConsensusMessage } from '@learnchain/consensus';
import { signStatement, type Identity } from '@learnchain/core';
import { proposalStatement, signVote } from '@learnchain/ledger';
import { messageCodec, type v1 } from '@learnchain/proto';

import { valueBytes } from './blocks';
import { DoubleSignError } from './errors';
import type { Wal, WalEntry } from './wal';

const codec = (): ReturnType<typeof messageCodec<v1.ConsensusMessage, v1.ConsensusMessage__Output>> =>
  messageCodec<v1.ConsensusMessage, v1.ConsensusMessage__Output>('learnchain.v1.ConsensusMessage');

/** The guard key of a message: one signature per (height, round, kind). */
export function signKey(message: ConsensusMessage): string {
  return message.kind === 'vote' ? `${message.vote.height}/${message.vote.round}/${message.vote.type}` : `${message.proposal.height}/${message.proposal.round}/proposal`;
}

function valueOfMessage(message: ConsensusMessage): string | null {
  return message.kind === 'vote' ? message.vote.value : message.proposal.value;
}

export interface SignerOptions {
  readonly identity: Identity;
  readonly chainId: string;
  readonly wal: Wal;
  /** TEST ONLY: exit the process right after the log holds its first own precommit at this height or above. */
  readonly crashAfterPrecommitHeight?: number;
}

export class Signer {
  private readonly signed = new Map<string, { readonly value: string | null; readonly message: v1.ConsensusMessage__Output; readonly durable: Promise<void> }>();

  constructor(private readonly options: SignerOptions) {}

  get address(): string {
    return this.options.identity.address;
  }

  get identity(): Identity {
    return this.options.identity;
  }

  /** Rebuilds the guard from the log's signed entries of heights from `fromHeight` on (and writes them into the log again). */
  restore(entries: readonly WalEntry[], fromHeight = 0): number {
    let count = 0;
    for (const e of entries) {
      if (e.t !== 'signed' || Number(e.key.split('/')[0]) < fromHeight) continue;
      this.signed.set(e.key, { value: e.value, message: codec().decode(Buffer.from(e.msg, 'base64')), durable: Promise.resolve() });
      this.options.wal.append(e);
      count += 1;
    }
    if (count > 0) this.options.wal.sync();
    return count;
  }

  /** The blocks of the proposals this validator signed (and has not pruned). */
  proposedBlocks(): v1.Block__Output[] {
    const blocks: v1.Block__Output[] = [];
    for (const { message } of this.signed.values()) if (message.proposal?.block) blocks.push(message.proposal.block);
    return blocks;
  }

  /** Forgets the guard entries of heights below `height` (their blocks are committed). */
  prune(height: number): void {
    for (const key of this.signed.keys()) if (Number(key.split('/')[0]) < height) this.signed.delete(key);
  }

  /**
   * Signs `message` (a proposal needs its block) and logs it; resolves to the
   * wire message, whether it was signed before, and `durable`, which resolves
   * once the log is fsynced over it (send it only then). Rejects with DoubleSignError.
   */
  async sign(message: ConsensusMessage, block?: v1.Block__Output): Promise<{ wire: v1.ConsensusMessage__Output; again: boolean; durable: Promise<void> }> {
    const key = signKey(message);
    const value = valueOfMessage(message);
    const prior = this.signed.get(key);
    if (prior) {
      if (prior.value !== value) throw new DoubleSignError(key);
      return { wire: prior.message, again: true, durable: prior.durable };
    }
    const wire = this.wire(message, block);
    this.options.wal.append({ t: 'signed', key, value, msg: Buffer.from(codec().encode(wire as v1.ConsensusMessage)).toString('base64') });
    const crashAt = this.options.crashAfterPrecommitHeight ?? 0;
    const durable = this.options.wal.flush().then(() => {
      if (crashAt > 0 && message.kind === 'vote' && message.vote.type === 'precommit' && message.vote.height >= crashAt) {
        writeSync(2, `TEST crash: precommit ${key} is in the write-ahead log, exiting before it is sent\n`);
        process.exit(17);
      }
    });
    this.signed.set(key, { value, message: wire, durable });
    return { wire, again: false, durable };
  }

  /** Signs without the guard or the log: only the test-only Byzantine mode uses it. */
  signUnguarded(message: ConsensusMessage, block?: v1.Block__Output): v1.ConsensusMessage__Output {
    return this.wire(message, block);
  }

  private wire(message: ConsensusMessage, block?: v1.Block__Output): v1.ConsensusMessage__Output {
    const { identity, chainId } = this.options;
    if (message.kind === 'vote') return { message: 'vote', vote: signVote(identity, chainId, message.vote) };
    const p = message.proposal;
    const signature = signStatement(identity, 'proposal', proposalStatement(chainId, p.height, p.round, valueBytes(p.value), p.validRound));
    return {
      message: 'proposal',
      proposal: {
        height: p.height,
        round: p.round,
        validRound: p.validRound,
        block: block ?? null,
        proposer: p.proposer,
        signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) },
      },
    };
  }
}
