// Original file: proto/learnchain/v1/registry.proto


export interface HeartbeatStreamChallenge {
  'chainId'?: (string);
  'nonce'?: (Buffer | Uint8Array | string);
}

export interface HeartbeatStreamChallenge__Output {
  'chainId': (string);
  'nonce': (Buffer);
}
