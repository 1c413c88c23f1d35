/**
 * Scaling decisions: `decide` (decide.ts) with the threshold policy (threshold-policy.ts, on a
 * load forecast from load-forecast.ts) or a learned policy (learned-policy.ts, a random forest
 * on the features of features.ts). Types in types.ts.
 */
export { decide } from './decide.js';
export { SCALING_FEATURES, type ScalingLabelOptions, type ScalingTable, scalingFeatures } from './features.js';
export { type TrainScalingPolicyOptions, trainScalingPolicy } from './learned-policy.js';
export { probabilityAtMost, toLoadForecast } from './load-forecast.js';
export type {
  CurrentMetrics,
  DecideInput,
  DecisionResult,
  LearnedPolicy,
  LoadForecast,
  LoadForecastStep,
  ScalingDecision,
  ScalingPolicy,
  ThresholdPolicy,
} from './types.js';
