// Original file: proto/learnchain/v1/consensus.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConsensusMessage as _learnchain_v1_ConsensusMessage, ConsensusMessage__Output as _learnchain_v1_ConsensusMessage__Output } from '../../learnchain/v1/ConsensusMessage';
import type { SyncBlocksRequest as _learnchain_v1_SyncBlocksRequest, SyncBlocksRequest__Output as _learnchain_v1_SyncBlocksRequest__Output } from '../../learnchain/v1/SyncBlocksRequest';
import type { SyncedBlock as _learnchain_v1_SyncedBlock, SyncedBlock__Output as _learnchain_v1_SyncedBlock__Output } from '../../learnchain/v1/SyncedBlock';

export interface ConsensusClient extends grpc.Client {
  /**
   * A long-lived bidirectional stream per peer pair. The first message each
   * side sends is a Hello proving who it is; everything after is gossip.
   */
  Gossip(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage__Output>;
  Gossip(options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage__Output>;
  /**
   * A long-lived bidirectional stream per peer pair. The first message each
   * side sends is a Hello proving who it is; everything after is gossip.
   */
  gossip(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage__Output>;
  gossip(options?: grpc.CallOptions): grpc.ClientDuplexStream<_learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage__Output>;
  
  /**
   * Committed blocks with their commits, for a validator that is behind.
   */
  SyncBlocks(argument: _learnchain_v1_SyncBlocksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_SyncedBlock__Output>;
  SyncBlocks(argument: _learnchain_v1_SyncBlocksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_SyncedBlock__Output>;
  /**
   * Committed blocks with their commits, for a validator that is behind.
   */
  syncBlocks(argument: _learnchain_v1_SyncBlocksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_SyncedBlock__Output>;
  syncBlocks(argument: _learnchain_v1_SyncBlocksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_learnchain_v1_SyncedBlock__Output>;
  
}

export interface ConsensusHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A long-lived bidirectional stream per peer pair. The first message each
   * side sends is a Hello proving who it is; everything after is gossip.
   */
  Gossip: grpc.handleBidiStreamingCall<_learnchain_v1_ConsensusMessage__Output, _learnchain_v1_ConsensusMessage>;
  
  /**
   * Committed blocks with their commits, for a validator that is behind.
   */
  SyncBlocks: grpc.handleServerStreamingCall<_learnchain_v1_SyncBlocksRequest__Output, _learnchain_v1_SyncedBlock>;
  
}

export interface ConsensusDefinition extends grpc.ServiceDefinition {
  Gossip: MethodDefinition<_learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage, _learnchain_v1_ConsensusMessage__Output, _learnchain_v1_ConsensusMessage__Output>
  SyncBlocks: MethodDefinition<_learnchain_v1_SyncBlocksRequest, _learnchain_v1_SyncedBlock, _learnchain_v1_SyncBlocksRequest__Output, _learnchain_v1_SyncedBlock__Output>
}
