// Original file: proto/learnchain/v1/common.proto


/**
 * An ed25519 signature together with the key that made it.
 */
export interface Signature {
  /**
   * 32-byte raw ed25519 public key
   */
  'publicKey'?: (Buffer | Uint8Array | string);
  /**
   * 64-byte ed25519 signature
   */
  'signature'?: (Buffer | Uint8Array | string);
}

/**
 * An ed25519 signature together with the key that made it.
 */
export interface Signature__Output {
  /**
   * 32-byte raw ed25519 public key
   */
  'publicKey': (Buffer);
  /**
   * 64-byte ed25519 signature
   */
  'signature': (Buffer);
}
