/**
 * The genesis document: the chain id, the first validator set, the keys allowed
 * to speak for the registry and the aggregator, the validator-set policy and the
 * consensus and membership parameters. `learnchain genesis` writes it; every validator reads it.
 */
import { addressOf, fromHex, isPublicKey, toHex } from '@learnchain/core';

import { GenesisError } from './errors';

/** One validator of the first set. */
export interface GenesisValidator {
  readonly address: string;
  readonly publicKey: Uint8Array;
  readonly power: number;
}

/** Limits and timeouts every validator of the chain applies. */
export interface ConsensusParams {
  readonly maxBlockTxs: number;
  readonly maxBlockBytes: number;
  readonly maxTxBytes: number;
}

/** How the ledger keeps membership. */
export interface MembershipParams {
  /**
   * How many membership epochs a RoundResult's membership epoch may lag the
   * chain's. A member that departed this many epochs ago can be in no round
   * the ledger still accepts, so its records are forgotten then.
   */
  readonly epochWindow: number;
}

/** The parsed genesis document. */
export interface Genesis {
  readonly chainId: string;
  readonly genesisTimeMs: number;
  readonly validators: readonly GenesisValidator[];
  /** Public keys (hex) whose RegisterNode / NodeLeft transactions are accepted. */
  readonly registryKeys: readonly string[];
  /** Public keys (hex) whose RoundResult transactions are accepted (besides registered aggregators). */
  readonly aggregatorKeys: readonly string[];
  /** Public keys (hex) allowed to submit ValidatorSetUpdate; empty: nobody (only evidence changes the set). */
  readonly validatorSetAuthorities: readonly string[];
  readonly consensus: ConsensusParams;
  readonly membership: MembershipParams;
}

export const DEFAULT_CONSENSUS_PARAMS: ConsensusParams = { maxBlockTxs: 2000, maxBlockBytes: 4 * 1024 * 1024, maxTxBytes: 64 * 1024 };

export const DEFAULT_MEMBERSHIP_PARAMS: MembershipParams = { epochWindow: 10_000 };

/** The JSON form of a genesis document. */
export interface GenesisJson {
  readonly chainId: string;
  readonly genesisTimeMs: number;
  readonly validators: readonly { readonly address: string; readonly publicKey: string; readonly power: number }[];
  readonly registryKeys: readonly string[];
  readonly aggregatorKeys: readonly string[];
  readonly validatorSetAuthorities: readonly string[];
  readonly consensus: ConsensusParams;
  readonly membership: MembershipParams;
}

export function genesisToJson(genesis: Genesis): GenesisJson {
  return {
    ...genesis,
    validators: genesis.validators.map((v) => ({ address: v.address, publicKey: toHex(v.publicKey), power: v.power })),
  };
}

function keyList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new GenesisError(field, 'must be a list of hex public keys');
  return value.map((k, i) => {
    const bytes = typeof k === 'string' ? fromHex(k) : undefined;
    if (!bytes || !isPublicKey(bytes)) throw new GenesisError(`${field}[${i}]`, 'is not a hex ed25519 public key');
    return toHex(bytes);
  });
}

function positiveInt(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new GenesisError(field, 'must be a positive integer');
  return value;
}

/** Checks and parses a genesis document (as read from JSON). */
export function parseGenesis(input: unknown): Genesis {
  if (typeof input !== 'object' || input === null) throw new GenesisError('', 'must be a JSON object');
  const g = input as Record<string, unknown>;
  if (typeof g.chainId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(g.chainId)) throw new GenesisError('chainId', 'must be 1-64 characters of [A-Za-z0-9._-]');
  if (!Array.isArray(g.validators) || g.validators.length === 0) throw new GenesisError('validators', 'must be a non-empty list');
  const validators = g.validators.map((raw: unknown, i) => {
    const v = (raw ?? {}) as Record<string, unknown>;
    const publicKey = typeof v.publicKey === 'string' ? fromHex(v.publicKey) : undefined;
    if (!publicKey || !isPublicKey(publicKey)) throw new GenesisError(`validators[${i}].publicKey`, 'is not a hex ed25519 public key');
    const address = addressOf(publicKey);
    if (v.address !== undefined && v.address !== address) throw new GenesisError(`validators[${i}].address`, 'does not match the public key');
    return { address, publicKey, power: positiveInt(v.power, `validators[${i}].power`, 1) };
  });
  if (new Set(validators.map((v) => v.address)).size !== validators.length) throw new GenesisError('validators', 'lists a validator twice');
  const c = (g.consensus ?? {}) as Record<string, unknown>;
  const m = (g.membership ?? {}) as Record<string, unknown>;
  return {
    chainId: g.chainId,
    genesisTimeMs: typeof g.genesisTimeMs === 'number' ? g.genesisTimeMs : 0,
    validators,
    registryKeys: keyList(g.registryKeys, 'registryKeys'),
    aggregatorKeys: keyList(g.aggregatorKeys, 'aggregatorKeys'),
    validatorSetAuthorities: keyList(g.validatorSetAuthorities, 'validatorSetAuthorities'),
    consensus: {
      maxBlockTxs: positiveInt(c.maxBlockTxs, 'consensus.maxBlockTxs', DEFAULT_CONSENSUS_PARAMS.maxBlockTxs),
      maxBlockBytes: positiveInt(c.maxBlockBytes, 'consensus.maxBlockBytes', DEFAULT_CONSENSUS_PARAMS.maxBlockBytes),
      maxTxBytes: positiveInt(c.maxTxBytes, 'consensus.maxTxBytes', DEFAULT_CONSENSUS_PARAMS.maxTxBytes),
    },
    membership: { epochWindow: positiveInt(m.epochWindow, 'membership.epochWindow', DEFAULT_MEMBERSHIP_PARAMS.epochWindow) },
  };
}
