// Original file: proto/learnchain/v1/aggregator.proto


export interface GetBlobRequest {
  'hash'?: (Buffer | Uint8Array | string);
  /**
   * 0: the server's default
   */
  'chunkSize'?: (number);
}

export interface GetBlobRequest__Output {
  'hash': (Buffer);
  /**
   * 0: the server's default
   */
  'chunkSize': (number);
}
