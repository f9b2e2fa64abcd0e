// `npm run bench -- tx-intake [--txs N]`: one validator's mempool taking transactions two ways — as other validators
// pass them on (batches of 1,000, four in flight) and as clients submit them (one per BroadcastTx, 64 calls in
// flight) — their signatures checked on the event loop (the baseline) and on one and two worker threads
// (LEARNCHAIN_SIGNATURE_THREADS), modes alternated twice in this process. Prints transactions per second and the
// event loop's busy time per transaction (what is left for consensus), then one JSON line. On a machine whose
// cores the other validators already use, threads move the work but add no cores.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { Identity, SignatureThreads, inlineSignatureChecks, toHex, type SignatureChecks } from '../../packages/core/src/index';
import { genesisWrites, LedgerState, parseGenesis, signTx } from '../../packages/ledger/src/index';
import { messageCodec, type v1 } from '../../packages/proto/src/index';
import { Mempool } from '../../services/validator/src/mempool';

const at = process.argv.indexOf('--txs');
const TXS = at > 0 ? Number(process.argv[at + 1]) : 16_000;
if (!Number.isSafeInteger(TXS) || TXS < 1000) throw new Error('--txs must be an integer of at least 1000');
const BATCH = 1000;
const IN_FLIGHT = 4;

const chainId = 'bench-intake';
const genesis = parseGenesis({ chainId, validators: [{ publicKey: toHex(Identity.generate().publicKey), power: 1 }] });
const state = new LedgerState();
state.apply(genesisWrites(genesis));

process.stderr.write(`signing ${TXS} transactions...\n`);
const codec = messageCodec<v1.Tx, v1.Tx__Output>('learnchain.v1.Tx');
const signers = Array.from({ length: 64 }, () => Identity.generate());
// As they arrive: decoded from one gossip message's bytes, so each is a view into that message.
const batches: v1.Tx__Output[][] = [];
for (let b = 0; b < TXS / BATCH; b++) {
  const batch: v1.Tx__Output[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const signer = signers[n % signers.length] as Identity;
    const nonce = Math.floor(n / signers.length) + 1;
    batch.push(codec.decode(codec.encode(signTx(signer, chainId, nonce, { createJob: { jobId: `t-${n}`, initialParametersHash: Buffer.alloc(32, 2), rule: { name: 'fedavg' }, minTrainers: 1 } }))));
  }
  batches.push(batch);
}

interface Run {
  readonly txPerS: number;
  readonly loopMsPerTx: number;
}

const CALLS_IN_FLIGHT = 64;
const singles = batches.flat();

type Arrival = 'gossip' | 'client';

async function run(checks: SignatureChecks, arrival: Arrival): Promise<Run> {
  const mempool = new Mempool(genesis, () => state, TXS * 2);
  const loop0 = performance.eventLoopUtilization();
  const began = performance.now();
  let next = 0;
  let fresh = 0;
  if (arrival === 'gossip') {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < batches.length) {
          const outcome = await mempool.addBatch(batches[next++] as v1.Tx__Output[], checks);
          if (outcome.badSignatures > 0 || outcome.dropped > 0) throw new Error(`a batch lost transactions: ${JSON.stringify(outcome)}`);
          fresh += outcome.fresh;
        }
      }),
    );
  } else {
    await Promise.all(
      Array.from({ length: CALLS_IN_FLIGHT }, async () => {
        while (next < singles.length) if ((await mempool.addChecked(singles[next++] as v1.Tx__Output, checks)).fresh) fresh += 1;
      }),
    );
  }
  const ms = performance.now() - began;
  const loop = performance.eventLoopUtilization(loop0);
  if (fresh !== TXS) throw new Error(`${fresh} of ${TXS} transactions entered the mempool`);
  return { txPerS: Math.round((TXS * 1000) / ms), loopMsPerTx: Number(((loop.active as number) / TXS).toFixed(4)) };
}

async function main(): Promise<void> {
  const modes: [string, SignatureChecks][] = [
    ['inline', inlineSignatureChecks],
    ['threads_1', new SignatureThreads(1)],
    ['threads_2', new SignatureThreads(2)],
  ];
  const best = new Map<string, Run>();
  try {
    await run(inlineSignatureChecks, 'gossip'); // warm-up
    for (let pass = 0; pass < 2; pass++) {
      for (const arrival of ['gossip', 'client'] as const) {
        for (const [name, checks] of modes) {
          const r = await run(checks, arrival);
          process.stderr.write(`  ${arrival} ${name}: ${r.txPerS} tx/s, event loop ${r.loopMsPerTx} ms per tx\n`);
          const key = `${arrival}/${name}`;
          const prior = best.get(key);
          if (!prior || r.txPerS > prior.txPerS) best.set(key, r);
        }
      }
    }
  } finally {
    for (const [, checks] of modes) await checks.close();
  }
  const figures = (arrival: Arrival) => {
    const of = (name: string): Run => best.get(`${arrival}/${name}`) as Run;
    return {
      tx_per_s: { inline: of('inline').txPerS, threads_1: of('threads_1').txPerS, threads_2: of('threads_2').txPerS },
      speedup: { threads_1: Number((of('threads_1').txPerS / of('inline').txPerS).toFixed(2)), threads_2: Number((of('threads_2').txPerS / of('inline').txPerS).toFixed(2)) },
      event_loop_ms_per_tx: { inline: of('inline').loopMsPerTx, threads_1: of('threads_1').loopMsPerTx, threads_2: of('threads_2').loopMsPerTx },
    };
  };
  console.log(
    JSON.stringify({
      gossip: figures('gossip'),
      client: figures('client'),
      txs: TXS,
      cpus: availableParallelism(),
      load_average: loadavg().map((l) => Number(l.toFixed(2))),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
