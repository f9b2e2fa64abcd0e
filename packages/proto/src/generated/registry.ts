import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlobChunk as _learnchain_v1_BlobChunk, BlobChunk__Output as _learnchain_v1_BlobChunk__Output } from './learnchain/v1/BlobChunk';
import type { BlobHeader as _learnchain_v1_BlobHeader, BlobHeader__Output as _learnchain_v1_BlobHeader__Output } from './learnchain/v1/BlobHeader';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from './learnchain/v1/Capabilities';
import type { Challenge as _learnchain_v1_Challenge, Challenge__Output as _learnchain_v1_Challenge__Output } from './learnchain/v1/Challenge';
import type { ErrorDetail as _learnchain_v1_ErrorDetail, ErrorDetail__Output as _learnchain_v1_ErrorDetail__Output } from './learnchain/v1/ErrorDetail';
import type { GetChallengeRequest as _learnchain_v1_GetChallengeRequest, GetChallengeRequest__Output as _learnchain_v1_GetChallengeRequest__Output } from './learnchain/v1/GetChallengeRequest';
import type { HeartbeatBeat as _learnchain_v1_HeartbeatBeat, HeartbeatBeat__Output as _learnchain_v1_HeartbeatBeat__Output } from './learnchain/v1/HeartbeatBeat';
import type { HeartbeatRequest as _learnchain_v1_HeartbeatRequest, HeartbeatRequest__Output as _learnchain_v1_HeartbeatRequest__Output } from './learnchain/v1/HeartbeatRequest';
import type { HeartbeatResponse as _learnchain_v1_HeartbeatResponse, HeartbeatResponse__Output as _learnchain_v1_HeartbeatResponse__Output } from './learnchain/v1/HeartbeatResponse';
import type { HeartbeatStreamChallenge as _learnchain_v1_HeartbeatStreamChallenge, HeartbeatStreamChallenge__Output as _learnchain_v1_HeartbeatStreamChallenge__Output } from './learnchain/v1/HeartbeatStreamChallenge';
import type { HeartbeatStreamOpen as _learnchain_v1_HeartbeatStreamOpen, HeartbeatStreamOpen__Output as _learnchain_v1_HeartbeatStreamOpen__Output } from './learnchain/v1/HeartbeatStreamOpen';
import type { HeartbeatStreamRequest as _learnchain_v1_HeartbeatStreamRequest, HeartbeatStreamRequest__Output as _learnchain_v1_HeartbeatStreamRequest__Output } from './learnchain/v1/HeartbeatStreamRequest';
import type { HeartbeatStreamResponse as _learnchain_v1_HeartbeatStreamResponse, HeartbeatStreamResponse__Output as _learnchain_v1_HeartbeatStreamResponse__Output } from './learnchain/v1/HeartbeatStreamResponse';
import type { JoinRequest as _learnchain_v1_JoinRequest, JoinRequest__Output as _learnchain_v1_JoinRequest__Output } from './learnchain/v1/JoinRequest';
import type { JoinResponse as _learnchain_v1_JoinResponse, JoinResponse__Output as _learnchain_v1_JoinResponse__Output } from './learnchain/v1/JoinResponse';
import type { LeaseState as _learnchain_v1_LeaseState, LeaseState__Output as _learnchain_v1_LeaseState__Output } from './learnchain/v1/LeaseState';
import type { LeaveRequest as _learnchain_v1_LeaveRequest, LeaveRequest__Output as _learnchain_v1_LeaveRequest__Output } from './learnchain/v1/LeaveRequest';
import type { LeaveResponse as _learnchain_v1_LeaveResponse, LeaveResponse__Output as _learnchain_v1_LeaveResponse__Output } from './learnchain/v1/LeaveResponse';
import type { ListMembersRequest as _learnchain_v1_ListMembersRequest, ListMembersRequest__Output as _learnchain_v1_ListMembersRequest__Output } from './learnchain/v1/ListMembersRequest';
import type { ListMembersResponse as _learnchain_v1_ListMembersResponse, ListMembersResponse__Output as _learnchain_v1_ListMembersResponse__Output } from './learnchain/v1/ListMembersResponse';
import type { Member as _learnchain_v1_Member, Member__Output as _learnchain_v1_Member__Output } from './learnchain/v1/Member';
import type { MembershipChange as _learnchain_v1_MembershipChange, MembershipChange__Output as _learnchain_v1_MembershipChange__Output } from './learnchain/v1/MembershipChange';
import type { ParameterManifest as _learnchain_v1_ParameterManifest, ParameterManifest__Output as _learnchain_v1_ParameterManifest__Output } from './learnchain/v1/ParameterManifest';
import type { RegistryClient as _learnchain_v1_RegistryClient, RegistryDefinition as _learnchain_v1_RegistryDefinition } from './learnchain/v1/Registry';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from './learnchain/v1/Signature';
import type { TensorSpec as _learnchain_v1_TensorSpec, TensorSpec__Output as _learnchain_v1_TensorSpec__Output } from './learnchain/v1/TensorSpec';
import type { WatchMembersRequest as _learnchain_v1_WatchMembersRequest, WatchMembersRequest__Output as _learnchain_v1_WatchMembersRequest__Output } from './learnchain/v1/WatchMembersRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  learnchain: {
    v1: {
      BlobChunk: MessageTypeDefinition<_learnchain_v1_BlobChunk, _learnchain_v1_BlobChunk__Output>
      BlobHeader: MessageTypeDefinition<_learnchain_v1_BlobHeader, _learnchain_v1_BlobHeader__Output>
      BlobKind: EnumTypeDefinition
      Capabilities: MessageTypeDefinition<_learnchain_v1_Capabilities, _learnchain_v1_Capabilities__Output>
      Challenge: MessageTypeDefinition<_learnchain_v1_Challenge, _learnchain_v1_Challenge__Output>
      DType: EnumTypeDefinition
      ErrorDetail: MessageTypeDefinition<_learnchain_v1_ErrorDetail, _learnchain_v1_ErrorDetail__Output>
      GetChallengeRequest: MessageTypeDefinition<_learnchain_v1_GetChallengeRequest, _learnchain_v1_GetChallengeRequest__Output>
      HeartbeatBeat: MessageTypeDefinition<_learnchain_v1_HeartbeatBeat, _learnchain_v1_HeartbeatBeat__Output>
      HeartbeatRequest: MessageTypeDefinition<_learnchain_v1_HeartbeatRequest, _learnchain_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_learnchain_v1_HeartbeatResponse, _learnchain_v1_HeartbeatResponse__Output>
      HeartbeatStreamChallenge: MessageTypeDefinition<_learnchain_v1_HeartbeatStreamChallenge, _learnchain_v1_HeartbeatStreamChallenge__Output>
      HeartbeatStreamOpen: MessageTypeDefinition<_learnchain_v1_HeartbeatStreamOpen, _learnchain_v1_HeartbeatStreamOpen__Output>
      HeartbeatStreamRequest: MessageTypeDefinition<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamRequest__Output>
      HeartbeatStreamResponse: MessageTypeDefinition<_learnchain_v1_HeartbeatStreamResponse, _learnchain_v1_HeartbeatStreamResponse__Output>
      JoinRequest: MessageTypeDefinition<_learnchain_v1_JoinRequest, _learnchain_v1_JoinRequest__Output>
      JoinResponse: MessageTypeDefinition<_learnchain_v1_JoinResponse, _learnchain_v1_JoinResponse__Output>
      LeaseState: MessageTypeDefinition<_learnchain_v1_LeaseState, _learnchain_v1_LeaseState__Output>
      LeaveRequest: MessageTypeDefinition<_learnchain_v1_LeaveRequest, _learnchain_v1_LeaveRequest__Output>
      LeaveResponse: MessageTypeDefinition<_learnchain_v1_LeaveResponse, _learnchain_v1_LeaveResponse__Output>
      ListMembersRequest: MessageTypeDefinition<_learnchain_v1_ListMembersRequest, _learnchain_v1_ListMembersRequest__Output>
      ListMembersResponse: MessageTypeDefinition<_learnchain_v1_ListMembersResponse, _learnchain_v1_ListMembersResponse__Output>
      Member: MessageTypeDefinition<_learnchain_v1_Member, _learnchain_v1_Member__Output>
      MemberStatus: EnumTypeDefinition
      MembershipChange: MessageTypeDefinition<_learnchain_v1_MembershipChange, _learnchain_v1_MembershipChange__Output>
      ParameterManifest: MessageTypeDefinition<_learnchain_v1_ParameterManifest, _learnchain_v1_ParameterManifest__Output>
      Registry: SubtypeConstructor<typeof grpc.Client, _learnchain_v1_RegistryClient> & { service: _learnchain_v1_RegistryDefinition }
      Role: EnumTypeDefinition
      Signature: MessageTypeDefinition<_learnchain_v1_Signature, _learnchain_v1_Signature__Output>
      TensorSpec: MessageTypeDefinition<_learnchain_v1_TensorSpec, _learnchain_v1_TensorSpec__Output>
      WatchMembersRequest: MessageTypeDefinition<_learnchain_v1_WatchMembersRequest, _learnchain_v1_WatchMembersRequest__Output>
    }
  }
}

