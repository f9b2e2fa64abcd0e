import { Identity, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import {
  blockHashOf,
  commitHashOf,
  coreUpdates,
  dataHashOf,
  decodeTxBytes,
  encodeTx,
  genesisValidatorSet,
  nextValidatorSet,
  parseGenesis,
  signTx,
  signVote,
  validatorsHashOf,
  verifyChain,
  type ChainSource,
} from '../index';

const CHAIN = 'light-client-test';
const ids = [Identity.generate(), Identity.generate(), Identity.generate(), Identity.generate()];
const genesis = parseGenesis({ chainId: CHAIN, validators: ids.map((v) => ({ publicKey: toHex(v.publicKey), power: 1 })) });
const removed = ids[3] as Identity;

interface Stored {
  block: v1.Block__Output;
  commit: v1.Commit__Output;
}

/** Five heights; block 1's change (validator 3 to power 0) rides in header 2 and takes effect at height 3. */
function buildChain(signersAt: (height: number) => Identity[] = () => ids.slice(0, 3)): Stored[] {
  const chain: Stored[] = [];
  let set = genesisValidatorSet(genesis);
  let previous: Uint8Array = new Uint8Array(0);
  let lastCommit: v1.Commit__Output | null = null;
  const client = Identity.generate();
  for (let h = 1; h <= 5; h++) {
    const txs = [decodeTxBytes(encodeTx(signTx(client, CHAIN, h, { createJob: { jobId: `j${h}`, initialParametersHash: Buffer.alloc(32, h), rule: { name: 'fedavg' }, minTrainers: 1 } })), { chainId: CHAIN })];
    const updates = h === 2 ? [{ publicKey: Buffer.from(removed.publicKey), power: 0 }] : [];
    const header: v1.Header__Output = {
      chainId: CHAIN,
      height: h,
      timeMs: 1000 + h,
      previousBlockHash: Buffer.from(previous),
      lastCommitHash: Buffer.from(commitHashOf(lastCommit)),
      dataHash: Buffer.from(dataHashOf(txs.map((t) => t.hash))),
      validatorsHash: Buffer.from(validatorsHashOf(set.validators)),
      nextValidatorsHash: Buffer.alloc(0),
      appHash: Buffer.alloc(32),
      proposer: (ids[0] as Identity).address,
      lastValidatorUpdates: updates,
    };
    const hash = blockHashOf(header);
    const precommits = signersAt(h).map((id) => signVote(id, CHAIN, { type: 'precommit', height: h, round: 0, value: toHex(hash), validator: id.address }));
    const commit: v1.Commit__Output = { height: h, round: 0, blockHash: Buffer.from(hash), precommits };
    chain.push({ block: { header, txs: txs.map((t) => t.wire), lastCommit }, commit });
    previous = hash;
    lastCommit = commit;
    set = nextValidatorSet(set, coreUpdates(updates.map((u) => ({ publicKey: new Uint8Array(u.publicKey), power: u.power }))));
  }
  return chain;
}

function source(chain: Stored[]): ChainSource {
  return { latestHeight: async () => chain.length, block: async (h) => chain[h - 1] as Stored };
}

describe('light client', () => {
  it('verifies hash links and quorum commits from genesis, following a validator-set change', async () => {
    expect(await verifyChain(genesis, source(buildChain()))).toEqual({ ok: true, height: 5 });
  });

  it('names the first height whose transactions were changed', async () => {
    const chain = buildChain();
    const block = (chain[1] as Stored).block;
    const tx = block.txs[0] as v1.Tx__Output;
    (chain[1] as Stored).block = { ...block, txs: [{ ...tx, nonce: tx.nonce + 1 }] };
    expect(await verifyChain(genesis, source(chain))).toMatchObject({ ok: false, height: 2 });
  });

  it('refuses a commit without more than 2/3 of the power, and signatures of a removed validator', async () => {
    const thin = buildChain((h) => (h === 4 ? ids.slice(0, 2) : ids.slice(0, 3)));
    expect(await verifyChain(genesis, source(thin))).toEqual({ ok: false, height: 4, reason: 'commit: insufficient-power' });
    // At height 3 validator 3 has no power any more: its signature does not count (and is refused).
    const stale = buildChain((h) => (h === 3 ? [ids[0] as Identity, ids[1] as Identity, removed] : ids.slice(0, 3)));
    expect(await verifyChain(genesis, source(stale))).toEqual({ ok: false, height: 3, reason: 'commit: not-a-validator' });
  });

  it('refuses a header that does not link to the previous block', async () => {
    const chain = buildChain();
    const s = chain[2] as Stored;
    s.block = { ...s.block, header: { ...(s.block.header as v1.Header__Output), previousBlockHash: Buffer.alloc(32, 1) } };
    expect(await verifyChain(genesis, source(chain))).toEqual({ ok: false, height: 3, reason: 'previous block hash does not link' });
  });
});
