// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The lease as stored: it lasts until lease_expires_at_ms unless renewed.
 */
export interface LeaseState {
  /**
   * the Beat answered; 0 answers the Open
   */
  'sequence'?: (number | string | Long);
  /**
   * the membership epoch as this registry last saw it
   */
  'epoch'?: (number | string | Long);
  'leaseExpiresAtMs'?: (number | string | Long);
  'leaseTtlMs'?: (number | string | Long);
}

/**
 * The lease as stored: it lasts until lease_expires_at_ms unless renewed.
 */
export interface LeaseState__Output {
  /**
   * the Beat answered; 0 answers the Open
   */
  'sequence': (number);
  /**
   * the membership epoch as this registry last saw it
   */
  'epoch': (number);
  'leaseExpiresAtMs': (number);
  'leaseTtlMs': (number);
}
