// Original file: proto/learnchain/v1/consensus.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Where a peer is, so the other side can send what it lacks.
 */
export interface HeightStatus {
  'height'?: (number | string | Long);
  'round'?: (number);
  'latestCommitted'?: (number | string | Long);
}

/**
 * Where a peer is, so the other side can send what it lacks.
 */
export interface HeightStatus__Output {
  'height': (number);
  'round': (number);
  'latestCommitted': (number);
}
