// `npm run bench -- ledger-memory [--rounds N]`: what a validator's ledger state holds in memory per committed round,
// rounds' records being released once stored (as the validator does) beside the same state holding them (as it did
// before). N round records (default 50,000) of rounds of 10 and of 100 trainers each, as RoundResult execution writes
// them, one block per round; the two states are built one after the other in this process and measured by heap used
// after a full collection. Prints bytes per round record, then one JSON line.
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { Canonical } from '../../packages/core/src/index';
import { KEYS, LedgerState } from '../../packages/ledger/src/index';

const at = process.argv.indexOf('--rounds');
const ROUNDS = at > 0 ? Number(process.argv[at + 1]) : 50_000;
if (!Number.isSafeInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function heapUsed(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** A round's record as RoundResult execution writes it. */
function roundRecord(jobId: string, round: number, trainers: number): Canonical {
  return {
    jobId,
    round,
    height: 2 * round,
    parent: new Uint8Array(randomBytes(32)),
    model: new Uint8Array(randomBytes(32)),
    aggregator: randomBytes(32).toString('hex'),
    membershipEpoch: 3,
    included: Array.from({ length: trainers }, (_, i) => ({ nodeId: randomBytes(20).toString('hex'), updateHash: new Uint8Array(randomBytes(32)), decision: '', numSamples: 600 + i })),
    excluded: [],
    metrics: { openedAtMs: 1_700_000_000_000 + round, closedAtMs: 1_700_000_000_500 + round, aggregationMicros: 50_000, updateBytes: 800_000 * trainers },
  } as unknown as Canonical;
}

/** Heap bytes per round record of a state that commits `ROUNDS` rounds of `trainers`, releasing each block's once stored or not. */
function bytesPerRecord(trainers: number, release: boolean): number {
  const before = heapUsed();
  const state = new LedgerState();
  for (let round = 1; round <= ROUNDS; round++) {
    const writes = new Map([[KEYS.round('job', round), roundRecord('job', round, trainers)]]);
    state.apply(writes);
    state.appHash();
    if (release) state.release(writes);
  }
  const bytes = (heapUsed() - before) / ROUNDS;
  // Keeps the state alive through the measurement.
  if (state.appHash().length !== 32) throw new Error('unreachable');
  return Math.round(bytes);
}

const result: Record<string, { held: number; released: number; held_over_released: number }> = {};
for (const trainers of [10, 100]) {
  const held = bytesPerRecord(trainers, false);
  const released = bytesPerRecord(trainers, true);
  result[`trainers_${trainers}`] = { held, released, held_over_released: Math.round((held / released) * 10) / 10 };
  process.stderr.write(`${ROUNDS} rounds of ${trainers} trainers: ${held} bytes per round held, ${released} released once stored (${(held / released).toFixed(1)}x)\n`);
}
process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, bytes_per_round_record: result })}\n`);
