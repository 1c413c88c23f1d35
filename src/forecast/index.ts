/**
 * `@tiqology/elite/forecast`: traffic forecasts with calibrated intervals, daily cost forecasts,
 * scaling decisions with a confidence, an auto-scaling loop, series helpers, accuracy metrics,
 * SVG charts and the tree learners behind them. Plain TypeScript, no WASM, no `node:` modules.
 * @packageDocumentation
 */

import { scoreForecast, seasonalNaiveMae } from './accuracy.js';
import {
  type AuditRecord,
  type AutoscaleDecision,
  type AutoscaleOptions,
  type AutoscaleOutcome,
  type Autoscaler,
  autoscale,
  type ScaleAction,
} from './autoscale/index.js';
import {
  type CostDay,
  type CostForecast,
  type CostOptions,
  cost,
  type DriverForecaster,
  seasonalNaiveDriver,
  trafficDriver,
} from './cost/index.js';
import { parseCsv, parseCsvSeries } from './csv.js';
import {
  type CurrentMetrics,
  type DecideInput,
  type DecisionResult,
  DIRECTIONAL_SCALING_FEATURES,
  decide,
  type LearnedPolicy,
  type LoadForecast,
  type LoadForecastStep,
  probabilityAtMost,
  SCALING_FEATURES,
  type ScalingDecision,
  type ScalingFeatureSet,
  type ScalingLabelOptions,
  type ScalingPolicy,
  type ScalingTable,
  scalingFeatures,
  type ThresholdPolicy,
  type TrainScalingPolicyOptions,
  toLoadForecast,
  trainScalingPolicy,
} from './scaling/index.js';
import {
  detectSeasonality,
  detectStep,
  fillGaps,
  fromColumns,
  horizonSteps,
  MAX_HORIZON_STEPS,
  MAX_TIMESTAMP_MS,
  resample,
  toEpochMs,
  toSeries,
} from './series.js';
import { type ChartMarker, type SvgOptions, toSVG } from './svg.js';
import { TRAFFIC_MODELS, traffic } from './traffic.js';
import {
  accuracy,
  createRandom,
  fitGradientBoosting,
  fitRandomForest,
  type GradientBoostingOptions,
  type GradientBoostingRegressor,
  logLoss,
  type PermutationImportance,
  type PermutationImportanceOptions,
  permutationImportance,
  type Random,
  type RandomForestClassifier,
  type RandomForestOptions,
  rmse,
  type Tree,
} from './trees/index.js';

export type { ScoredInterval, ScoreInput, Scores } from './accuracy.js';
export type { CsvSeriesOptions } from './csv.js';
export type { ToSeriesOptions } from './series.js';
export type {
  BacktestSummary,
  ForecastComponents,
  Forecaster,
  ForecastStep,
  IntervalBounds,
  ModelContext,
  ModelOutput,
  RegularSeries,
  SeasonalPeriods,
  SeriesPoint,
  TimestampInput,
  TrafficFallback,
  TrafficForecast,
  TrafficModelName,
  TrafficOptions,
} from './types.js';
export type {
  AuditRecord,
  AutoscaleDecision,
  AutoscaleOptions,
  AutoscaleOutcome,
  Autoscaler,
  ChartMarker,
  CostDay,
  CostForecast,
  CostOptions,
  CurrentMetrics,
  DecideInput,
  DecisionResult,
  DriverForecaster,
  GradientBoostingOptions,
  GradientBoostingRegressor,
  LearnedPolicy,
  LoadForecast,
  LoadForecastStep,
  PermutationImportance,
  PermutationImportanceOptions,
  Random,
  RandomForestClassifier,
  RandomForestOptions,
  ScaleAction,
  ScalingDecision,
  ScalingFeatureSet,
  ScalingLabelOptions,
  ScalingPolicy,
  ScalingTable,
  SvgOptions,
  ThresholdPolicy,
  TrainScalingPolicyOptions,
  Tree,
};
export {
  autoscale,
  cost,
  DIRECTIONAL_SCALING_FEATURES,
  decide,
  probabilityAtMost,
  SCALING_FEATURES,
  scalingFeatures,
  seasonalNaiveDriver,
  toLoadForecast,
  trafficDriver,
  trainScalingPolicy,
};
/**
 * The tree learners behind `cost` and the learned scaling policy, for your own features:
 * gradient-boosted regression trees, random-forest classifiers, permutation importance, and the
 * metrics and seeded random source they use.
 */
export const trees = {
  /** Fits gradient-boosted regression trees (squared or quantile loss). */
  fitGradientBoosting,
  /** Fits a random-forest classifier with class probabilities. */
  fitRandomForest,
  /** How much a score drops when each feature is shuffled, on held-out rows. */
  permutationImportance,
  /** A seeded random source, so fits are reproducible. */
  createRandom,
  /** Root mean squared error. */
  rmse,
  /** Share of rows whose most probable class is right. */
  accuracy,
  /** Mean negative log-likelihood of the true classes. */
  logLoss,
} as const;
export {
  detectSeasonality,
  detectStep,
  fillGaps,
  fromColumns,
  horizonSteps,
  MAX_HORIZON_STEPS,
  MAX_TIMESTAMP_MS,
  parseCsv,
  parseCsvSeries,
  resample,
  scoreForecast,
  seasonalNaiveMae,
  TRAFFIC_MODELS,
  toEpochMs,
  toSeries,
  toSVG,
  traffic,
};

/**
 * The forecast namespace, as one object: `forecast.traffic(series, options)`,
 * `forecast.cost(history, options)`, `forecast.decide(input, policy)`, `forecast.autoscale(options)`,
 * `forecast.detector(options)` and the helpers.
 */
export const forecast = {
  /** Forecasts a traffic series with calibrated intervals and a backtest: {@link traffic}. */
  traffic,
  /** Forecasts daily cost, optionally driven by other series: {@link cost}. */
  cost,
  /** Scale up, down or keep, with a confidence and reasons: {@link decide}. */
  decide,
  /** An auto-scaling loop with cooldown, bounds, dry run and an audit log: {@link autoscale}. */
  autoscale,
  /** Trains the learned scaling policy on a load history: {@link trainScalingPolicy}. */
  trainScalingPolicy,
  /** Draws a forecast as an SVG chart: {@link toSVG}. */
  toSVG,
  /** Validates points onto a regular grid: {@link toSeries}. */
  toSeries,
  /** A regular series from parallel timestamp and value columns: {@link fromColumns}. */
  fromColumns,
  /** Parses CSV text into rows of fields: {@link parseCsv}. */
  parseCsv,
  /** Parses CSV text into a regular series: {@link parseCsvSeries}. */
  parseCsvSeries,
  /** Aggregates a series onto a coarser step: {@link resample}. */
  resample,
  /** Fills short gaps of a series: {@link fillGaps}. */
  fillGaps,
  /** Finds the step of a list of timestamps: {@link detectStep}. */
  detectStep,
  /** Finds the daily and weekly periods a series supports: {@link detectSeasonality}. */
  detectSeasonality,
  /** Scores a forecast against what happened: {@link scoreForecast}. */
  scoreForecast,
  /** A streaming anomaly detector on the forecast's residuals: {@link detector}. */
  detector,
} as const;

// Anomaly detection on the forecast, and NAB scoring (src/forecast/anomaly/).
import { detector } from './anomaly/index.js';

export type {
  AnomalyDetector,
  BaselineState,
  DetectorOptions,
  DetectorReason,
  DetectorResult,
  DetectorState,
  LikelihoodState,
  NabCostMatrix,
  NabFileInput,
  NabFileScore,
  NabProfileName,
  NabScoreOptions,
  NabScoreResult,
  NoveltyScale,
  NoveltyState,
  RecurrenceState,
  ResolvedDetectorOptions,
} from './anomaly/index.js';
export {
  DETECTOR_DEFAULTS,
  NAB_PROFILES,
  nabProbationLength,
  nabScaledSigmoid,
  nabWindows,
  parseNabTimestamp,
  scoreNab,
} from './anomaly/index.js';
export { detector };
