/**
 * The checks of a RoundResult that need only the ledger state: the round is the
 * job's next, its base model is the job's lineage head, and every included
 * update is signed (domain 'update') by a member active at the round's
 * membership epoch (at most the genesis's epoch window behind the chain's) over (chain, job, round, base model, update). Re-executing
 * the aggregate and evaluating the model need blobs: see `RoundVerifier`.
 */
import { addressOf, equalBytes, updateStatement, verifyStatement } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import type { Genesis } from './genesis';
import { KEYS, read, type JobRecord, type MemberRecord } from './records';
import type { StateView } from './state';

/** The update encoding names trainers sign, by wire enum. */
export function encodingName(dtype: v1.DType__Output | string | number): string | undefined {
  switch (dtype) {
    case 'DTYPE_FLOAT32':
    case 1:
      return 'float32';
    case 'DTYPE_FLOAT16':
    case 2:
      return 'float16';
    case 'DTYPE_INT8':
    case 3:
      return 'int8';
    default:
      return undefined;
  }
}

/** The encoding a job's updates must use (CreateJob.update_encoding; unspecified means float32); undefined for an unknown one. */
export function jobEncoding(job: JobRecord): string | undefined {
  const spec = job.spec as { readonly updateEncoding?: unknown } | null;
  const value = spec !== null && typeof spec === 'object' ? spec.updateEncoding : undefined;
  if (value === undefined || value === null || value === 'DTYPE_UNSPECIFIED' || value === 0) return 'float32';
  return typeof value === 'string' || typeof value === 'number' ? encodingName(value) : undefined;
}

/** Whether `member` was active at membership epoch `epoch`. */
export function isActiveAt(member: MemberRecord, epoch: number): boolean {
  return member.joinedEpoch <= epoch && (member.leftEpoch === null || member.leftEpoch > epoch);
}

/** Returns why the round result is invalid against the state, or undefined when it passes. */
export function checkRoundResult(s: StateView, genesis: Genesis, job: JobRecord, r: v1.RoundResult__Output): string | undefined {
  const { chainId } = genesis;
  if (r.round !== job.round + 1) return `wrong-round: expected ${job.round + 1}, got ${r.round}`;
  if (!equalBytes(new Uint8Array(r.baseModelHash), job.head)) return 'wrong-base-model: not the head of the job lineage';
  if (r.newModelHash.length !== 32) return 'bad-new-model-hash';
  const epoch = read<{ epoch: number }>(s.get(KEYS.membership))?.epoch ?? 0;
  if (r.membershipEpoch > epoch) return `unknown-epoch: ${r.membershipEpoch} is beyond ${epoch}`;
  // Members that departed further back are forgotten (departures.ts).
  const window = genesis.membership.epochWindow;
  if (r.membershipEpoch < epoch - window) return `stale-epoch: ${r.membershipEpoch} is more than ${window} epochs behind ${epoch}`;
  if (r.included.length === 0) return 'no-updates';
  const seen = new Set<string>();
  for (const [i, u] of r.included.entries()) {
    if (seen.has(u.nodeId)) return `included[${i}]: duplicate node`;
    seen.add(u.nodeId);
    const member = read<MemberRecord>(s.get(KEYS.member(u.nodeId)));
    if (!member || !isActiveAt(member, r.membershipEpoch)) return `included[${i}]: ${u.nodeId} is not a member at epoch ${r.membershipEpoch}`;
    const sig = u.signature;
    if (!sig || !equalBytes(new Uint8Array(sig.publicKey), member.publicKey) || addressOf(member.publicKey) !== u.nodeId) return `included[${i}]: not signed by the member's key`;
    const encoding = encodingName(u.encoding);
    if (!encoding || u.updateHash.length !== 32) return `included[${i}]: bad encoding or update hash`;
    if (encoding !== jobEncoding(job)) return `included[${i}]: a ${encoding} update, the job takes ${jobEncoding(job) ?? 'none'}`;
    const statement = updateStatement({
      chainId,
      jobId: r.jobId,
      round: r.round,
      baseModelHash: new Uint8Array(r.baseModelHash),
      updateHash: new Uint8Array(u.updateHash),
      encoding,
      numSamples: u.numSamples,
    });
    if (!verifyStatement(member.publicKey, 'update', statement, new Uint8Array(sig.signature))) return `included[${i}]: bad update signature`;
  }
  return checkExcluded(s, r, seen);
}

/**
 * The excluded trainers: each once, none also included, each a member the
 * ledger knows (active or departed: one that lapsed or rejoined since the
 * round opened is still named rightly). An exclusion is recorded against
 * the member's reputation, so a name the ledger does not know would leave a
 * record that nothing ever forgets.
 */
function checkExcluded(s: StateView, r: v1.RoundResult__Output, included: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  for (const [i, u] of r.excluded.entries()) {
    if (included.has(u.nodeId)) return `excluded[${i}]: ${u.nodeId} is also included`;
    if (seen.has(u.nodeId)) return `excluded[${i}]: duplicate node`;
    seen.add(u.nodeId);
    if (s.get(KEYS.member(u.nodeId)) === undefined) return `excluded[${i}]: ${u.nodeId} is not a member`;
    if (u.updateHash.length !== 0 && u.updateHash.length !== 32) return `excluded[${i}]: the update hash is neither empty nor 32 bytes`;
    if (u.reason.length === 0) return `excluded[${i}]: no reason given`;
  }
  return undefined;
}
