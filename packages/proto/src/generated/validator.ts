import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AggregationRule as _learnchain_v1_AggregationRule, AggregationRule__Output as _learnchain_v1_AggregationRule__Output } from './learnchain/v1/AggregationRule';
import type { BlobChunk as _learnchain_v1_BlobChunk, BlobChunk__Output as _learnchain_v1_BlobChunk__Output } from './learnchain/v1/BlobChunk';
import type { BlobHeader as _learnchain_v1_BlobHeader, BlobHeader__Output as _learnchain_v1_BlobHeader__Output } from './learnchain/v1/BlobHeader';
import type { Block as _learnchain_v1_Block, Block__Output as _learnchain_v1_Block__Output } from './learnchain/v1/Block';
import type { BroadcastTxRequest as _learnchain_v1_BroadcastTxRequest, BroadcastTxRequest__Output as _learnchain_v1_BroadcastTxRequest__Output } from './learnchain/v1/BroadcastTxRequest';
import type { BroadcastTxResponse as _learnchain_v1_BroadcastTxResponse, BroadcastTxResponse__Output as _learnchain_v1_BroadcastTxResponse__Output } from './learnchain/v1/BroadcastTxResponse';
import type { BroadcastTxsRequest as _learnchain_v1_BroadcastTxsRequest, BroadcastTxsRequest__Output as _learnchain_v1_BroadcastTxsRequest__Output } from './learnchain/v1/BroadcastTxsRequest';
import type { BroadcastTxsResponse as _learnchain_v1_BroadcastTxsResponse, BroadcastTxsResponse__Output as _learnchain_v1_BroadcastTxsResponse__Output } from './learnchain/v1/BroadcastTxsResponse';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from './learnchain/v1/Capabilities';
import type { Commit as _learnchain_v1_Commit, Commit__Output as _learnchain_v1_Commit__Output } from './learnchain/v1/Commit';
import type { CreateJob as _learnchain_v1_CreateJob, CreateJob__Output as _learnchain_v1_CreateJob__Output } from './learnchain/v1/CreateJob';
import type { ErrorDetail as _learnchain_v1_ErrorDetail, ErrorDetail__Output as _learnchain_v1_ErrorDetail__Output } from './learnchain/v1/ErrorDetail';
import type { Evidence as _learnchain_v1_Evidence, Evidence__Output as _learnchain_v1_Evidence__Output } from './learnchain/v1/Evidence';
import type { ExcludedUpdate as _learnchain_v1_ExcludedUpdate, ExcludedUpdate__Output as _learnchain_v1_ExcludedUpdate__Output } from './learnchain/v1/ExcludedUpdate';
import type { GetBlockRequest as _learnchain_v1_GetBlockRequest, GetBlockRequest__Output as _learnchain_v1_GetBlockRequest__Output } from './learnchain/v1/GetBlockRequest';
import type { GetBlockResponse as _learnchain_v1_GetBlockResponse, GetBlockResponse__Output as _learnchain_v1_GetBlockResponse__Output } from './learnchain/v1/GetBlockResponse';
import type { GetCommitRequest as _learnchain_v1_GetCommitRequest, GetCommitRequest__Output as _learnchain_v1_GetCommitRequest__Output } from './learnchain/v1/GetCommitRequest';
import type { Header as _learnchain_v1_Header, Header__Output as _learnchain_v1_Header__Output } from './learnchain/v1/Header';
import type { HyperParameters as _learnchain_v1_HyperParameters, HyperParameters__Output as _learnchain_v1_HyperParameters__Output } from './learnchain/v1/HyperParameters';
import type { IncludedUpdate as _learnchain_v1_IncludedUpdate, IncludedUpdate__Output as _learnchain_v1_IncludedUpdate__Output } from './learnchain/v1/IncludedUpdate';
import type { NodeLeft as _learnchain_v1_NodeLeft, NodeLeft__Output as _learnchain_v1_NodeLeft__Output } from './learnchain/v1/NodeLeft';
import type { ParameterManifest as _learnchain_v1_ParameterManifest, ParameterManifest__Output as _learnchain_v1_ParameterManifest__Output } from './learnchain/v1/ParameterManifest';
import type { PrivacyOptions as _learnchain_v1_PrivacyOptions, PrivacyOptions__Output as _learnchain_v1_PrivacyOptions__Output } from './learnchain/v1/PrivacyOptions';
import type { Proposal as _learnchain_v1_Proposal, Proposal__Output as _learnchain_v1_Proposal__Output } from './learnchain/v1/Proposal';
import type { QueryStateRequest as _learnchain_v1_QueryStateRequest, QueryStateRequest__Output as _learnchain_v1_QueryStateRequest__Output } from './learnchain/v1/QueryStateRequest';
import type { QueryStateResponse as _learnchain_v1_QueryStateResponse, QueryStateResponse__Output as _learnchain_v1_QueryStateResponse__Output } from './learnchain/v1/QueryStateResponse';
import type { RegisterNode as _learnchain_v1_RegisterNode, RegisterNode__Output as _learnchain_v1_RegisterNode__Output } from './learnchain/v1/RegisterNode';
import type { RoundMetrics as _learnchain_v1_RoundMetrics, RoundMetrics__Output as _learnchain_v1_RoundMetrics__Output } from './learnchain/v1/RoundMetrics';
import type { RoundResult as _learnchain_v1_RoundResult, RoundResult__Output as _learnchain_v1_RoundResult__Output } from './learnchain/v1/RoundResult';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from './learnchain/v1/Signature';
import type { SignedProposal as _learnchain_v1_SignedProposal, SignedProposal__Output as _learnchain_v1_SignedProposal__Output } from './learnchain/v1/SignedProposal';
import type { StatusRequest as _learnchain_v1_StatusRequest, StatusRequest__Output as _learnchain_v1_StatusRequest__Output } from './learnchain/v1/StatusRequest';
import type { StatusResponse as _learnchain_v1_StatusResponse, StatusResponse__Output as _learnchain_v1_StatusResponse__Output } from './learnchain/v1/StatusResponse';
import type { TensorSpec as _learnchain_v1_TensorSpec, TensorSpec__Output as _learnchain_v1_TensorSpec__Output } from './learnchain/v1/TensorSpec';
import type { Tx as _learnchain_v1_Tx, Tx__Output as _learnchain_v1_Tx__Output } from './learnchain/v1/Tx';
import type { TxAdmission as _learnchain_v1_TxAdmission, TxAdmission__Output as _learnchain_v1_TxAdmission__Output } from './learnchain/v1/TxAdmission';
import type { TxOutcome as _learnchain_v1_TxOutcome, TxOutcome__Output as _learnchain_v1_TxOutcome__Output } from './learnchain/v1/TxOutcome';
import type { ValidationRule as _learnchain_v1_ValidationRule, ValidationRule__Output as _learnchain_v1_ValidationRule__Output } from './learnchain/v1/ValidationRule';
import type { ValidatorClient as _learnchain_v1_ValidatorClient, ValidatorDefinition as _learnchain_v1_ValidatorDefinition } from './learnchain/v1/Validator';
import type { ValidatorInfo as _learnchain_v1_ValidatorInfo, ValidatorInfo__Output as _learnchain_v1_ValidatorInfo__Output } from './learnchain/v1/ValidatorInfo';
import type { ValidatorSet as _learnchain_v1_ValidatorSet, ValidatorSet__Output as _learnchain_v1_ValidatorSet__Output } from './learnchain/v1/ValidatorSet';
import type { ValidatorSetUpdate as _learnchain_v1_ValidatorSetUpdate, ValidatorSetUpdate__Output as _learnchain_v1_ValidatorSetUpdate__Output } from './learnchain/v1/ValidatorSetUpdate';
import type { ValidatorUpdate as _learnchain_v1_ValidatorUpdate, ValidatorUpdate__Output as _learnchain_v1_ValidatorUpdate__Output } from './learnchain/v1/ValidatorUpdate';
import type { Vote as _learnchain_v1_Vote, Vote__Output as _learnchain_v1_Vote__Output } from './learnchain/v1/Vote';
import type { WatchBlocksRequest as _learnchain_v1_WatchBlocksRequest, WatchBlocksRequest__Output as _learnchain_v1_WatchBlocksRequest__Output } from './learnchain/v1/WatchBlocksRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  learnchain: {
    v1: {
      AggregationRule: MessageTypeDefinition<_learnchain_v1_AggregationRule, _learnchain_v1_AggregationRule__Output>
      BlobChunk: MessageTypeDefinition<_learnchain_v1_BlobChunk, _learnchain_v1_BlobChunk__Output>
      BlobHeader: MessageTypeDefinition<_learnchain_v1_BlobHeader, _learnchain_v1_BlobHeader__Output>
      BlobKind: EnumTypeDefinition
      Block: MessageTypeDefinition<_learnchain_v1_Block, _learnchain_v1_Block__Output>
      BroadcastTxRequest: MessageTypeDefinition<_learnchain_v1_BroadcastTxRequest, _learnchain_v1_BroadcastTxRequest__Output>
      BroadcastTxResponse: MessageTypeDefinition<_learnchain_v1_BroadcastTxResponse, _learnchain_v1_BroadcastTxResponse__Output>
      BroadcastTxsRequest: MessageTypeDefinition<_learnchain_v1_BroadcastTxsRequest, _learnchain_v1_BroadcastTxsRequest__Output>
      BroadcastTxsResponse: MessageTypeDefinition<_learnchain_v1_BroadcastTxsResponse, _learnchain_v1_BroadcastTxsResponse__Output>
      Capabilities: MessageTypeDefinition<_learnchain_v1_Capabilities, _learnchain_v1_Capabilities__Output>
      Commit: MessageTypeDefinition<_learnchain_v1_Commit, _learnchain_v1_Commit__Output>
      CreateJob: MessageTypeDefinition<_learnchain_v1_CreateJob, _learnchain_v1_CreateJob__Output>
      DType: EnumTypeDefinition
      ErrorDetail: MessageTypeDefinition<_learnchain_v1_ErrorDetail, _learnchain_v1_ErrorDetail__Output>
      Evidence: MessageTypeDefinition<_learnchain_v1_Evidence, _learnchain_v1_Evidence__Output>
      ExcludedUpdate: MessageTypeDefinition<_learnchain_v1_ExcludedUpdate, _learnchain_v1_ExcludedUpdate__Output>
      GetBlockRequest: MessageTypeDefinition<_learnchain_v1_GetBlockRequest, _learnchain_v1_GetBlockRequest__Output>
      GetBlockResponse: MessageTypeDefinition<_learnchain_v1_GetBlockResponse, _learnchain_v1_GetBlockResponse__Output>
      GetCommitRequest: MessageTypeDefinition<_learnchain_v1_GetCommitRequest, _learnchain_v1_GetCommitRequest__Output>
      Header: MessageTypeDefinition<_learnchain_v1_Header, _learnchain_v1_Header__Output>
      HyperParameters: MessageTypeDefinition<_learnchain_v1_HyperParameters, _learnchain_v1_HyperParameters__Output>
      IncludedUpdate: MessageTypeDefinition<_learnchain_v1_IncludedUpdate, _learnchain_v1_IncludedUpdate__Output>
      NodeLeft: MessageTypeDefinition<_learnchain_v1_NodeLeft, _learnchain_v1_NodeLeft__Output>
      ParameterManifest: MessageTypeDefinition<_learnchain_v1_ParameterManifest, _learnchain_v1_ParameterManifest__Output>
      PrivacyOptions: MessageTypeDefinition<_learnchain_v1_PrivacyOptions, _learnchain_v1_PrivacyOptions__Output>
      Proposal: MessageTypeDefinition<_learnchain_v1_Proposal, _learnchain_v1_Proposal__Output>
      QueryStateRequest: MessageTypeDefinition<_learnchain_v1_QueryStateRequest, _learnchain_v1_QueryStateRequest__Output>
      QueryStateResponse: MessageTypeDefinition<_learnchain_v1_QueryStateResponse, _learnchain_v1_QueryStateResponse__Output>
      RegisterNode: MessageTypeDefinition<_learnchain_v1_RegisterNode, _learnchain_v1_RegisterNode__Output>
      Role: EnumTypeDefinition
      RoundMetrics: MessageTypeDefinition<_learnchain_v1_RoundMetrics, _learnchain_v1_RoundMetrics__Output>
      RoundResult: MessageTypeDefinition<_learnchain_v1_RoundResult, _learnchain_v1_RoundResult__Output>
      Signature: MessageTypeDefinition<_learnchain_v1_Signature, _learnchain_v1_Signature__Output>
      SignedProposal: MessageTypeDefinition<_learnchain_v1_SignedProposal, _learnchain_v1_SignedProposal__Output>
      StatusRequest: MessageTypeDefinition<_learnchain_v1_StatusRequest, _learnchain_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_learnchain_v1_StatusResponse, _learnchain_v1_StatusResponse__Output>
      TensorSpec: MessageTypeDefinition<_learnchain_v1_TensorSpec, _learnchain_v1_TensorSpec__Output>
      Tx: MessageTypeDefinition<_learnchain_v1_Tx, _learnchain_v1_Tx__Output>
      TxAdmission: MessageTypeDefinition<_learnchain_v1_TxAdmission, _learnchain_v1_TxAdmission__Output>
      TxOutcome: MessageTypeDefinition<_learnchain_v1_TxOutcome, _learnchain_v1_TxOutcome__Output>
      TxWait: EnumTypeDefinition
      ValidationRule: MessageTypeDefinition<_learnchain_v1_ValidationRule, _learnchain_v1_ValidationRule__Output>
      Validator: SubtypeConstructor<typeof grpc.Client, _learnchain_v1_ValidatorClient> & { service: _learnchain_v1_ValidatorDefinition }
      ValidatorInfo: MessageTypeDefinition<_learnchain_v1_ValidatorInfo, _learnchain_v1_ValidatorInfo__Output>
      ValidatorSet: MessageTypeDefinition<_learnchain_v1_ValidatorSet, _learnchain_v1_ValidatorSet__Output>
      ValidatorSetUpdate: MessageTypeDefinition<_learnchain_v1_ValidatorSetUpdate, _learnchain_v1_ValidatorSetUpdate__Output>
      ValidatorUpdate: MessageTypeDefinition<_learnchain_v1_ValidatorUpdate, _learnchain_v1_ValidatorUpdate__Output>
      Vote: MessageTypeDefinition<_learnchain_v1_Vote, _learnchain_v1_Vote__Output>
      VoteType: EnumTypeDefinition
      WatchBlocksRequest: MessageTypeDefinition<_learnchain_v1_WatchBlocksRequest, _learnchain_v1_WatchBlocksRequest__Output>
    }
  }
}

