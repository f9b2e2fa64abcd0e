/** A chain for ledger tests: its genesis and keys, and signed transactions of each kind the tests need. */
import { Identity, signStatement, toHex, updateStatement } from '@learnchain/core';

import { decodeTxBytes, encodeTx, genesisWrites, LedgerState, parseGenesis, signTx, type Genesis, type Tx, type TxContext } from '../../index';

export const CHAIN = 'test-chain';

export const hash32 = (byte: number): Buffer => Buffer.alloc(32, byte);

export type LedgerFixture = ReturnType<typeof ledgerFixture>;

/** A trainer a round result names as excluded. */
export interface Excluded {
  readonly nodeId: string;
  readonly reason: string;
  readonly updateHash?: Buffer;
}

/** A fresh chain; `genesisFields` are added to its genesis document. */
export function ledgerFixture(genesisFields: Record<string, unknown> = {}) {
  const validators = [Identity.generate(), Identity.generate(), Identity.generate(), Identity.generate()];
  const registry = Identity.generate();
  const aggregator = Identity.generate();
  const client = Identity.generate();
  const genesis: Genesis = parseGenesis({
    chainId: CHAIN,
    validators: validators.map((v) => ({ publicKey: toHex(v.publicKey), power: 1 })),
    registryKeys: [toHex(registry.publicKey)],
    aggregatorKeys: [toHex(aggregator.publicKey)],
    ...genesisFields,
  });

  const tx = (wire: ReturnType<typeof signTx>): Tx => decodeTxBytes(encodeTx(wire), { chainId: CHAIN });

  function included(trainer: Identity, round: number, base: Buffer, signer = trainer) {
    const updateHash = hash32(round + 10);
    const statement = updateStatement({ chainId: CHAIN, jobId: 'job-1', round, baseModelHash: base, updateHash, encoding: 'float32', numSamples: 10 });
    return { nodeId: trainer.address, updateHash, numSamples: 10, encoding: 'DTYPE_FLOAT32' as const, decision: 'selected', signature: { publicKey: Buffer.from(trainer.publicKey), signature: Buffer.from(signStatement(signer, 'update', statement)) } };
  }

  return {
    validators,
    registry,
    aggregator,
    client,
    genesis,
    tx,
    freshState(): LedgerState {
      const state = new LedgerState();
      state.apply(genesisWrites(genesis));
      return state;
    },
    ctx: (height: number): TxContext => ({ genesis, height, timeMs: 1000 + height }),
    job: (nonce: number, jobId = 'job-1') =>
      tx(signTx(client, CHAIN, nonce, { createJob: { jobId, model: 'mlp', initialParametersHash: hash32(1), rule: { name: 'fedavg' }, minTrainers: 1, rounds: 3 } })),
    register: (nonce: number, node: Identity, epoch: number, signer = registry) =>
      tx(signTx(signer, CHAIN, nonce, { registerNode: { nodeId: node.address, publicKey: Buffer.from(node.publicKey), role: 'ROLE_TRAINER', epoch } })),
    leave: (nonce: number, node: Identity, epoch: number, reason = 'left') => tx(signTx(registry, CHAIN, nonce, { nodeLeft: { nodeId: node.address, epoch, reason } })),
    included,
    /** Round `round` of job-1 on `base`, with the updates of `updates`, at membership epoch `epoch`, naming `excluded`. */
    result: (nonce: number, round: number, base: Buffer, updates: ReturnType<typeof included>[], signer = aggregator, epoch = 2, excluded: Excluded[] = []) =>
      tx(signTx(signer, CHAIN, nonce, { roundResult: { jobId: 'job-1', round, baseModelHash: base, newModelHash: hash32(round + 100), membershipEpoch: epoch, rule: { name: 'fedavg' }, included: updates, excluded } })),
  };
}
