// Original file: proto/learnchain/v1/chain.proto


export interface PrivacyOptions {
  /**
   * client-side clipping; 0 disables
   */
  'clipNorm'?: (number | string);
  /**
   * Gaussian noise, sigma = multiplier * clip
   */
  'noiseMultiplier'?: (number | string);
  /**
   * pairwise masks, where the rule allows
   */
  'secureAggregation'?: (boolean);
}

export interface PrivacyOptions__Output {
  /**
   * client-side clipping; 0 disables
   */
  'clipNorm': (number);
  /**
   * Gaussian noise, sigma = multiplier * clip
   */
  'noiseMultiplier': (number);
  /**
   * pairwise masks, where the rule allows
   */
  'secureAggregation': (boolean);
}
