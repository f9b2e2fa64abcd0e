/**
 * The gRPC contracts of learnchain v1: the loaded service definitions and the
 * TypeScript types generated from proto/ (see `npm run gen`).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { ProtoGrpcType as AggregatorProto } from './generated/aggregator';
import type { ProtoGrpcType as ConsensusProto } from './generated/consensus';
import type { ProtoGrpcType as HealthProto } from './generated/health';
import type { ProtoGrpcType as RegistryProto } from './generated/registry';
import type { ProtoGrpcType as ValidatorProto } from './generated/validator';

/** How protobuf values map to JavaScript; the generated types assume exactly these. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The folder holding the .proto files (the repository's proto/, or LEARNCHAIN_PROTO_DIR). */
export function protoDir(): string {
  const fromEnv = process.env.LEARNCHAIN_PROTO_DIR;
  if (fromEnv) return fromEnv;
  // src/ and dist/ both sit two levels below packages/proto.
  const candidate = join(__dirname, '..', '..', '..', 'proto');
  if (existsSync(candidate)) return candidate;
  throw new Error(`cannot find the proto folder at ${candidate}; set LEARNCHAIN_PROTO_DIR`);
}

const FILES = [
  'learnchain/v1/registry.proto',
  'learnchain/v1/aggregator.proto',
  'learnchain/v1/validator.proto',
  'learnchain/v1/consensus.proto',
  'grpc/health/v1/health.proto',
] as const;

export interface Contracts {
  readonly registry: RegistryProto['learnchain']['v1']['Registry'];
  readonly aggregator: AggregatorProto['learnchain']['v1']['Aggregator'];
  readonly validator: ValidatorProto['learnchain']['v1']['Validator'];
  readonly consensus: ConsensusProto['learnchain']['v1']['Consensus'];
  readonly health: HealthProto['grpc']['health']['v1']['Health'];
  /** The raw package definition, for message types and reflection. */
  readonly packageDefinition: protoLoader.PackageDefinition;
}

let cached: Contracts | undefined;

/** Loads every contract once per process. */
export function contracts(): Contracts {
  if (cached) return cached;
  const packageDefinition = protoLoader.loadSync([...FILES], { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as AggregatorProto &
    ConsensusProto &
    HealthProto &
    RegistryProto &
    ValidatorProto;
  cached = {
    registry: loaded.learnchain.v1.Registry,
    aggregator: loaded.learnchain.v1.Aggregator,
    validator: loaded.learnchain.v1.Validator,
    consensus: loaded.learnchain.v1.Consensus,
    health: loaded.grpc.health.v1.Health,
    packageDefinition,
  };
  return cached;
}

/** Serializes and parses one protobuf message type, e.g. 'learnchain.v1.Block'. */
export interface MessageCodec<Input, Output> {
  encode(message: Input): Buffer;
  decode(bytes: Uint8Array): Output;
}

export function messageCodec<Input, Output>(fullName: string): MessageCodec<Input, Output> {
  const type = contracts().packageDefinition[fullName];
  if (!type || !('serialize' in type)) throw new Error(`${fullName} is not a message type of the contracts`);
  const definition = type as unknown as protoLoader.MessageTypeDefinition<Input, Output>;
  return {
    encode: (message) => definition.serialize(message),
    decode: (bytes) => definition.deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  };
}

/** Fully qualified service names, as health checks and reflection know them. */
export const SERVICE_NAMES = {
  registry: 'learnchain.v1.Registry',
  aggregator: 'learnchain.v1.Aggregator',
  validator: 'learnchain.v1.Validator',
  consensus: 'learnchain.v1.Consensus',
  health: 'grpc.health.v1.Health',
} as const;

export * as v1 from './generated/learnchain-v1';
export * as health from './generated/grpc-health-v1';
