import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlobChunk as _learnchain_v1_BlobChunk, BlobChunk__Output as _learnchain_v1_BlobChunk__Output } from './learnchain/v1/BlobChunk';
import type { BlobHeader as _learnchain_v1_BlobHeader, BlobHeader__Output as _learnchain_v1_BlobHeader__Output } from './learnchain/v1/BlobHeader';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from './learnchain/v1/Capabilities';
import type { ErrorDetail as _learnchain_v1_ErrorDetail, ErrorDetail__Output as _learnchain_v1_ErrorDetail__Output } from './learnchain/v1/ErrorDetail';
import type { ParameterManifest as _learnchain_v1_ParameterManifest, ParameterManifest__Output as _learnchain_v1_ParameterManifest__Output } from './learnchain/v1/ParameterManifest';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from './learnchain/v1/Signature';
import type { TensorSpec as _learnchain_v1_TensorSpec, TensorSpec__Output as _learnchain_v1_TensorSpec__Output } from './learnchain/v1/TensorSpec';

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
      DType: EnumTypeDefinition
      ErrorDetail: MessageTypeDefinition<_learnchain_v1_ErrorDetail, _learnchain_v1_ErrorDetail__Output>
      ParameterManifest: MessageTypeDefinition<_learnchain_v1_ParameterManifest, _learnchain_v1_ParameterManifest__Output>
      Role: EnumTypeDefinition
      Signature: MessageTypeDefinition<_learnchain_v1_Signature, _learnchain_v1_Signature__Output>
      TensorSpec: MessageTypeDefinition<_learnchain_v1_TensorSpec, _learnchain_v1_TensorSpec__Output>
    }
  }
}

