// Original file: proto/learnchain/v1/consensus.proto

import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * Signed statement: {chainId, address, nonce}, over a nonce of the peer's.
 */
export interface Hello {
  'chainId'?: (string);
  'address'?: (string);
  'latestHeight'?: (number | string | Long);
  'nonce'?: (Buffer | Uint8Array | string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, address, nonce}, over a nonce of the peer's.
 */
export interface Hello__Output {
  'chainId': (string);
  'address': (string);
  'latestHeight': (number);
  'nonce': (Buffer);
  'signature': (_learnchain_v1_Signature__Output | null);
}
