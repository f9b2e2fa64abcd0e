// Original file: proto/learnchain/v1/registry.proto


export interface GetChallengeRequest {
  'publicKey'?: (Buffer | Uint8Array | string);
}

export interface GetChallengeRequest__Output {
  'publicKey': (Buffer);
}
