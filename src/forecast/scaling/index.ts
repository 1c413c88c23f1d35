/**
 * Scaling decisions: `decide` (decide.ts) with the threshold policy (threshold-policy.ts, on a
 * load forecast from load-forecast.ts) or a learned policy (learned-policy.ts, a random forest
 * on the features of features.ts and forecast-direction.ts; the forest the CLI
 * ships in pretrained-policy.ts and pretrained-forest.ts, kept out of this entry's bundle). Types in types.ts.
 */
export { decide } from './decide.js';
export {
  DIRECTIONAL_SCALING_FEATURES,
  SCALING_FEATURES,
  type ScalingLabelOptions,
  type ScalingTable,
  scalingFeatures,
} from './features.js';
export { FORECAST_DIRECTION_FEATURES } from './forecast-direction.js';
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
  ScalingFeatureSet,
  ScalingPolicy,
  ThresholdPolicy,
} from './types.js';
