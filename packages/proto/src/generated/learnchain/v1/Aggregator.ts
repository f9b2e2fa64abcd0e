// Original file: proto/learnchain/v1/aggregator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BlobChunk as _learnchain_v1_BlobChunk, BlobChunk__Output as _learnchain_v1_BlobChunk__Output } from '../../learnchain/v1/BlobChunk';
import type { GetBlobRequest as _learnchain_v1_GetBlobRequest, GetBlobRequest__Output as _learnchain_v1_GetBlobRequest__Output } from '../../learnchain/v1/GetBlobRequest';
import type { GetRoundRequest as _learnchain_v1_GetRoundRequest, GetRoundRequest__Output as _learnchain_v1_GetRoundRequest__Output } from '../../learnchain/v1/GetRoundRequest';
import type { ListRoundsRequest as _learnchain_v1_ListRoundsRequest, ListRoundsRequest__Output as _learnchain_v1_ListRoundsRequest__Output } from '../../learnchain/v1/ListRoundsRequest';
import type { ListRoundsResponse as _learnchain_v1_ListRoundsResponse, ListRoundsResponse__Output as _learnchain_v1_ListRoundsResponse__Output } from '../../learnchain/v1/ListRoundsResponse';
import type { PutBlobResponse as _learnchain_v1_PutBlobResponse, PutBlobResponse__Output as _learnchain_v1_PutBlobResponse__Output } from '../../learnchain/v1/PutBlobResponse';
import type { RoundStatus as _learnchain_v1_RoundStatus, RoundStatus__Output as _learnchain_v1_RoundStatus__Output } from '../../learnchain/v1/RoundStatus';
import type { SubmitUpdateResponse as _learnchain_v1_SubmitUpdateResponse, SubmitUpdateResponse__Output as _learnchain_v1_SubmitUpdateResponse__Output } from '../../learnchain/v1/SubmitUpdateResponse';
import type { UpdateChunk as _learnchain_v1_UpdateChunk, UpdateChunk__Output as _learnchain_v1_UpdateChunk__Output } from '../../learnchain/v1/UpdateChunk';

export interface AggregatorClient extends grpc.Client {
  /**
   * A blob by hash, streamed in chunks; the reader verifies the hash.
   */
  GetBlob(argument: _learnchain_v1_GetBlobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_BlobChunk__Output>;
  GetBlob(argument: _learnchain_v1_GetBlobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_BlobChunk__Output>;
  /**
   * A blob by hash, streamed in chunks; the reader verifies the hash.
   */
  getBlob(argument: _learnchain_v1_GetBlobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_BlobChunk__Output>;
  getBlob(argument: _learnchain_v1_GetBlobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_BlobChunk__Output>;
  
  GetRound(argument: _learnchain_v1_GetRoundRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  GetRound(argument: _learnchain_v1_GetRoundRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  GetRound(argument: _learnchain_v1_GetRoundRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  GetRound(argument: _learnchain_v1_GetRoundRequest, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  getRound(argument: _learnchain_v1_GetRoundRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  getRound(argument: _learnchain_v1_GetRoundRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  getRound(argument: _learnchain_v1_GetRoundRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  getRound(argument: _learnchain_v1_GetRoundRequest, callback: grpc.requestCallback<_learnchain_v1_RoundStatus__Output>): grpc.ClientUnaryCall;
  
  ListRounds(argument: _learnchain_v1_ListRoundsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  ListRounds(argument: _learnchain_v1_ListRoundsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  ListRounds(argument: _learnchain_v1_ListRoundsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  ListRounds(argument: _learnchain_v1_ListRoundsRequest, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  listRounds(argument: _learnchain_v1_ListRoundsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  listRounds(argument: _learnchain_v1_ListRoundsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  listRounds(argument: _learnchain_v1_ListRoundsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  listRounds(argument: _learnchain_v1_ListRoundsRequest, callback: grpc.requestCallback<_learnchain_v1_ListRoundsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stores a blob (a model, initial parameters, a validation set) by hash.
   */
  PutBlob(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  PutBlob(metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  PutBlob(options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  PutBlob(callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  /**
   * Stores a blob (a model, initial parameters, a validation set) by hash.
   */
  putBlob(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  putBlob(metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  putBlob(options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  putBlob(callback: grpc.requestCallback<_learnchain_v1_PutBlobResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_BlobChunk>;
  
  /**
   * A trainer's update, streamed: the first message carries the header (with
   * the signature), the rest carry data in order. Answered only once the update
   * is durable.
   */
  SubmitUpdate(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  SubmitUpdate(metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  SubmitUpdate(options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  SubmitUpdate(callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  /**
   * A trainer's update, streamed: the first message carries the header (with
   * the signature), the rest carry data in order. Answered only once the update
   * is durable.
   */
  submitUpdate(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  submitUpdate(metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  submitUpdate(options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  submitUpdate(callback: grpc.requestCallback<_learnchain_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_learnchain_v1_UpdateChunk>;
  
}

export interface AggregatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A blob by hash, streamed in chunks; the reader verifies the hash.
   */
  GetBlob: grpc.handleServerStreamingCall<_learnchain_v1_GetBlobRequest__Output, _learnchain_v1_BlobChunk>;
  
  GetRound: grpc.handleUnaryCall<_learnchain_v1_GetRoundRequest__Output, _learnchain_v1_RoundStatus>;
  
  ListRounds: grpc.handleUnaryCall<_learnchain_v1_ListRoundsRequest__Output, _learnchain_v1_ListRoundsResponse>;
  
  /**
   * Stores a blob (a model, initial parameters, a validation set) by hash.
   */
  PutBlob: grpc.handleClientStreamingCall<_learnchain_v1_BlobChunk__Output, _learnchain_v1_PutBlobResponse>;
  
  /**
   * A trainer's update, streamed: the first message carries the header (with
   * the signature), the rest carry data in order. Answered only once the update
   * is durable.
   */
  SubmitUpdate: grpc.handleClientStreamingCall<_learnchain_v1_UpdateChunk__Output, _learnchain_v1_SubmitUpdateResponse>;
  
}

export interface AggregatorDefinition extends grpc.ServiceDefinition {
  GetBlob: MethodDefinition<_learnchain_v1_GetBlobRequest, _learnchain_v1_BlobChunk, _learnchain_v1_GetBlobRequest__Output, _learnchain_v1_BlobChunk__Output>
  GetRound: MethodDefinition<_learnchain_v1_GetRoundRequest, _learnchain_v1_RoundStatus, _learnchain_v1_GetRoundRequest__Output, _learnchain_v1_RoundStatus__Output>
  ListRounds: MethodDefinition<_learnchain_v1_ListRoundsRequest, _learnchain_v1_ListRoundsResponse, _learnchain_v1_ListRoundsRequest__Output, _learnchain_v1_ListRoundsResponse__Output>
  PutBlob: MethodDefinition<_learnchain_v1_BlobChunk, _learnchain_v1_PutBlobResponse, _learnchain_v1_BlobChunk__Output, _learnchain_v1_PutBlobResponse__Output>
  SubmitUpdate: MethodDefinition<_learnchain_v1_UpdateChunk, _learnchain_v1_SubmitUpdateResponse, _learnchain_v1_UpdateChunk__Output, _learnchain_v1_SubmitUpdateResponse__Output>
}
