// Original file: proto/learnchain/v1/validator.proto


export interface TxOutcome {
  'txHash'?: (Buffer | Uint8Array | string);
  'accepted'?: (boolean);
  'reason'?: (string);
}

export interface TxOutcome__Output {
  'txHash': (Buffer);
  'accepted': (boolean);
  'reason': (string);
}
