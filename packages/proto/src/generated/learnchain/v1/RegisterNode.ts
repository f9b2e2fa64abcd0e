// Original file: proto/learnchain/v1/chain.proto

import type { Role as _learnchain_v1_Role, Role__Output as _learnchain_v1_Role__Output } from '../../learnchain/v1/Role';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from '../../learnchain/v1/Capabilities';
import type { Long } from '@grpc/proto-loader';

export interface RegisterNode {
  'nodeId'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
  'role'?: (_learnchain_v1_Role);
  'epoch'?: (number | string | Long);
  'capabilities'?: (_learnchain_v1_Capabilities | null);
}

export interface RegisterNode__Output {
  'nodeId': (string);
  'publicKey': (Buffer);
  'role': (_learnchain_v1_Role__Output);
  'epoch': (number);
  'capabilities': (_learnchain_v1_Capabilities__Output | null);
}
