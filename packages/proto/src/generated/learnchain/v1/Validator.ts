// Original file: proto/learnchain/v1/validator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BroadcastTxRequest as _learnchain_v1_BroadcastTxRequest, BroadcastTxRequest__Output as _learnchain_v1_BroadcastTxRequest__Output } from '../../learnchain/v1/BroadcastTxRequest';
import type { BroadcastTxResponse as _learnchain_v1_BroadcastTxResponse, BroadcastTxResponse__Output as _learnchain_v1_BroadcastTxResponse__Output } from '../../learnchain/v1/BroadcastTxResponse';
import type { BroadcastTxsRequest as _learnchain_v1_BroadcastTxsRequest, BroadcastTxsRequest__Output as _learnchain_v1_BroadcastTxsRequest__Output } from '../../learnchain/v1/BroadcastTxsRequest';
import type { BroadcastTxsResponse as _learnchain_v1_BroadcastTxsResponse, BroadcastTxsResponse__Output as _learnchain_v1_BroadcastTxsResponse__Output } from '../../learnchain/v1/BroadcastTxsResponse';
import type { Commit as _learnchain_v1_Commit, Commit__Output as _learnchain_v1_Commit__Output } from '../../learnchain/v1/Commit';
import type { GetBlockRequest as _learnchain_v1_GetBlockRequest, GetBlockRequest__Output as _learnchain_v1_GetBlockRequest__Output } from '../../learnchain/v1/GetBlockRequest';
import type { GetBlockResponse as _learnchain_v1_GetBlockResponse, GetBlockResponse__Output as _learnchain_v1_GetBlockResponse__Output } from '../../learnchain/v1/GetBlockResponse';
import type { GetCommitRequest as _learnchain_v1_GetCommitRequest, GetCommitRequest__Output as _learnchain_v1_GetCommitRequest__Output } from '../../learnchain/v1/GetCommitRequest';
import type { QueryStateRequest as _learnchain_v1_QueryStateRequest, QueryStateRequest__Output as _learnchain_v1_QueryStateRequest__Output } from '../../learnchain/v1/QueryStateRequest';
import type { QueryStateResponse as _learnchain_v1_QueryStateResponse, QueryStateResponse__Output as _learnchain_v1_QueryStateResponse__Output } from '../../learnchain/v1/QueryStateResponse';
import type { StatusRequest as _learnchain_v1_StatusRequest, StatusRequest__Output as _learnchain_v1_StatusRequest__Output } from '../../learnchain/v1/StatusRequest';
import type { StatusResponse as _learnchain_v1_StatusResponse, StatusResponse__Output as _learnchain_v1_StatusResponse__Output } from '../../learnchain/v1/StatusResponse';
import type { WatchBlocksRequest as _learnchain_v1_WatchBlocksRequest, WatchBlocksRequest__Output as _learnchain_v1_WatchBlocksRequest__Output } from '../../learnchain/v1/WatchBlocksRequest';

export interface ValidatorClient extends grpc.Client {
  /**
   * Checks and queues a transaction; optionally waits until it is committed.
   */
  BroadcastTx(argument: _learnchain_v1_BroadcastTxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTx(argument: _learnchain_v1_BroadcastTxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTx(argument: _learnchain_v1_BroadcastTxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTx(argument: _learnchain_v1_BroadcastTxRequest, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Checks and queues a transaction; optionally waits until it is committed.
   */
  broadcastTx(argument: _learnchain_v1_BroadcastTxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  broadcastTx(argument: _learnchain_v1_BroadcastTxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  broadcastTx(argument: _learnchain_v1_BroadcastTxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  broadcastTx(argument: _learnchain_v1_BroadcastTxRequest, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Checks and queues up to 1,000 transactions in one call (a client with many to
   * submit). Each gets the verdict BroadcastTx would give it alone; one refused
   * refuses no other.
   */
  BroadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  BroadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Checks and queues up to 1,000 transactions in one call (a client with many to
   * submit). Each gets the verdict BroadcastTx would give it alone; one refused
   * refuses no other.
   */
  broadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  broadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  broadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  broadcastTxs(argument: _learnchain_v1_BroadcastTxsRequest, callback: grpc.requestCallback<_learnchain_v1_BroadcastTxsResponse__Output>): grpc.ClientUnaryCall;
  
  GetBlock(argument: _learnchain_v1_GetBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _learnchain_v1_GetBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _learnchain_v1_GetBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  GetBlock(argument: _learnchain_v1_GetBlockRequest, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _learnchain_v1_GetBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _learnchain_v1_GetBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _learnchain_v1_GetBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  getBlock(argument: _learnchain_v1_GetBlockRequest, callback: grpc.requestCallback<_learnchain_v1_GetBlockResponse__Output>): grpc.ClientUnaryCall;
  
  GetCommit(argument: _learnchain_v1_GetCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  GetCommit(argument: _learnchain_v1_GetCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  GetCommit(argument: _learnchain_v1_GetCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  GetCommit(argument: _learnchain_v1_GetCommitRequest, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  getCommit(argument: _learnchain_v1_GetCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  getCommit(argument: _learnchain_v1_GetCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  getCommit(argument: _learnchain_v1_GetCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  getCommit(argument: _learnchain_v1_GetCommitRequest, callback: grpc.requestCallback<_learnchain_v1_Commit__Output>): grpc.ClientUnaryCall;
  
  /**
   * Reads the ledger state: jobs, rounds, members, validators, reputation.
   */
  QueryState(argument: _learnchain_v1_QueryStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  QueryState(argument: _learnchain_v1_QueryStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  QueryState(argument: _learnchain_v1_QueryStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  QueryState(argument: _learnchain_v1_QueryStateRequest, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Reads the ledger state: jobs, rounds, members, validators, reputation.
   */
  queryState(argument: _learnchain_v1_QueryStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  queryState(argument: _learnchain_v1_QueryStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  queryState(argument: _learnchain_v1_QueryStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  queryState(argument: _learnchain_v1_QueryStateRequest, callback: grpc.requestCallback<_learnchain_v1_QueryStateResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _learnchain_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _learnchain_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _learnchain_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _learnchain_v1_StatusRequest, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _learnchain_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _learnchain_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _learnchain_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _learnchain_v1_StatusRequest, callback: grpc.requestCallback<_learnchain_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Committed blocks from `from_height` on, then live.
   */
  WatchBlocks(argument: _learnchain_v1_WatchBlocksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_GetBlockResponse__Output>;
  WatchBlocks(argument: _learnchain_v1_WatchBlocksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_GetBlockResponse__Output>;
  /**
   * Committed blocks from `from_height` on, then live.
   */
  watchBlocks(argument: _learnchain_v1_WatchBlocksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_GetBlockResponse__Output>;
  watchBlocks(argument: _learnchain_v1_WatchBlocksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_GetBlockResponse__Output>;
  
}

export interface ValidatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Checks and queues a transaction; optionally waits until it is committed.
   */
  BroadcastTx: grpc.handleUnaryCall<_learnchain_v1_BroadcastTxRequest__Output, _learnchain_v1_BroadcastTxResponse>;
  
  /**
   * Checks and queues up to 1,000 transactions in one call (a client with many to
   * submit). Each gets the verdict BroadcastTx would give it alone; one refused
   * refuses no other.
   */
  BroadcastTxs: grpc.handleUnaryCall<_learnchain_v1_BroadcastTxsRequest__Output, _learnchain_v1_BroadcastTxsResponse>;
  
  GetBlock: grpc.handleUnaryCall<_learnchain_v1_GetBlockRequest__Output, _learnchain_v1_GetBlockResponse>;
  
  GetCommit: grpc.handleUnaryCall<_learnchain_v1_GetCommitRequest__Output, _learnchain_v1_Commit>;
  
  /**
   * Reads the ledger state: jobs, rounds, members, validators, reputation.
   */
  QueryState: grpc.handleUnaryCall<_learnchain_v1_QueryStateRequest__Output, _learnchain_v1_QueryStateResponse>;
  
  Status: grpc.handleUnaryCall<_learnchain_v1_StatusRequest__Output, _learnchain_v1_StatusResponse>;
  
  /**
   * Committed blocks from `from_height` on, then live.
   */
  WatchBlocks: grpc.handleServerStreamingCall<_learnchain_v1_WatchBlocksRequest__Output, _learnchain_v1_GetBlockResponse>;
  
}

export interface ValidatorDefinition extends grpc.ServiceDefinition {
  BroadcastTx: MethodDefinition<_learnchain_v1_BroadcastTxRequest, _learnchain_v1_BroadcastTxResponse, _learnchain_v1_BroadcastTxRequest__Output, _learnchain_v1_BroadcastTxResponse__Output>
  BroadcastTxs: MethodDefinition<_learnchain_v1_BroadcastTxsRequest, _learnchain_v1_BroadcastTxsResponse, _learnchain_v1_BroadcastTxsRequest__Output, _learnchain_v1_BroadcastTxsResponse__Output>
  GetBlock: MethodDefinition<_learnchain_v1_GetBlockRequest, _learnchain_v1_GetBlockResponse, _learnchain_v1_GetBlockRequest__Output, _learnchain_v1_GetBlockResponse__Output>
  GetCommit: MethodDefinition<_learnchain_v1_GetCommitRequest, _learnchain_v1_Commit, _learnchain_v1_GetCommitRequest__Output, _learnchain_v1_Commit__Output>
  QueryState: MethodDefinition<_learnchain_v1_QueryStateRequest, _learnchain_v1_QueryStateResponse, _learnchain_v1_QueryStateRequest__Output, _learnchain_v1_QueryStateResponse__Output>
  Status: MethodDefinition<_learnchain_v1_StatusRequest, _learnchain_v1_StatusResponse, _learnchain_v1_StatusRequest__Output, _learnchain_v1_StatusResponse__Output>
  WatchBlocks: MethodDefinition<_learnchain_v1_WatchBlocksRequest, _learnchain_v1_GetBlockResponse, _learnchain_v1_WatchBlocksRequest__Output, _learnchain_v1_GetBlockResponse__Output>
}
