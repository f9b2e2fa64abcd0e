// Original file: proto/learnchain/v1/chain.proto


/**
 * A robust aggregation rule and its parameters, e.g. name "trimmed-mean" with
 * params {"beta": 0.2}. byzantine_budget is the f the rule must tolerate.
 */
export interface AggregationRule {
  'name'?: (string);
  'params'?: ({[key: string]: number | string});
  'byzantineBudget'?: (number);
  /**
   * optional pre-filter; 0 disables
   */
  'normBound'?: (number | string);
}

/**
 * A robust aggregation rule and its parameters, e.g. name "trimmed-mean" with
 * params {"beta": 0.2}. byzantine_budget is the f the rule must tolerate.
 */
export interface AggregationRule__Output {
  'name': (string);
  'params': ({[key: string]: number});
  'byzantineBudget': (number);
  /**
   * optional pre-filter; 0 disables
   */
  'normBound': (number);
}
