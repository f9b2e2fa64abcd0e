// `npm run bench -- canonical [--seconds S]`: the canonical encoding of what validators encode most, side by
// side with the grammar written out plainly (test/support/canonical-reference.ts) as the baseline, in this
// process: a transaction's signed statement (CreateJob), a vote's, and a ledger entry (a job record), each
// checked to give the baseline's bytes first. Also decodeTx of a transaction whose signature is known good
// (what a validator does for every transaction beside the signature check) and the ed25519 check itself.
// Prints microseconds per call and the speedups, then one JSON line. Never asserts timings.
import { encodeCanonical, Identity, signedBytes, verifyBytes, type Canonical } from '../../packages/core/src/index';
import { decodeTx, signTx, txStatement } from '../../packages/ledger/src/index';
import { messageCodec, type v1 } from '../../packages/proto/src/index';
import { referenceEncoding } from '../support/canonical-reference';

const at = process.argv.indexOf('--seconds');
const seconds = at > 0 ? Number(process.argv[at + 1]) : 0.5;
if (!(seconds > 0)) throw new Error('--seconds must be a positive number');

/** Microseconds per call of `f`, best of five timed runs of `seconds` / 5 each after a warm-up. */
function timed(f: () => unknown): number {
  const until = performance.now() + 100;
  while (performance.now() < until) f();
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    let calls = 0;
    const began = performance.now();
    const end = began + (seconds * 1000) / 5;
    while (performance.now() < end) {
      for (let i = 0; i < 64; i++) f();
      calls += 64;
    }
    best = Math.min(best, ((performance.now() - began) * 1000) / calls);
  }
  return Number(best.toFixed(3));
}

const identity = Identity.generate();
const chainId = 'bench-chain';
const wire = signTx(identity, chainId, 7, { createJob: { jobId: 'job-42', initialParametersHash: Buffer.alloc(32, 1), rule: { name: 'trimmed-mean', params: { trim: 1 } }, minTrainers: 4 } });
const codec = messageCodec<v1.Tx, v1.Tx__Output>('learnchain.v1.Tx');
const decoded = codec.decode(codec.encode(wire));
const values: Record<string, Canonical> = {
  tx_statement: { domain: 'learnchain/v1/tx', statement: txStatement(chainId, decoded.nonce, 'createJob', decoded.createJob) },
  vote_statement: { domain: 'learnchain/v1/vote', statement: { chainId, height: 1234, round: 0, type: 'precommit', blockHash: new Uint8Array(32).fill(9), validator: 'ab'.repeat(20) } },
  job_record: { jobId: 'job-42', creator: 'cd'.repeat(20), rule: { name: 'trimmed-mean', params: { trim: 1 } }, minTrainers: 4, rounds: 0, initialModelHash: new Uint8Array(32), createdAt: 1234, spec: { model: 'mlp', manifest: { tensors: [{ shape: [784, 128], offset: 0 }, { shape: [128], offset: 100352 }] } } },
};

const encoding: Record<string, { us: number; reference_us: number; speedup: number }> = {};
for (const [name, value] of Object.entries(values)) {
  if (!Buffer.from(encodeCanonical(value)).equals(referenceEncoding(value))) throw new Error(`${name}: the encoder and the reference disagree`);
  const us = timed(() => encodeCanonical(value));
  const reference = timed(() => referenceEncoding(value));
  encoding[name] = { us, reference_us: reference, speedup: Number((reference / us).toFixed(2)) };
  console.log(`${name}: ${us} us, reference ${reference} us (${encoding[name]?.speedup}x)`);
}
const statement = txStatement(chainId, decoded.nonce, 'createJob', decoded.createJob);
const bytes = signedBytes('tx', statement);
const signature = new Uint8Array(decoded.signature?.signature ?? []);
const decodeUs = timed(() => decodeTx(decoded, { chainId, isVerified: () => true }));
const verifyUs = timed(() => verifyBytes(identity.publicKey, bytes, signature));
console.log(`decodeTx without the signature check: ${decodeUs} us; ed25519 check: ${verifyUs} us`);
console.log(JSON.stringify({ encoding, decode_tx_us: decodeUs, ed25519_verify_us: verifyUs }));
