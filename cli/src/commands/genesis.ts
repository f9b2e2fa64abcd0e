/** `learnchain genesis`: keys for validators, the registry and an aggregator, and the genesis file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Identity, toHex } from '@learnchain/core';
import { DEFAULT_CONSENSUS_PARAMS, DEFAULT_MEMBERSHIP_PARAMS, genesisToJson, parseGenesis } from '@learnchain/ledger';

import { parseArgs, UsageError, type Command, type Output } from '../command';

/** What `writeGenesis` produced. */
export interface GenesisFiles {
  readonly chainId: string;
  readonly genesisPath: string;
  readonly validatorKeys: readonly string[];
  readonly registryKey: string;
  readonly aggregatorKey: string;
}

export interface GenesisOptions {
  readonly validators: number;
  readonly out: string;
  readonly chainId: string;
  readonly power?: number;
}

/** Writes validator-N.key.json, registry.key.json, aggregator.key.json and genesis.json into `out`. */
export function writeGenesis(options: GenesisOptions): GenesisFiles {
  mkdirSync(options.out, { recursive: true });
  const validators = Array.from({ length: options.validators }, () => Identity.generate());
  const registry = Identity.generate();
  const aggregator = Identity.generate();
  const validatorKeys = validators.map((v, i) => {
    const path = join(options.out, `validator-${i}.key.json`);
    v.writeKeyFile(path);
    return path;
  });
  const registryKey = join(options.out, 'registry.key.json');
  registry.writeKeyFile(registryKey);
  const aggregatorKey = join(options.out, 'aggregator.key.json');
  aggregator.writeKeyFile(aggregatorKey);
  const genesis = parseGenesis({
    chainId: options.chainId,
    genesisTimeMs: Date.now(),
    validators: validators.map((v) => ({ address: v.address, publicKey: toHex(v.publicKey), power: options.power ?? 1 })),
    registryKeys: [toHex(registry.publicKey)],
    aggregatorKeys: [toHex(aggregator.publicKey)],
    validatorSetAuthorities: [],
    consensus: DEFAULT_CONSENSUS_PARAMS,
    membership: DEFAULT_MEMBERSHIP_PARAMS,
  });
  const genesisPath = join(options.out, 'genesis.json');
  writeFileSync(genesisPath, `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`);
  return { chainId: options.chainId, genesisPath, validatorKeys, registryKey, aggregatorKey };
}

export const genesisCommand: Command = {
  path: ['genesis'],
  summary: 'write validator, registry and aggregator keys and a genesis file',
  usage: 'learnchain genesis --validators N --out DIR [--chain-id ID] [--power P]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags } = parseArgs(args);
    const count = Number(flags.get('validators') ?? '4');
    if (!Number.isSafeInteger(count) || count < 1 || count > 100) throw new UsageError('--validators must be an integer from 1 to 100');
    const dir = flags.get('out');
    if (!dir) throw new UsageError('--out DIR is required');
    const power = Number(flags.get('power') ?? '1');
    if (!Number.isSafeInteger(power) || power < 1) throw new UsageError('--power must be a positive integer');
    const files = writeGenesis({ validators: count, out: dir, chainId: flags.get('chain-id') ?? 'learnchain-devnet', power });
    out.info(`wrote ${files.genesisPath}`);
    for (const k of [...files.validatorKeys, files.registryKey, files.aggregatorKey]) out.info(`wrote ${k}`);
    return 0;
  },
};
