// Original file: proto/learnchain/v1/chain.proto


export interface ValidationRule {
  /**
   * the committed validation set
   */
  'datasetHash'?: (Buffer | Uint8Array | string);
  /**
   * absolute ceiling on the new model's loss
   */
  'maxLoss'?: (number | string);
  /**
   * tolerated increase over the base model's loss
   */
  'maxLossIncrease'?: (number | string);
}

export interface ValidationRule__Output {
  /**
   * the committed validation set
   */
  'datasetHash': (Buffer);
  /**
   * absolute ceiling on the new model's loss
   */
  'maxLoss': (number);
  /**
   * tolerated increase over the base model's loss
   */
  'maxLossIncrease': (number);
}
