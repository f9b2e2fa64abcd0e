// Original file: proto/learnchain/v1/chain.proto


export interface ExcludedUpdate {
  'nodeId'?: (string);
  /**
   * empty when nothing arrived
   */
  'updateHash'?: (Buffer | Uint8Array | string);
  /**
   * "late", "bad-signature", "nan", ...
   */
  'reason'?: (string);
}

export interface ExcludedUpdate__Output {
  'nodeId': (string);
  /**
   * empty when nothing arrived
   */
  'updateHash': (Buffer);
  /**
   * "late", "bad-signature", "nan", ...
   */
  'reason': (string);
}
