/**
 * Outbound links to the other validators: one Gossip stream per peer, opened by
 * answering the peer's Hello with a signature over its nonce, re-opened with
 * backoff when it breaks; a bounded send queue per peer (SendQueue: the oldest
 * message is dropped when a peer cannot keep up, few transaction batches);
 * batched transaction gossip; and block sync from a peer that is ahead.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { createClient, serverStream, signStatement, type Identity, type Logger } from '@learnchain/core';
import { helloStatement } from '@learnchain/ledger';
import { contracts, type v1 } from '@learnchain/proto';

import type { Network } from './gossip';
import type { ValidatorNode } from './node';
import { SendQueue } from './send-queue';

type ConsensusClient = InstanceType<ReturnType<typeof contracts>['consensus']>;

export interface PeersOptions {
  readonly addresses: readonly string[];
  readonly identity: Identity;
  readonly chainId: string;
  readonly logger: Logger;
  readonly maxMessageBytes: number;
  readonly maxQueue?: number;
}

const TX_BATCH = 1000;
/** Transaction batches a peer's send queue holds at most. */
const TX_BATCHES_QUEUED = 16;

class PeerLink {
  readonly client: ConsensusClient;
  private call: ClientDuplexStream<v1.ConsensusMessage, v1.ConsensusMessage__Output> | undefined;
  private ready = false;
  private readonly queue: SendQueue;
  private backoffMs = 100;
  private closed = false;
  private dropped = 0;
  /** The peer's last reported committed height. */
  latestCommitted = 0;
  validator = '';

  constructor(
    readonly address: string,
    private readonly options: PeersOptions,
    private readonly node: ValidatorNode,
    private readonly onAhead: (link: PeerLink) => void,
  ) {
    this.client = createClient(contracts().consensus, address, { maxMessageBytes: options.maxMessageBytes });
    this.queue = new SendQueue(options.maxQueue ?? 10_000, TX_BATCHES_QUEUED);
  }

  start(): void {
    if (this.closed) return;
    const call = this.client.Gossip();
    this.call = call;
    let greeted = false;
    call.on('data', (message: v1.ConsensusMessage__Output) => {
      if (!greeted) {
        const hello = message.hello;
        if (!hello || hello.chainId !== this.options.chainId) {
          this.options.logger.warn({ peer: this.address }, 'peer answered without a valid Hello');
          call.cancel();
          return;
        }
        greeted = true;
        this.validator = hello.address;
        const { identity, chainId } = this.options;
        const signature = signStatement(identity, 'hello', helloStatement(chainId, identity.address, new Uint8Array(hello.nonce)));
        call.write({
          hello: { chainId, address: identity.address, latestHeight: this.node.status().latestCommitted, nonce: hello.nonce, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } },
        });
        this.ready = true;
        this.backoffMs = 100;
        this.latestCommitted = hello.latestHeight;
        if (hello.latestHeight >= this.node.height) this.onAhead(this);
        this.flush();
        return;
      }
      if (message.status) {
        this.latestCommitted = message.status.latestCommitted;
        this.node.receive(message, this.address);
      }
    });
    const restart = (): void => {
      if (this.call !== call) return;
      this.ready = false;
      this.call = undefined;
      if (this.closed) return;
      setTimeout(() => this.start(), this.backoffMs).unref();
      this.backoffMs = Math.min(this.backoffMs * 2, 2000);
    };
    call.on('error', restart);
    call.on('end', restart);
    call.on('drain', () => this.flush());
  }

  send(message: v1.ConsensusMessage): void {
    const outcome = this.queue.push(message, this.ready);
    if (outcome === 'displaced' && this.dropped++ % 1000 === 0) this.options.logger.warn({ peer: this.address, dropped: this.dropped }, 'peer send queue full: dropping the oldest messages');
    if (outcome !== 'skipped' && this.queue.length === 1) this.flush();
  }

  private flush(): void {
    const call = this.call;
    if (!this.ready || !call) return;
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      if (!call.write(next)) return;
    }
  }

  close(): void {
    this.closed = true;
    this.call?.cancel();
    this.client.close();
  }
}

/** The node's network: broadcast to every peer, gossip transactions, sync blocks. */
export class Peers implements Network {
  private readonly links: PeerLink[];
  private pendingTxs: v1.Tx__Output[] = [];
  private syncingNow = false;

  get syncing(): boolean {
    return this.syncingNow;
  }

  constructor(
    private readonly options: PeersOptions,
    private readonly node: ValidatorNode,
  ) {
    this.links = options.addresses.map((a) => new PeerLink(a, options, node, (link) => this.syncFrom(link)));
  }

  start(): void {
    for (const link of this.links) link.start();
  }

  broadcast(message: v1.ConsensusMessage__Output): void {
    for (const link of this.links) link.send(message as v1.ConsensusMessage);
  }

  gossipTx(tx: v1.Tx__Output): void {
    this.pendingTxs.push(tx);
    if (this.pendingTxs.length === 1) setImmediate(() => this.flushTxs());
    else if (this.pendingTxs.length >= TX_BATCH) this.flushTxs();
  }

  private flushTxs(): void {
    if (this.pendingTxs.length === 0) return;
    const txs = this.pendingTxs;
    this.pendingTxs = [];
    this.broadcast({ message: 'txs', txs: { txs } });
  }

  requestSync(peer?: string): void {
    const ahead = this.links.filter((l) => l.latestCommitted >= this.node.height);
    const link = this.links.find((l) => l.address === peer || l.validator === peer) ?? ahead[0] ?? this.links[Math.floor(Math.random() * this.links.length)];
    if (link) this.syncFrom(link);
  }

  /** Fetches committed blocks from `link` until this node is level with it. */
  private syncFrom(link: PeerLink): void {
    if (this.syncingNow) return;
    this.syncingNow = true;
    void (async () => {
      try {
        for (let rounds = 0; rounds < 1000; rounds++) {
          const from = this.node.height;
          let applied = 0;
          for await (const synced of serverStream(link.client, 'SyncBlocks', { fromHeight: from, toHeight: 0 }, { deadlineMs: 30_000 })) {
            const result = await this.node.applySynced(synced);
            if (result === 'bad') {
              this.options.logger.warn({ peer: link.address }, 'peer served a block that does not verify');
              return;
            }
            if (result !== 'applied') break;
            applied += 1;
          }
          if (applied === 0) return;
          this.options.logger.info({ peer: link.address, from, applied, height: this.node.height }, 'synced blocks');
        }
      } catch (error) {
        this.options.logger.debug({ err: error, peer: link.address }, 'block sync interrupted');
      } finally {
        this.syncingNow = false;
      }
    })();
  }

  close(): void {
    for (const link of this.links) link.close();
  }
}
