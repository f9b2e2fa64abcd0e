/**
 * What the fault suites require of a mesh after every fault, read over its
 * public APIs: every live validator reaches the highest height any of them
 * reports, all report the same block hash at every height, the light client
 * verifies each one's chain from genesis, and every update a trainer heard
 * acknowledged is in its committed round's record (included with its hash, or
 * excluded with a reason).
 */
import { toHex, unary } from '@learnchain/core';
import { verifyChain, type Genesis } from '@learnchain/ledger';
import type { contracts } from '@learnchain/proto';

import { grpcChainSource } from '../../cli/src/commands/chain-verify';
import type { ServiceProcess } from './processes';

export type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;

/** An update a trainer heard the aggregator acknowledge (its 'update submitted' log line). */
export interface AcknowledgedUpdate {
  readonly nodeId: string;
  readonly jobId: string;
  readonly round: number;
  readonly updateHash: string;
}

/** What the invariants saw. */
export interface InvariantReport {
  readonly height: number;
  readonly rounds: number;
  readonly acknowledged: number;
}

/** A committed round's record as QueryState jobs/ID/rounds/N gives it, as far as the invariants read it. */
interface RoundRecord {
  readonly included: readonly { readonly nodeId: string; readonly updateHash: string }[];
  readonly excluded: readonly { readonly nodeId: string; readonly reason: string }[];
}

/** What the invariants read of a mesh. */
export interface MeshView {
  readonly genesis: Genesis;
  readonly validatorAddresses: readonly string[];
  /** Every process ever started (the trainers' logs say what was acknowledged). */
  readonly started: readonly ServiceProcess[];
  /** The validators running and not paused. */
  live(): number[];
  validator(i: number): ValidatorClient;
  height(i: number): Promise<number>;
  reaches(i: number, target: number): Promise<number>;
  query<T>(path: string): Promise<T | undefined>;
}

/** A trainer process's node id (from its 'trainer running' line). */
export function nodeIdOf(proc: ServiceProcess): string {
  const running = proc.logs('trainer running')[0] as { nodeId?: string } | undefined;
  if (!running?.nodeId) throw new Error(`${proc.name} has not said its node id`);
  return running.nodeId;
}

/** Every update any of the trainer processes heard acknowledged for the job. */
export function acknowledgedUpdates(started: readonly ServiceProcess[], jobId: string): AcknowledgedUpdate[] {
  const out: AcknowledgedUpdate[] = [];
  for (const proc of started.filter((p) => p.name.startsWith('trainer-'))) {
    const nodeId = nodeIdOf(proc);
    for (const line of proc.logs('update submitted') as { job?: string; round?: number; updateHash?: string }[]) {
      if (line.job === jobId && typeof line.round === 'number' && line.updateHash) out.push({ nodeId, jobId, round: line.round, updateHash: line.updateHash });
    }
  }
  return out;
}

/** Checks the invariants (see above); throws naming the first that fails. */
export async function checkInvariants(mesh: MeshView, jobId?: string): Promise<InvariantReport> {
  const live = mesh.live();
  if (live.length === 0) throw new Error('no live validator');
  const target = Math.max(...(await Promise.all(live.map((i) => mesh.height(i)))));
  await Promise.all(live.map((i) => mesh.reaches(i, target)));
  for (let h = 1; h <= target; h++) {
    const hashes = await Promise.all(live.map(async (i) => toHex((await unary(mesh.validator(i), 'GetBlock', { height: h }, { deadlineMs: 10_000 })).blockHash)));
    if (new Set(hashes).size !== 1) throw new Error(`validators ${live.join(', ')} disagree at height ${h}: ${hashes.join(' ')}`);
  }
  for (const i of live) {
    const source = grpcChainSource(mesh.validatorAddresses[i] as string);
    try {
      const verdict = await verifyChain(mesh.genesis, source, { to: target });
      if (!verdict.ok) throw new Error(`the light client refuses validator ${i}'s chain at height ${verdict.height}: ${verdict.reason}`);
    } finally {
      source.close();
    }
  }
  let rounds = 0;
  let acknowledged = 0;
  if (jobId) {
    const job = await mesh.query<{ round: number }>(`jobs/${jobId}`);
    rounds = job?.round ?? 0;
    for (const ack of acknowledgedUpdates(mesh.started, jobId).filter((a) => a.round <= rounds)) {
      const record = await mesh.query<RoundRecord>(`jobs/${jobId}/rounds/${ack.round}`);
      const included = record?.included.some((u) => u.nodeId === ack.nodeId && u.updateHash === ack.updateHash);
      const excluded = record?.excluded.some((u) => u.nodeId === ack.nodeId && u.reason.length > 0);
      if (!included && !excluded) throw new Error(`the update ${ack.updateHash} of ${ack.nodeId} acknowledged in round ${ack.round} is missing from the committed record: ${JSON.stringify(record)}`);
      acknowledged += 1;
    }
  }
  return { height: target, rounds, acknowledged };
}
