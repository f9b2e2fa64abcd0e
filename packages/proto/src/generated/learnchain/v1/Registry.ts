// Original file: proto/learnchain/v1/registry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Challenge as _learnchain_v1_Challenge, Challenge__Output as _learnchain_v1_Challenge__Output } from '../../learnchain/v1/Challenge';
import type { GetChallengeRequest as _learnchain_v1_GetChallengeRequest, GetChallengeRequest__Output as _learnchain_v1_GetChallengeRequest__Output } from '../../learnchain/v1/GetChallengeRequest';
import type { HeartbeatRequest as _learnchain_v1_HeartbeatRequest, HeartbeatRequest__Output as _learnchain_v1_HeartbeatRequest__Output } from '../../learnchain/v1/HeartbeatRequest';
import type { HeartbeatResponse as _learnchain_v1_HeartbeatResponse, HeartbeatResponse__Output as _learnchain_v1_HeartbeatResponse__Output } from '../../learnchain/v1/HeartbeatResponse';
import type { HeartbeatStreamRequest as _learnchain_v1_HeartbeatStreamRequest, HeartbeatStreamRequest__Output as _learnchain_v1_HeartbeatStreamRequest__Output } from '../../learnchain/v1/HeartbeatStreamRequest';
import type { HeartbeatStreamResponse as _learnchain_v1_HeartbeatStreamResponse, HeartbeatStreamResponse__Output as _learnchain_v1_HeartbeatStreamResponse__Output } from '../../learnchain/v1/HeartbeatStreamResponse';
import type { JoinRequest as _learnchain_v1_JoinRequest, JoinRequest__Output as _learnchain_v1_JoinRequest__Output } from '../../learnchain/v1/JoinRequest';
import type { JoinResponse as _learnchain_v1_JoinResponse, JoinResponse__Output as _learnchain_v1_JoinResponse__Output } from '../../learnchain/v1/JoinResponse';
import type { LeaveRequest as _learnchain_v1_LeaveRequest, LeaveRequest__Output as _learnchain_v1_LeaveRequest__Output } from '../../learnchain/v1/LeaveRequest';
import type { LeaveResponse as _learnchain_v1_LeaveResponse, LeaveResponse__Output as _learnchain_v1_LeaveResponse__Output } from '../../learnchain/v1/LeaveResponse';
import type { ListMembersRequest as _learnchain_v1_ListMembersRequest, ListMembersRequest__Output as _learnchain_v1_ListMembersRequest__Output } from '../../learnchain/v1/ListMembersRequest';
import type { ListMembersResponse as _learnchain_v1_ListMembersResponse, ListMembersResponse__Output as _learnchain_v1_ListMembersResponse__Output } from '../../learnchain/v1/ListMembersResponse';
import type { MembershipChange as _learnchain_v1_MembershipChange, MembershipChange__Output as _learnchain_v1_MembershipChange__Output } from '../../learnchain/v1/MembershipChange';
import type { WatchMembersRequest as _learnchain_v1_WatchMembersRequest, WatchMembersRequest__Output as _learnchain_v1_WatchMembersRequest__Output } from '../../learnchain/v1/WatchMembersRequest';

export interface RegistryClient extends grpc.Client {
  /**
   * A fresh server nonce that a joining node signs to prove it holds its key.
   */
  GetChallenge(argument: _learnchain_v1_GetChallengeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  GetChallenge(argument: _learnchain_v1_GetChallengeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  GetChallenge(argument: _learnchain_v1_GetChallengeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  GetChallenge(argument: _learnchain_v1_GetChallengeRequest, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  /**
   * A fresh server nonce that a joining node signs to prove it holds its key.
   */
  getChallenge(argument: _learnchain_v1_GetChallengeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  getChallenge(argument: _learnchain_v1_GetChallengeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  getChallenge(argument: _learnchain_v1_GetChallengeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  getChallenge(argument: _learnchain_v1_GetChallengeRequest, callback: grpc.requestCallback<_learnchain_v1_Challenge__Output>): grpc.ClientUnaryCall;
  
  /**
   * Renews a lease. NOT_FOUND or FAILED_PRECONDITION mean: join again.
   */
  Heartbeat(argument: _learnchain_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _learnchain_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _learnchain_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _learnchain_v1_HeartbeatRequest, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Renews a lease. NOT_FOUND or FAILED_PRECONDITION mean: join again.
   */
  heartbeat(argument: _learnchain_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _learnchain_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _learnchain_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _learnchain_v1_HeartbeatRequest, callback: grpc.requestCallback<_learnchain_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Renews a lease over one long-lived stream, the cheap way to stay a member.
   * The registry speaks first with a fresh nonce; the node answers with an Open
   * signed over {chainId, nodeId, streamNonce}, then sends unsigned Beats on that
   * authenticated stream, each answered with the lease. The stream ends with
   * UNAUTHENTICATED when the Open does not prove the key, and with NOT_FOUND or
   * FAILED_PRECONDITION when the node must join again.
   */
  HeartbeatStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamResponse__Output>;
  HeartbeatStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamResponse__Output>;
  /**
   * Renews a lease over one long-lived stream, the cheap way to stay a member.
   * The registry speaks first with a fresh nonce; the node answers with an Open
   * signed over {chainId, nodeId, streamNonce}, then sends unsigned Beats on that
   * authenticated stream, each answered with the lease. The stream ends with
   * UNAUTHENTICATED when the Open does not prove the key, and with NOT_FOUND or
   * FAILED_PRECONDITION when the node must join again.
   */
  heartbeatStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamResponse__Output>;
  heartbeatStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamResponse__Output>;
  
  /**
   * Admits a node (signed over the challenge), grants a lease, bumps the epoch.
   */
  Join(argument: _learnchain_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _learnchain_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _learnchain_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _learnchain_v1_JoinRequest, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Admits a node (signed over the challenge), grants a lease, bumps the epoch.
   */
  join(argument: _learnchain_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _learnchain_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _learnchain_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _learnchain_v1_JoinRequest, callback: grpc.requestCallback<_learnchain_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A graceful exit.
   */
  Leave(argument: _learnchain_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _learnchain_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _learnchain_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _learnchain_v1_LeaveRequest, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A graceful exit.
   */
  leave(argument: _learnchain_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _learnchain_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _learnchain_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _learnchain_v1_LeaveRequest, callback: grpc.requestCallback<_learnchain_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Members at the current epoch, filtered by role and status, a page at a time.
   */
  List(argument: _learnchain_v1_ListMembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _learnchain_v1_ListMembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _learnchain_v1_ListMembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _learnchain_v1_ListMembersRequest, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Members at the current epoch, filtered by role and status, a page at a time.
   */
  list(argument: _learnchain_v1_ListMembersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _learnchain_v1_ListMembersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _learnchain_v1_ListMembersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _learnchain_v1_ListMembersRequest, callback: grpc.requestCallback<_learnchain_v1_ListMembersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Membership changes after `from_epoch`, then live changes as they happen.
   */
  Watch(argument: _learnchain_v1_WatchMembersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_MembershipChange__Output>;
  Watch(argument: _learnchain_v1_WatchMembersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_MembershipChange__Output>;
  /**
   * Membership changes after `from_epoch`, then live changes as they happen.
   */
  watch(argument: _learnchain_v1_WatchMembersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_MembershipChange__Output>;
  watch(argument: _learnchain_v1_WatchMembersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_MembershipChange__Output>;
  
}

export interface RegistryHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A fresh server nonce that a joining node signs to prove it holds its key.
   */
  GetChallenge: grpc.handleUnaryCall<_learnchain_v1_GetChallengeRequest__Output, _learnchain_v1_Challenge>;
  
  /**
   * Renews a lease. NOT_FOUND or FAILED_PRECONDITION mean: join again.
   */
  Heartbeat: grpc.handleUnaryCall<_learnchain_v1_HeartbeatRequest__Output, _learnchain_v1_HeartbeatResponse>;
  
  /**
   * Renews a lease over one long-lived stream, the cheap way to stay a member.
   * The registry speaks first with a fresh nonce; the node answers with an Open
   * signed over {chainId, nodeId, streamNonce}, then sends unsigned Beats on that
   * authenticated stream, each answered with the lease. The stream ends with
   * UNAUTHENTICATED when the Open does not prove the key, and with NOT_FOUND or
   * FAILED_PRECONDITION when the node must join again.
   */
  HeartbeatStream: grpc.handleBidiStreamingCall<_learnchain_v1_HeartbeatStreamRequest__Output, _learnchain_v1_HeartbeatStreamResponse>;
  
  /**
   * Admits a node (signed over the challenge), grants a lease, bumps the epoch.
   */
  Join: grpc.handleUnaryCall<_learnchain_v1_JoinRequest__Output, _learnchain_v1_JoinResponse>;
  
  /**
   * A graceful exit.
   */
  Leave: grpc.handleUnaryCall<_learnchain_v1_LeaveRequest__Output, _learnchain_v1_LeaveResponse>;
  
  /**
   * Members at the current epoch, filtered by role and status, a page at a time.
   */
  List: grpc.handleUnaryCall<_learnchain_v1_ListMembersRequest__Output, _learnchain_v1_ListMembersResponse>;
  
  /**
   * Membership changes after `from_epoch`, then live changes as they happen.
   */
  Watch: grpc.handleServerStreamingCall<_learnchain_v1_WatchMembersRequest__Output, _learnchain_v1_MembershipChange>;
  
}

export interface RegistryDefinition extends grpc.ServiceDefinition {
  GetChallenge: MethodDefinition<_learnchain_v1_GetChallengeRequest, _learnchain_v1_Challenge, _learnchain_v1_GetChallengeRequest__Output, _learnchain_v1_Challenge__Output>
  Heartbeat: MethodDefinition<_learnchain_v1_HeartbeatRequest, _learnchain_v1_HeartbeatResponse, _learnchain_v1_HeartbeatRequest__Output, _learnchain_v1_HeartbeatResponse__Output>
  HeartbeatStream: MethodDefinition<_learnchain_v1_HeartbeatStreamRequest, _learnchain_v1_HeartbeatStreamResponse, _learnchain_v1_HeartbeatStreamRequest__Output, _learnchain_v1_HeartbeatStreamResponse__Output>
  Join: MethodDefinition<_learnchain_v1_JoinRequest, _learnchain_v1_JoinResponse, _learnchain_v1_JoinRequest__Output, _learnchain_v1_JoinResponse__Output>
  Leave: MethodDefinition<_learnchain_v1_LeaveRequest, _learnchain_v1_LeaveResponse, _learnchain_v1_LeaveRequest__Output, _learnchain_v1_LeaveResponse__Output>
  List: MethodDefinition<_learnchain_v1_ListMembersRequest, _learnchain_v1_ListMembersResponse, _learnchain_v1_ListMembersRequest__Output, _learnchain_v1_ListMembersResponse__Output>
  Watch: MethodDefinition<_learnchain_v1_WatchMembersRequest, _learnchain_v1_MembershipChange, _learnchain_v1_WatchMembersRequest__Output, _learnchain_v1_MembershipChange__Output>
}
