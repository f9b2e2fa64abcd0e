// Original file: proto/learnchain/v1/common.proto


/**
 * Why a request failed, in machine-readable form. Services attach it to gRPC
 * errors as the `learnchain-error-bin` trailer; the status message says the same
 * in words.
 */
export interface ErrorDetail {
  /**
   * the offending request field, dotted path; empty if none
   */
  'field'?: (string);
  /**
   * a short stable identifier, e.g. "not_a_member"
   */
  'reason'?: (string);
  'message'?: (string);
}

/**
 * Why a request failed, in machine-readable form. Services attach it to gRPC
 * errors as the `learnchain-error-bin` trailer; the status message says the same
 * in words.
 */
export interface ErrorDetail__Output {
  /**
   * the offending request field, dotted path; empty if none
   */
  'field': (string);
  /**
   * a short stable identifier, e.g. "not_a_member"
   */
  'reason': (string);
  'message': (string);
}
