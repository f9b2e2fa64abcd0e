// Original file: proto/learnchain/v1/registry.proto

import type { Role as _learnchain_v1_Role, Role__Output as _learnchain_v1_Role__Output } from '../../learnchain/v1/Role';
import type { MemberStatus as _learnchain_v1_MemberStatus, MemberStatus__Output as _learnchain_v1_MemberStatus__Output } from '../../learnchain/v1/MemberStatus';

export interface ListMembersRequest {
  /**
   * unspecified: every role
   */
  'role'?: (_learnchain_v1_Role);
  /**
   * unspecified: every status
   */
  'status'?: (_learnchain_v1_MemberStatus);
}

export interface ListMembersRequest__Output {
  /**
   * unspecified: every role
   */
  'role': (_learnchain_v1_Role__Output);
  /**
   * unspecified: every status
   */
  'status': (_learnchain_v1_MemberStatus__Output);
}
