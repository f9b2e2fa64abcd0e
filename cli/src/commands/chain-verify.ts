/** `learnchain chain verify`: the light client, from genesis to a validator's latest block. */
import { readFileSync } from 'node:fs';

import { createClient, unary } from '@learnchain/core';
import { parseGenesis, verifyChain, type ChainSource } from '@learnchain/ledger';
import { contracts } from '@learnchain/proto';

import { parseArgs, UsageError, type Command, type Output } from '../command';
import { serviceAddress } from '../client/flags';
import { describeFailure } from '../client/services';

/** A ChainSource over a validator's gRPC API. */
export function grpcChainSource(address: string): ChainSource & { close(): void } {
  const client = createClient(contracts().validator, address, { maxMessageBytes: 64 * 1024 * 1024 });
  return {
    async latestHeight() {
      const status = await unary(client, 'Status', {}).catch((error: unknown) => {
        throw describeFailure('validator', address, 'Status', error);
      });
      return status.latestHeight;
    },
    async block(height: number) {
      const response = await unary(client, 'GetBlock', { height }).catch((error: unknown) => {
        throw describeFailure('validator', address, 'GetBlock', error);
      });
      return { block: response.block, commit: response.commit };
    },
    close: () => client.close(),
  };
}

export const chainVerifyCommand: Command = {
  path: ['chain', 'verify'],
  summary: 'verify every block and commit from genesis (light client)',
  usage: 'learnchain chain verify [--validator HOST:PORT] [--genesis FILE] [--to HEIGHT]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags } = parseArgs(args);
    const address = serviceAddress(flags, 'validator');
    const genesisPath = flags.get('genesis') ?? process.env.LEARNCHAIN_GENESIS_FILE ?? 'genesis.json';
    let genesis;
    try {
      genesis = parseGenesis(JSON.parse(readFileSync(genesisPath, 'utf8')));
    } catch (error) {
      throw new UsageError(`cannot read the genesis file ${genesisPath}: ${(error as Error).message}`);
    }
    const to = flags.has('to') ? Number(flags.get('to')) : undefined;
    const source = grpcChainSource(address);
    try {
      const verdict = await verifyChain(genesis, source, to === undefined ? {} : { to });
      if (verdict.ok) {
        out.info(`chain ${genesis.chainId} verified: heights 1-${verdict.height}, every commit signed by more than 2/3 of the voting power`);
        return 0;
      }
      out.error(`chain verification failed at height ${verdict.height}: ${verdict.reason}`);
      return 1;
    } finally {
      source.close();
    }
  },
};
