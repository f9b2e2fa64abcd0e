// Original file: proto/learnchain/v1/registry.proto

import type { Role as _learnchain_v1_Role, Role__Output as _learnchain_v1_Role__Output } from '../../learnchain/v1/Role';
import type { MemberStatus as _learnchain_v1_MemberStatus, MemberStatus__Output as _learnchain_v1_MemberStatus__Output } from '../../learnchain/v1/MemberStatus';
import type { Long } from '@grpc/proto-loader';

/**
 * A page of the members, in node id order. A list of more than one page is
 * read by passing each answer's next_after_node_id and the first page's epoch
 * (at_epoch): the pages together are then the members at that one epoch.
 */
export interface ListMembersRequest {
  /**
   * unspecified: every role
   */
  'role'?: (_learnchain_v1_Role);
  /**
   * unspecified: every status
   */
  'status'?: (_learnchain_v1_MemberStatus);
  /**
   * The page starts after this node id; empty: at the first member.
   */
  'afterNodeId'?: (string);
  /**
   * Members in the page (0: 1000; at most 5000).
   */
  'limit'?: (number);
  /**
   * The epoch the list's first page answered: a later page is refused with
   * ABORTED (reason membership_changed) once the membership changed since;
   * list again from the first page. 0: any epoch.
   */
  'atEpoch'?: (number | string | Long);
}

/**
 * A page of the members, in node id order. A list of more than one page is
 * read by passing each answer's next_after_node_id and the first page's epoch
 * (at_epoch): the pages together are then the members at that one epoch.
 */
export interface ListMembersRequest__Output {
  /**
   * unspecified: every role
   */
  'role': (_learnchain_v1_Role__Output);
  /**
   * unspecified: every status
   */
  'status': (_learnchain_v1_MemberStatus__Output);
  /**
   * The page starts after this node id; empty: at the first member.
   */
  'afterNodeId': (string);
  /**
   * Members in the page (0: 1000; at most 5000).
   */
  'limit': (number);
  /**
   * The epoch the list's first page answered: a later page is refused with
   * ABORTED (reason membership_changed) once the membership changed since;
   * list again from the first page. 0: any epoch.
   */
  'atEpoch': (number);
}
