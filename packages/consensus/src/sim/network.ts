/**
 * The simulated network between the nodes of one run: sending under the
 * scenario's faults (partitions until heal, drops and long delays until GST,
 * duplicates always), delivery, and the gossip that makes it reliable after
 * GST: each node's own messages of its height again, the votes of the round
 * each peer is in, proofs of lock with re-proposals, and committed blocks for
 * peers behind (block sync).
 */
import type { Input } from '../io';
import type { ConsensusMessage, Proposal } from '../types';
import { votesFor } from '../votes';
import type { SimNode } from './node';
import type { Prng } from './prng';
import type { EventQueue } from './queue';
import type { NetworkProfile } from './scenarios';
import type { NetMessage } from './trace';

/** Largest message delay after GST (Δ). */
export const DELTA = 10;
/** How often a node gossips its messages of the current height again. */
export const GOSSIP_INTERVAL = 40;

/** The events the network puts on the run's queue. */
export type NetEvent =
  | { readonly kind: 'deliver'; readonly to: number; readonly from: number; readonly message: NetMessage }
  | { readonly kind: 'gossip'; readonly node: number; readonly incarnation: number };

/** What the network needs of the run driving it. */
export interface NetworkHost {
  /** Virtual time now. */
  now(): number;
  /** Hands a node an input (through its WAL and core). */
  feed(node: SimNode, input: Input): void;
  /** A trace line, when the run is traced. */
  trace?(line: string): void;
}

export interface SimNetworkOptions {
  readonly nodes: readonly SimNode[];
  readonly rng: Prng;
  readonly queue: Pick<EventQueue<NetEvent>, 'push'>;
  readonly profile: NetworkProfile;
  /** Global stabilisation time: faults end, delays are at most Δ. */
  readonly gst: number;
  /** Each node's side of the partition (when the profile partitions). */
  readonly group: readonly number[];
  readonly host: NetworkHost;
}

export class SimNetwork {
  constructor(private readonly options: SimNetworkOptions) {}

  /** An honest node's message: to every peer, remembered for gossip, a re-proposal with its proof of lock. */
  publish(node: SimNode, height: number, message: ConsensusMessage): void {
    this.remember(node, height, message);
    this.sendToPeers(node, message);
    if (message.kind === 'proposal' && message.proposal.validRound >= 0) this.sendProofOfLock(node, message.proposal);
  }

  /** One copy of a message on its way, subject to the network's faults. */
  send(from: number, to: number, message: NetMessage): void {
    const { rng, profile: net, gst, group, queue } = this.options;
    const now = this.options.host.now();
    const before = now < gst;
    if (before && net.partition && group[from] !== group[to]) return;
    if (before && rng.chance(net.drop)) return;
    const copies = rng.chance(net.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      let at: number;
      if (before) {
        let delay = 1 + rng.exponential(net.meanDelay);
        if (rng.chance(net.slow)) delay *= rng.between(2, 20);
        at = Math.min(now + delay, gst + rng.between(1, DELTA));
      } else {
        at = now + rng.between(1, DELTA);
      }
      queue.push(at, { kind: 'deliver', to, from, message });
    }
  }

  deliver(to: number, from: number, message: NetMessage): void {
    const { nodes, host } = this.options;
    const node = nodes[to] as SimNode;
    if (!node.up) return;
    if (message.kind === 'catch-up') {
      if (message.proposal.height !== node.state.height || node.state.step === 'decided') return;
      host.trace?.(`${node.address} <- catch-up h${message.proposal.height} from v${from}`);
      const p = message.proposal;
      const certificate = { height: p.height, round: message.round, value: p.value, precommits: message.precommits };
      host.feed(node, { kind: 'commit-certificate', certificate });
      return;
    }
    const height = message.kind === 'vote' ? message.vote.height : message.proposal.height;
    if (height < node.state.height) this.offerCatchUp(node, from, height);
    const author = message.kind === 'vote' ? message.vote.validator : message.proposal.proposer;
    if (author === (nodes[from] as SimNode).address) {
      const round = message.kind === 'vote' ? message.vote.round : message.proposal.round;
      const known = node.peerRounds.get(from);
      if (!known || height > known.height || (height === known.height && round > known.round)) {
        node.peerRounds.set(from, { height, round });
      }
    }
    if (message.kind === 'vote') host.feed(node, { kind: 'vote', vote: message.vote });
    else host.feed(node, { kind: 'proposal', proposal: message.proposal });
  }

  /** A node's gossip tick: blocks for peers behind, its recent messages again, its peers' rounds; then the next tick. */
  gossip(index: number, incarnation: number): void {
    const node = this.options.nodes[index] as SimNode;
    if (!node.up || node.incarnation !== incarnation) return;
    this.sendCatchUps(node);
    if (node.ownHeight === node.state.height && node.state.step !== 'decided') {
      const recent = node.state.round - 1;
      for (const message of node.own) {
        // Recent rounds, plus prevotes for values: another round's proof of lock may need them.
        const keep =
          message.kind === 'vote'
            ? message.vote.round >= recent || (message.vote.type === 'prevote' && message.vote.value !== null)
            : message.proposal.round >= recent;
        if (keep) this.sendToPeers(node, message);
      }
      this.relayPeerRounds(node);
    }
    this.options.queue.push(this.options.host.now() + GOSSIP_INTERVAL, { kind: 'gossip', node: index, incarnation });
  }

  private sendToPeers(node: SimNode, message: NetMessage): void {
    for (const peer of this.options.nodes) if (peer !== node) this.send(node.index, peer.index, message);
  }

  /**
   * A re-proposal travels with its proof of lock: the 2f+1 prevotes of its valid
   * round this node holds (CometBFT's POL gossip), relayed as signed by others.
   */
  private sendProofOfLock(node: SimNode, proposal: Proposal): void {
    const pol = votesFor(node.state.votes, proposal.validRound, 'prevote', proposal.value);
    for (const vote of pol) {
      if (vote.validator === node.address) continue;
      const message: ConsensusMessage = { kind: 'vote', vote };
      this.remember(node, proposal.height, message);
      this.sendToPeers(node, message);
    }
  }

  private remember(node: SimNode, height: number, message: ConsensusMessage): void {
    if (node.ownHeight !== height) {
      node.own = [];
      node.ownHeight = height;
    }
    node.own.push(message);
  }

  /** Notes a peer that is behind; the next gossip tick sends it the block and its commit (block sync). */
  private offerCatchUp(node: SimNode, peer: number, height: number): void {
    if (!node.blocks.has(height)) return;
    const known = node.lagging.get(peer);
    if (known === undefined || height < known) node.lagging.set(peer, height);
  }

  private sendCatchUps(node: SimNode): void {
    for (const [peer, height] of node.lagging) {
      const block = node.blocks.get(height);
      if (!block) continue;
      this.send(node.index, peer, { kind: 'catch-up', proposal: block.proposal, round: block.certificate.round, precommits: block.certificate.precommits });
    }
    node.lagging.clear();
  }

  /**
   * Relays to each peer the votes this node holds for the round that peer is in
   * (as CometBFT's vote gossip does), so that what one honest node received
   * every honest node eventually receives, Byzantine votes included.
   */
  private relayPeerRounds(node: SimNode): void {
    for (const [peer, at] of node.peerRounds) {
      if (at.height !== node.state.height) continue;
      const rv = node.state.votes.get(at.round);
      if (!rv) continue;
      const peerAddress = (this.options.nodes[peer] as SimNode).address;
      for (const tally of [rv.prevote, rv.precommit]) {
        for (const vote of tally.byValidator.values()) {
          if (vote.validator === peerAddress || vote.validator === node.address) continue;
          this.send(node.index, peer, { kind: 'vote', vote });
        }
      }
    }
  }
}
