// Original file: proto/learnchain/v1/chain.proto

import type { RegisterNode as _learnchain_v1_RegisterNode, RegisterNode__Output as _learnchain_v1_RegisterNode__Output } from '../../learnchain/v1/RegisterNode';
import type { NodeLeft as _learnchain_v1_NodeLeft, NodeLeft__Output as _learnchain_v1_NodeLeft__Output } from '../../learnchain/v1/NodeLeft';
import type { CreateJob as _learnchain_v1_CreateJob, CreateJob__Output as _learnchain_v1_CreateJob__Output } from '../../learnchain/v1/CreateJob';
import type { RoundResult as _learnchain_v1_RoundResult, RoundResult__Output as _learnchain_v1_RoundResult__Output } from '../../learnchain/v1/RoundResult';
import type { Evidence as _learnchain_v1_Evidence, Evidence__Output as _learnchain_v1_Evidence__Output } from '../../learnchain/v1/Evidence';
import type { ValidatorSetUpdate as _learnchain_v1_ValidatorSetUpdate, ValidatorSetUpdate__Output as _learnchain_v1_ValidatorSetUpdate__Output } from '../../learnchain/v1/ValidatorSetUpdate';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * Every transaction is signed by its submitter over the canonical encoding of
 * {chainId, nonce, body} and bound to the chain it is meant for.
 */
export interface Tx {
  'chainId'?: (string);
  /**
   * per-signer, strictly increasing; replays are refused
   */
  'nonce'?: (number | string | Long);
  'registerNode'?: (_learnchain_v1_RegisterNode | null);
  'nodeLeft'?: (_learnchain_v1_NodeLeft | null);
  'createJob'?: (_learnchain_v1_CreateJob | null);
  'roundResult'?: (_learnchain_v1_RoundResult | null);
  'evidence'?: (_learnchain_v1_Evidence | null);
  'validatorSetUpdate'?: (_learnchain_v1_ValidatorSetUpdate | null);
  'signature'?: (_learnchain_v1_Signature | null);
  'body'?: "registerNode"|"nodeLeft"|"createJob"|"roundResult"|"evidence"|"validatorSetUpdate";
}

/**
 * Every transaction is signed by its submitter over the canonical encoding of
 * {chainId, nonce, body} and bound to the chain it is meant for.
 */
export interface Tx__Output {
  'chainId': (string);
  /**
   * per-signer, strictly increasing; replays are refused
   */
  'nonce': (number);
  'registerNode'?: (_learnchain_v1_RegisterNode__Output | null);
  'nodeLeft'?: (_learnchain_v1_NodeLeft__Output | null);
  'createJob'?: (_learnchain_v1_CreateJob__Output | null);
  'roundResult'?: (_learnchain_v1_RoundResult__Output | null);
  'evidence'?: (_learnchain_v1_Evidence__Output | null);
  'validatorSetUpdate'?: (_learnchain_v1_ValidatorSetUpdate__Output | null);
  'signature': (_learnchain_v1_Signature__Output | null);
  'body'?: "registerNode"|"nodeLeft"|"createJob"|"roundResult"|"evidence"|"validatorSetUpdate";
}
