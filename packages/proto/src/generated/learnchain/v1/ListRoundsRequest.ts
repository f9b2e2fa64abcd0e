// Original file: proto/learnchain/v1/aggregator.proto


export interface ListRoundsRequest {
  'jobId'?: (string);
}

export interface ListRoundsRequest__Output {
  'jobId': (string);
}
