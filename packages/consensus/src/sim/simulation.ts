/**
 * One seeded run: N validators running the real core on a virtual clock, a
 * hostile network until the global stabilisation time (network.ts), crashes with WAL
 * replay, Byzantine validators, and the invariants checked as events happen.
 */
import { applyWithFaults } from '../core';
import type { CoreFaults } from '../context';
import type { Effect, Input } from '../io';
import { createState } from '../state';
import { makeValidatorSet, proposerAt } from '../validators';
import type { CommitCertificate, ConsensusMessage, TimeoutKind } from '../types';
import { SimApplication } from './app';
import { byzantineCopies } from './byzantine';
import { Checker } from './checker';
import type { Violation } from './checker';
import { GOSSIP_INTERVAL, SimNetwork, type NetEvent } from './network';
import { createNode } from './node';
import type { SimNode } from './node';
import { Prng, hash32 } from './prng';
import { EventQueue } from './queue';
import type { Scenario } from './scenarios';
import { describeInput, describeMessage } from './trace';

/** Virtual milliseconds an honest node has, after GST and heal, to finish its heights. */
export const LIVENESS_BOUND = 20_000;

/** Base and per-round growth of each timeout, in virtual ms. */
const TIMEOUTS: Record<TimeoutKind, readonly [number, number]> = {
  propose: [30, 15],
  prevote: [15, 10],
  precommit: [15, 10],
};

type SimEvent =
  | NetEvent
  | { readonly kind: 'input'; readonly node: number; readonly incarnation: number; readonly input: Input }
  | { readonly kind: 'crash'; readonly node: number; readonly downFor: number }
  | { readonly kind: 'restart'; readonly node: number };

/** Options of one run. */
export interface RunOptions {
  readonly trace?: boolean;
  /** Planted bugs for the simulator's own tests; never set by the command line. */
  readonly faults?: CoreFaults;
}

/** What one run found. */
export interface RunResult {
  readonly seed: number;
  readonly scenario: string;
  /** Safety violations (agreement, validity, certificate, double-sign). */
  readonly violations: readonly Violation[];
  readonly livenessFailure: Violation | null;
  /** Distinct heights committed by honest validators. */
  readonly heightsCommitted: number;
  readonly inputsApplied: number;
  readonly evidence: number;
  readonly endTime: number;
  readonly trace: readonly string[];
}

/** Runs `scenario` with `seed`. Same arguments, same run, event for event. */
export function runSimulation(scenario: Scenario, seed: number, options: RunOptions = {}): RunResult {
  return new World(scenario, seed, options).run();
}

class World {
  private readonly rng: Prng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes: SimNode[] = [];
  private readonly honest: SimNode[] = [];
  private readonly app: SimApplication;
  private readonly checker: Checker;
  private readonly faults: CoreFaults;
  private readonly gst: number;
  private readonly network: SimNetwork;
  private readonly lines: string[] = [];
  private readonly tracing: boolean;
  private now = 0;
  private inputs = 0;
  private evidence = 0;
  private satisfied = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
    options: RunOptions,
  ) {
    this.rng = new Prng(hash32(`${scenario.name}/${seed}`));
    this.faults = options.faults ?? {};
    this.tracing = options.trace === true;
    const n = scenario.validators;
    const addresses = Array.from({ length: n }, (_, i) => `v${i}`);
    const byzantine = new Set(this.rng.shuffle(addresses.map((_, i) => i)).slice(0, scenario.byzantine));
    const honestAddresses = addresses.filter((_, i) => !byzantine.has(i));
    this.app = new SimApplication(this.rng, scenario.invalidRate, honestAddresses, scenario.validatorChanges);
    const genesis = makeValidatorSet(addresses.map((address) => ({ address, power: 1 })));
    this.checker = new Checker(genesis, this.app);
    this.gst = Math.round(this.rng.between(50, 300));
    const group: number[] = [];
    for (let i = 0; i < n; i++) {
      const address = addresses[i] as string;
      const state = createState({ address, height: 1, validators: genesis });
      const node = createNode(i, address, state, byzantine.has(i) ? scenario.behaviours : null);
      this.nodes.push(node);
      if (!node.behaviours) this.honest.push(node);
      group.push(this.rng.int(2));
    }
    const host = { now: () => this.now, feed: (node: SimNode, input: Input) => this.feed(node, input), ...(this.tracing ? { trace: (line: string) => this.log(line) } : {}) };
    this.network = new SimNetwork({ nodes: this.nodes, rng: this.rng, queue: this.queue, profile: scenario.network, gst: this.gst, group, host });
    if (byzantine.size > 0) this.log(`byzantine: ${[...byzantine].map((i) => `v${i}`).join(' ')}`);
    this.log(`gst=${this.gst}${scenario.network.partition ? ` partition=${group.join('')}` : ''}`);
  }

  run(): RunResult {
    for (const node of this.nodes) {
      this.queue.push(0, { kind: 'input', node: node.index, incarnation: 0, input: startHeight(1) });
      this.queue.push(this.rng.between(0, GOSSIP_INTERVAL), { kind: 'gossip', node: node.index, incarnation: 0 });
    }
    for (let c = 0; c < this.scenario.crashes; c++) {
      const victim = this.rng.pick(this.honest).index;
      this.queue.push(this.rng.between(0, this.gst), { kind: 'crash', node: victim, downFor: this.rng.between(5, 80) });
    }
    const deadline = this.gst + LIVENESS_BOUND;
    let stall: Violation | null = null;
    for (;;) {
      if (this.satisfied === this.honest.length) break;
      const next = this.queue.pop();
      if (!next || next.time > deadline) {
        const behind = this.honest.filter((n) => !this.isSatisfied(n)).map((n) => `${n.address}@h${n.state.height}`);
        this.checker.onStall(deadline, `no progress within ${LIVENESS_BOUND} ms after GST: ${behind.join(' ')}`);
        stall = this.checker.violations.pop() ?? null;
        this.now = deadline;
        break;
      }
      this.now = next.time;
      this.handle(next.event);
    }
    return {
      seed: this.seed,
      scenario: this.scenario.name,
      violations: this.checker.violations,
      livenessFailure: stall,
      heightsCommitted: this.countDecided(),
      inputsApplied: this.inputs,
      evidence: this.evidence,
      endTime: this.now,
      trace: this.lines,
    };
  }

  private countDecided(): number {
    let h = 1;
    while (this.checker.decision(h) !== undefined) h++;
    return h - 1;
  }

  private isSatisfied(n: SimNode): boolean {
    return n.lastCommitted >= this.scenario.heights && n.committedAfterGst >= this.scenario.heightsAfterGst;
  }

  private log(line: string): void {
    if (this.tracing) this.lines.push(`${this.now.toFixed(1).padStart(8)} ${line}`);
  }

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case 'deliver':
        this.network.deliver(e.to, e.from, e.message);
        return;
      case 'input': {
        const node = this.nodes[e.node] as SimNode;
        if (node.up && node.incarnation === e.incarnation) this.feed(node, e.input);
        return;
      }
      case 'gossip':
        this.network.gossip(e.node, e.incarnation);
        return;
      case 'crash':
        this.crash(e.node, e.downFor);
        return;
      case 'restart':
        this.restart(e.node);
        return;
    }
  }

  /** WAL first, then the core, then the effects. */
  private feed(node: SimNode, input: Input): void {
    if (input.kind === 'start-height') {
      const s = node.state;
      const fresh = s.step === 'idle' && s.height === input.height;
      if (!fresh && !(s.step === 'decided' && s.height + 1 === input.height)) return;
      node.wal.checkpoint = s;
      node.wal.inputs = [];
    }
    if (this.tracing) this.log(`${node.address} <- ${describeInput(input)}`);
    node.wal.inputs.push(input);
    this.inputs++;
    const t = applyWithFaults(node.state, input, this.faults);
    node.state = t.state;
    this.execute(node, t.effects);
  }

  private execute(node: SimNode, effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'broadcast':
          this.broadcast(node, e.message);
          break;
        case 'schedule-timeout': {
          const [base, growth] = TIMEOUTS[e.timeout.kind];
          const input: Input = { kind: 'timeout-elapsed', timeout: e.timeout };
          this.later(node, base + growth * e.timeout.round, input);
          break;
        }
        case 'request-proposal': {
          const byzantine = this.behaviour(node, e.height) === 'invalid-votes';
          const value = byzantine
            ? this.app.invalid(node.address, e.height, e.round)
            : this.app.propose(node.address, e.height, e.round);
          this.later(node, this.rng.between(0, 2), { kind: 'proposal-value', height: e.height, round: e.round, value });
          break;
        }
        case 'validate-proposal': {
          const valid = this.app.isValid(e.value);
          this.later(node, this.rng.between(0, 2), { kind: 'verdict', height: e.height, value: e.value, valid });
          break;
        }
        case 'commit':
          this.commit(node, e.certificate);
          break;
        case 'evidence':
          this.evidence++;
          if (this.tracing) this.log(`${node.address} evidence ${e.evidence.kind} from ${describeEvidence(e)}`);
          break;
      }
    }
  }

  private later(node: SimNode, delay: number, input: Input): void {
    this.queue.push(this.now + delay, { kind: 'input', node: node.index, incarnation: node.incarnation, input });
  }

  private commit(node: SimNode, certificate: CommitCertificate): void {
    const h = certificate.height;
    const proposal = node.state.proposals.get(certificate.round);
    if (proposal && !node.blocks.has(h)) node.blocks.set(h, { proposal, certificate });
    if (!node.behaviours) this.checker.onCommit(this.now, node.address, certificate);
    if (this.tracing) this.log(`${node.address} COMMIT h${h} r${certificate.round} ${certificate.value}`);
    if (h > node.lastCommitted) {
      const before = this.isSatisfied(node);
      node.lastCommitted = h;
      if (this.now >= this.gst) node.committedAfterGst++;
      if (!node.behaviours && !before && this.isSatisfied(node)) this.satisfied++;
    }
    const input: Input = { kind: 'start-height', height: h + 1, validatorUpdates: this.app.updatesOf(certificate.value) };
    this.later(node, 1, input);
  }

  private behaviour(node: SimNode, height: number): string | null {
    const list = node.behaviours;
    if (!list) return null;
    return list[hash32(`${this.seed}/${node.address}/${height}`) % list.length] ?? null;
  }

  private broadcast(node: SimNode, message: ConsensusMessage): void {
    const height = message.kind === 'vote' ? message.vote.height : message.proposal.height;
    if (!node.behaviours) {
      if (message.kind === 'vote') this.checker.onSigned(this.now, message.vote);
      this.network.publish(node, height, message);
      return;
    }
    const behaviour = this.behaviour(node, height);
    if (behaviour === 'silent') return;
    const round = message.kind === 'vote' ? message.vote.round : message.proposal.round;
    const view = {
      roundProposal: node.state.proposals.get(round)?.value ?? null,
      nextProposer: Number(proposerAt(node.state.validators, round + 1).slice(1)),
    };
    const copies = byzantineCopies(behaviour, message, this.nodes.length, node.index, this.rng, this.app, view);
    if (this.tracing && copies.length > 0) this.log(`${node.address} byzantine ${behaviour}: ${describeMessage(message)}`);
    for (const peer of this.nodes) {
      if (peer === node) continue;
      const copy = copies.length > 0 ? copies[peer.index] : message;
      if (copy) this.network.send(node.index, peer.index, copy);
    }
  }

  /** The node loses everything but its WAL and block store, and comes back `downFor` later. */
  private crash(index: number, downFor: number): void {
    const node = this.nodes[index] as SimNode;
    if (!node.up) return;
    node.up = false;
    node.incarnation++;
    node.own = [];
    this.log(`${node.address} CRASH (down ${downFor.toFixed(1)} ms)`);
    this.queue.push(this.now + downFor, { kind: 'restart', node: index });
  }

  /** Restores the checkpoint and re-applies the WAL: the same inputs give the same votes. */
  private restart(index: number): void {
    const node = this.nodes[index] as SimNode;
    node.up = true;
    node.incarnation++;
    let state = node.wal.checkpoint;
    const effects: Effect[] = [];
    for (const input of node.wal.inputs) {
      const t = applyWithFaults(state, input, this.faults);
      state = t.state;
      effects.push(...t.effects);
      this.inputs++;
    }
    node.state = state;
    this.log(`${node.address} RESTART: replayed ${node.wal.inputs.length} inputs to h${state.height} r${state.round} ${state.step}`);
    this.execute(node, effects);
    this.queue.push(this.now + this.rng.between(0, GOSSIP_INTERVAL), {
      kind: 'gossip',
      node: index,
      incarnation: node.incarnation,
    });
  }
}

function startHeight(height: number): Input {
  return { kind: 'start-height', height, validatorUpdates: [] };
}

function describeEvidence(e: Effect & { kind: 'evidence' }): string {
  const ev = e.evidence;
  return ev.kind === 'duplicate-vote' ? ev.first.validator : ev.first.proposer;
}
