// Original file: proto/learnchain/v1/chain.proto


export interface HyperParameters {
  'localEpochs'?: (number);
  'batchSize'?: (number);
  'learningRate'?: (number | string);
  'momentum'?: (number | string);
  /**
   * FedProx; 0 disables
   */
  'proximalMu'?: (number | string);
  /**
   * augmentation: each training image moved by up to this many pixels in x and y; 0 disables
   */
  'maxShift'?: (number);
}

export interface HyperParameters__Output {
  'localEpochs': (number);
  'batchSize': (number);
  'learningRate': (number);
  'momentum': (number);
  /**
   * FedProx; 0 disables
   */
  'proximalMu': (number);
  /**
   * augmentation: each training image moved by up to this many pixels in x and y; 0 disables
   */
  'maxShift': (number);
}
