// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A path into the ledger state, e.g. "jobs/JOB", "jobs/JOB/rounds/3",
 * "members", "validators", "reputation/NODE". The answer is canonical JSON.
 * "jobs" and "members" list their records (a JSON array) by id, a page at a time.
 */
export interface QueryStateRequest {
  'path'?: (string);
  /**
   * 0: the latest
   */
  'height'?: (number | string | Long);
  /**
   * A list's page starts after this id ("": at the start); only for "jobs" and "members".
   */
  'after'?: (string);
  /**
   * Records in a list's page (0: 100; at most 1000); only for "jobs" and "members".
   */
  'limit'?: (number);
}

/**
 * A path into the ledger state, e.g. "jobs/JOB", "jobs/JOB/rounds/3",
 * "members", "validators", "reputation/NODE". The answer is canonical JSON.
 * "jobs" and "members" list their records (a JSON array) by id, a page at a time.
 */
export interface QueryStateRequest__Output {
  'path': (string);
  /**
   * 0: the latest
   */
  'height': (number);
  /**
   * A list's page starts after this id ("": at the start); only for "jobs" and "members".
   */
  'after': (string);
  /**
   * Records in a list's page (0: 100; at most 1000); only for "jobs" and "members".
   */
  'limit': (number);
}
