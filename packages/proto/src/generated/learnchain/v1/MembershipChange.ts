// Original file: proto/learnchain/v1/registry.proto

import type { Member as _learnchain_v1_Member, Member__Output as _learnchain_v1_Member__Output } from '../../learnchain/v1/Member';
import type { MemberStatus as _learnchain_v1_MemberStatus, MemberStatus__Output as _learnchain_v1_MemberStatus__Output } from '../../learnchain/v1/MemberStatus';
import type { Long } from '@grpc/proto-loader';

export interface MembershipChange {
  'epoch'?: (number | string | Long);
  'member'?: (_learnchain_v1_Member | null);
  'previousStatus'?: (_learnchain_v1_MemberStatus);
  'reason'?: (string);
}

export interface MembershipChange__Output {
  'epoch': (number);
  'member': (_learnchain_v1_Member__Output | null);
  'previousStatus': (_learnchain_v1_MemberStatus__Output);
  'reason': (string);
}
