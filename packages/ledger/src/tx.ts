/**
 * Transactions: their canonical statement (what the submitter signs, domain
 * 'tx', over {chainId, nonce, body}), their hash (SHA-256 of the canonical bytes
 * of the signed transaction), decoding from the wire with every check that does
 * not need the state, and signing for clients.
 */
import { addressOf, sha256, signedBytes, signStatement, toHex, verifyBytes, type Canonical, type Identity } from '@learnchain/core';
import { messageCodec, type v1 } from '@learnchain/proto';

import { TxFormatError } from './errors';

/** The transaction types of the ledger, as the `body` oneof names them. */
export const TX_KINDS = ['registerNode', 'nodeLeft', 'createJob', 'roundResult', 'evidence', 'validatorSetUpdate'] as const;
export type TxKind = (typeof TX_KINDS)[number];

/** The body of each kind, as decoded from protobuf. */
export interface TxBodies {
  readonly registerNode: v1.RegisterNode__Output;
  readonly nodeLeft: v1.NodeLeft__Output;
  readonly createJob: v1.CreateJob__Output;
  readonly roundResult: v1.RoundResult__Output;
  readonly evidence: v1.Evidence__Output;
  readonly validatorSetUpdate: v1.ValidatorSetUpdate__Output;
}

/** A body a client builds (protobuf input form), one kind at a time. */
export type TxBodyInput =
  | { readonly registerNode: v1.RegisterNode }
  | { readonly nodeLeft: v1.NodeLeft }
  | { readonly createJob: v1.CreateJob }
  | { readonly roundResult: v1.RoundResult }
  | { readonly evidence: v1.Evidence }
  | { readonly validatorSetUpdate: v1.ValidatorSetUpdate };

/** A transaction whose form and signature are checked. */
export type Tx = { [K in TxKind]: TxOf<K> }[TxKind];

export interface TxOf<K extends TxKind> {
  readonly kind: K;
  readonly chainId: string;
  readonly nonce: number;
  readonly body: TxBodies[K];
  /** The signer's raw public key and its hex form (the nonce account). */
  readonly signer: Uint8Array;
  readonly signerHex: string;
  readonly signature: Uint8Array;
  /** SHA-256 of the canonical bytes of the signed transaction. */
  readonly hash: Uint8Array;
  readonly hashHex: string;
  /** The protobuf size, for block and mempool limits. */
  readonly size: number;
  /** The wire form, as it goes into blocks. */
  readonly wire: v1.Tx__Output;
}

const txCodec = (): ReturnType<typeof messageCodec<v1.Tx, v1.Tx__Output>> => messageCodec<v1.Tx, v1.Tx__Output>('learnchain.v1.Tx');

/**
 * The canonical form of a decoded protobuf value: bytes as Uint8Array, messages
 * as maps, absent sub-messages as null. Throws CanonicalEncodingError on NaN or
 * infinities when encoded, which makes such a transaction malformed.
 */
export function canonicalOf(value: unknown): Canonical {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(canonicalOf);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object': {
      const out: Record<string, Canonical> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = canonicalOf(v);
      return out;
    }
    default:
      return null;
  }
}

/** What a submitter signs (domain 'tx'). */
export function txStatement(chainId: string, nonce: number, kind: TxKind, body: unknown): Canonical {
  return { chainId, nonce, body: { [kind]: canonicalOf(body) } };
}

/**
 * The hash of a signed transaction: SHA-256 of the canonical bytes its
 * signature covers (domain 'tx' and the statement), then the 32-byte key and
 * the 64-byte signature.
 */
export function txHashOf(statement: Canonical, signer: Uint8Array, signature: Uint8Array): Uint8Array {
  return sha256(signedBytes('tx', statement), signer, signature);
}

export interface DecodeTxOptions {
  readonly chainId: string;
  readonly maxTxBytes?: number;
  /** The protobuf size when known (saves an encode). */
  readonly size?: number;
  /** True for a hash whose signature this process checked already (skips the check). */
  readonly isVerified?: (hashHex: string) => boolean;
}

/** A transaction whose form is checked, with the bytes its signature must cover (not checked yet). */
export interface UncheckedTx {
  readonly tx: Tx;
  readonly signed: Uint8Array;
}

/**
 * Everything {@link decodeTx} checks but the signature: for callers that check
 * many signatures at once (elsewhere, or later). Throws TxFormatError.
 */
export function decodeTxForm(wire: v1.Tx__Output, options: DecodeTxOptions): UncheckedTx {
  const kind = wire.body;
  if (!kind || !(TX_KINDS as readonly string[]).includes(kind)) throw new TxFormatError('body', 'unknown_type', 'names no known transaction type');
  const body = wire[kind];
  if (!body) throw new TxFormatError(`body.${kind}`, 'missing', 'is empty');
  if (wire.chainId !== options.chainId) throw new TxFormatError('chain_id', 'wrong_chain', `is ${JSON.stringify(wire.chainId)}, this chain is ${options.chainId}`);
  if (!Number.isSafeInteger(wire.nonce) || wire.nonce <= 0) throw new TxFormatError('nonce', 'bad_nonce', 'must be a positive integer');
  const sig = wire.signature;
  if (!sig || sig.publicKey.length !== 32 || sig.signature.length !== 64) throw new TxFormatError('signature', 'unsigned', 'must carry a 32-byte key and a 64-byte signature');
  const size = options.size ?? txCodec().encode(wire).length;
  if (options.maxTxBytes !== undefined && size > options.maxTxBytes) throw new TxFormatError('tx', 'too_large', `is ${size} bytes, the limit is ${options.maxTxBytes}`);
  const statement = txStatement(wire.chainId, wire.nonce, kind, body);
  const signer = new Uint8Array(sig.publicKey);
  const signature = new Uint8Array(sig.signature);
  let signed: Uint8Array;
  try {
    signed = signedBytes('tx', statement);
  } catch (error) {
    throw new TxFormatError(`body.${kind}`, 'not_canonical', (error as Error).message);
  }
  const hash = sha256(signed, signer, signature);
  const tx = { kind, chainId: wire.chainId, nonce: wire.nonce, body, signer, signerHex: toHex(signer), signature, hash, hashHex: toHex(hash), size, wire } as Tx;
  return { tx, signed };
}

/** The error of a transaction whose signature does not verify. */
export function badTxSignature(): TxFormatError {
  return new TxFormatError('signature', 'bad_signature', 'does not verify over the transaction');
}

/** Checks everything about a transaction that does not need the ledger state. Throws TxFormatError. */
export function decodeTx(wire: v1.Tx__Output, options: DecodeTxOptions): Tx {
  const { tx, signed } = decodeTxForm(wire, options);
  if (!options.isVerified?.(tx.hashHex) && !verifyBytes(tx.signer, signed, tx.signature)) throw badTxSignature();
  return tx;
}

/** Parses protobuf bytes of a transaction, then {@link decodeTx}. */
export function decodeTxBytes(bytes: Uint8Array, options: DecodeTxOptions): Tx {
  let wire: v1.Tx__Output;
  try {
    wire = txCodec().decode(bytes);
  } catch (error) {
    throw new TxFormatError('tx', 'malformed', `is not a protobuf Tx: ${(error as Error).message}`);
  }
  return decodeTx(wire, { ...options, size: bytes.length });
}

/** Builds and signs a transaction (the form to send in BroadcastTx). */
export function signTx(identity: Identity, chainId: string, nonce: number, body: TxBodyInput): v1.Tx {
  const codec = txCodec();
  const decoded = codec.decode(codec.encode({ chainId, nonce, ...body }));
  const kind = decoded.body;
  if (!kind) throw new TxFormatError('body', 'unknown_type', 'names no known transaction type');
  const statement = txStatement(chainId, nonce, kind, decoded[kind]);
  const signature = signStatement(identity, 'tx', statement);
  return { chainId, nonce, ...body, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } };
}

/** Encodes a wire transaction to protobuf. */
export function encodeTx(tx: v1.Tx | v1.Tx__Output): Uint8Array {
  return txCodec().encode(tx as v1.Tx);
}

/** The address (node id) of a public key, as the ledger names members and validators. */
export function addressOfKey(publicKey: Uint8Array): string {
  return addressOf(publicKey);
}
