// Original file: proto/learnchain/v1/registry.proto

import type { Member as _learnchain_v1_Member, Member__Output as _learnchain_v1_Member__Output } from '../../learnchain/v1/Member';
import type { Long } from '@grpc/proto-loader';

export interface ListMembersResponse {
  'epoch'?: (number | string | Long);
  'members'?: (_learnchain_v1_Member)[];
  /**
   * The after_node_id of the next page; empty when this page ends the list.
   */
  'nextAfterNodeId'?: (string);
}

export interface ListMembersResponse__Output {
  'epoch': (number);
  'members': (_learnchain_v1_Member__Output)[];
  /**
   * The after_node_id of the next page; empty when this page ends the list.
   */
  'nextAfterNodeId': (string);
}
