// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A path into the ledger state, e.g. "jobs/JOB", "jobs/JOB/rounds/3",
 * "members", "validators", "reputation/NODE". The answer is canonical JSON.
 */
export interface QueryStateRequest {
  'path'?: (string);
  /**
   * 0: the latest
   */
  'height'?: (number | string | Long);
}

/**
 * A path into the ledger state, e.g. "jobs/JOB", "jobs/JOB/rounds/3",
 * "members", "validators", "reputation/NODE". The answer is canonical JSON.
 */
export interface QueryStateRequest__Output {
  'path': (string);
  /**
   * 0: the latest
   */
  'height': (number);
}
