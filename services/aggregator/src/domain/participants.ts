/** Who is asked to train in a round: the active trainers, or a seeded sample of them. */
import { sha256, toHex } from '@learnchain/core';

export interface Participant {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
}

/**
 * The participants of a round, sorted by node id. With `maxTrainers` > 0 and
 * more active trainers than that, a sample: the trainers with the smallest
 * SHA-256(seed ‖ node id), so anyone can recompute the draw from the seed.
 */
export function selectParticipants(active: readonly Participant[], maxTrainers: number, seed: string): Participant[] {
  const unique = [...new Map(active.map((p) => [p.nodeId, p])).values()];
  let chosen = unique;
  if (maxTrainers > 0 && unique.length > maxTrainers) {
    const rank = (p: Participant): string => toHex(sha256(new TextEncoder().encode(`${seed}\n${p.nodeId}`)));
    chosen = unique
      .map((p) => ({ p, r: rank(p) }))
      .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
      .slice(0, maxTrainers)
      .map((x) => x.p);
  }
  return chosen.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}
