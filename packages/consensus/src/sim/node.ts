/** One simulated validator host: its core, its write-ahead log and its block store. */
import type { ConsensusState } from '../state';
import type { Input } from '../io';
import type { CommitCertificate, ConsensusMessage, Proposal } from '../types';
import type { ByzantineBehaviour } from './scenarios';

/** A committed block as the block store keeps it: the proposal and its commit. */
export interface StoredBlock {
  readonly proposal: Proposal;
  readonly certificate: CommitCertificate;
}

/**
 * The in-memory write-ahead log. It survives a crash. Every input is appended
 * before the core sees it, so the votes a node signed can always be re-derived;
 * at each new height it restarts from a checkpoint of the core's state.
 */
export interface WriteAheadLog {
  checkpoint: ConsensusState;
  inputs: Input[];
}

/** A validator in the simulation. */
export interface SimNode {
  readonly index: number;
  readonly address: string;
  /** Null for an honest validator. */
  readonly behaviours: readonly ByzantineBehaviour[] | null;
  state: ConsensusState;
  readonly wal: WriteAheadLog;
  readonly blocks: Map<number, StoredBlock>;
  up: boolean;
  /** Bumped at each restart: timers and answers of an earlier life are void. */
  incarnation: number;
  /** This node's messages of the current height, gossiped again periodically. */
  own: ConsensusMessage[];
  ownHeight: number;
  lastCommitted: number;
  committedAfterGst: number;
  /** peer index → the latest height and round it spoke in (from its own messages). */
  readonly peerRounds: Map<number, { height: number; round: number }>;
  /** peer index → the lowest height it was seen at behind this node; served at the next gossip tick. */
  readonly lagging: Map<number, number>;
}

/** A fresh node around a core state that waits for its first `start-height`. */
export function createNode(
  index: number,
  address: string,
  state: ConsensusState,
  behaviours: readonly ByzantineBehaviour[] | null,
): SimNode {
  return {
    index,
    address,
    behaviours,
    state,
    wal: { checkpoint: state, inputs: [] },
    blocks: new Map(),
    up: true,
    incarnation: 0,
    own: [],
    ownHeight: state.height,
    lastCommitted: state.height - 1,
    committedAfterGst: 0,
    lagging: new Map(),
    peerRounds: new Map(),
  };
}
