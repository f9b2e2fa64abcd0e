// Original file: proto/learnchain/v1/registry.proto

export const MemberStatus = {
  MEMBER_STATUS_UNSPECIFIED: 'MEMBER_STATUS_UNSPECIFIED',
  MEMBER_STATUS_ACTIVE: 'MEMBER_STATUS_ACTIVE',
  MEMBER_STATUS_LEFT: 'MEMBER_STATUS_LEFT',
  /**
   * its lease lapsed
   */
  MEMBER_STATUS_FAILED: 'MEMBER_STATUS_FAILED',
} as const;

export type MemberStatus =
  | 'MEMBER_STATUS_UNSPECIFIED'
  | 0
  | 'MEMBER_STATUS_ACTIVE'
  | 1
  | 'MEMBER_STATUS_LEFT'
  | 2
  /**
   * its lease lapsed
   */
  | 'MEMBER_STATUS_FAILED'
  | 3

export type MemberStatus__Output = typeof MemberStatus[keyof typeof MemberStatus]
