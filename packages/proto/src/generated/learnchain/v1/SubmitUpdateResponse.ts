// Original file: proto/learnchain/v1/aggregator.proto


export interface SubmitUpdateResponse {
  'updateHash'?: (Buffer | Uint8Array | string);
  /**
   * already held: nothing changed
   */
  'duplicate'?: (boolean);
}

export interface SubmitUpdateResponse__Output {
  'updateHash': (Buffer);
  /**
   * already held: nothing changed
   */
  'duplicate': (boolean);
}
