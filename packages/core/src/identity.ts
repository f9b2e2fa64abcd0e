/**
 * ed25519 identities on node:crypto (OpenSSL verifies ~30x faster than a pure
 * JavaScript implementation). A node is named by its address: the first 20
 * bytes of SHA-256 of its raw public key, in hex.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

import { fromHex, toHex } from './bytes';
import { InvalidKeyError } from './errors';
import { sha256 } from './hash';

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
const SEED_BYTES = 32;

// DER wrappers that turn raw ed25519 keys into the PKCS#8 / SPKI forms node:crypto takes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The hex address of a raw ed25519 public key. */
export function addressOf(publicKey: Uint8Array): string {
  return toHex(sha256(publicKey).subarray(0, 20));
}

/** The JSON form of a key file. */
export interface KeyFile {
  readonly type: 'ed25519';
  readonly address: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

export class Identity {
  readonly address: string;

  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: Uint8Array,
    private readonly seed: Uint8Array,
  ) {
    this.address = addressOf(publicKey);
  }

  static generate(): Identity {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return Identity.fromSeed(new Uint8Array(der.subarray(der.length - SEED_BYTES)));
  }

  /** From the 32-byte private seed. */
  static fromSeed(seed: Uint8Array, source = 'seed'): Identity {
    if (seed.length !== SEED_BYTES) throw new InvalidKeyError(source, `expected ${SEED_BYTES} bytes, got ${seed.length}`);
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return new Identity(privateKey, new Uint8Array(spki.subarray(spki.length - PUBLIC_KEY_BYTES)), new Uint8Array(seed));
  }

  /** From a seed written as 64 hex characters or 44 base64 characters. */
  static fromString(text: string, source = 'string'): Identity {
    const trimmed = text.trim();
    const seed = fromHex(trimmed) ?? (/^[A-Za-z0-9+/]{43}=$/.test(trimmed) ? new Uint8Array(Buffer.from(trimmed, 'base64')) : undefined);
    if (!seed) throw new InvalidKeyError(source, 'expected a 32-byte seed as hex or base64');
    return Identity.fromSeed(seed, source);
  }

  /** From a key file written by `toKeyFile` (learnchain genesis writes these). */
  static fromFile(path: string): Identity {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new InvalidKeyError(path, (error as Error).message);
    }
    const file = parsed as Partial<KeyFile> | null;
    if (!file || file.type !== 'ed25519' || typeof file.privateKey !== 'string') {
      throw new InvalidKeyError(path, 'expected {"type":"ed25519","privateKey":"<hex seed>",...}');
    }
    const identity = Identity.fromString(file.privateKey, path);
    if (file.publicKey !== undefined && file.publicKey !== toHex(identity.publicKey)) {
      throw new InvalidKeyError(path, 'publicKey does not belong to privateKey');
    }
    return identity;
  }

  toKeyFile(): KeyFile {
    return { type: 'ed25519', address: this.address, publicKey: toHex(this.publicKey), privateKey: toHex(this.seed) };
  }

  /** Writes the key file readable by its owner only. */
  writeKeyFile(path: string): void {
    writeFileSync(path, `${JSON.stringify(this.toKeyFile(), null, 2)}\n`, { mode: 0o600 });
  }

  /** A raw ed25519 signature over the bytes. Prefer signStatement, which adds domain separation. */
  signBytes(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }
}

const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey);
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/** Whether `signature` is a valid ed25519 signature of `message` by `publicKey`. Never throws on bad input. */
export function verifyBytes(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** Whether bytes are a well-formed raw ed25519 public key (a point on the curve). */
export function isPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    publicKeyObject(publicKey);
    return true;
  } catch {
    return false;
  }
}
