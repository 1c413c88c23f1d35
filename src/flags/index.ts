/**
 * Feature flags and A/B experiments: evaluation, bucketing, targeting and the flag cache.
 * Edge-safe: nothing here imports a `node:` module.
 * @packageDocumentation
 */

export type {
  FlagChange,
  FlagEvent,
  FlagHistoryOptions,
  MetricStatsQuery,
  ResultsQuery,
  StorageAdapter,
  VariantAggregate,
  WriteOptions,
} from '../adapters/types.js';
export { KEY_PATTERN } from '../definitions/index.js';
export type { ExperimentResults, ExperimentVerdict, SampleRatioCheck, VariantResult } from '../experiments/index.js';
export type {
  MeanPreStats,
  MeanStats,
  MetricDefinition,
  MetricKind,
  MetricSource,
  MetricStats,
  MomentSums,
  RatioPreStats,
  RatioStats,
  VariantMetricStats,
} from '../experiments/metric-stats.js';
export type { EliteErrorCode, EliteErrorOptions } from '../internal/errors.js';
export { EliteError, isEliteError } from '../internal/errors.js';
export type { Logger } from '../internal/logger.js';
export { BUCKETING_VERSION, murmur3 } from './bucketing.js';
export type { FlagsClient, RefreshResult } from './client/index.js';
export { optionsFromEnv } from './client/index.js';
export type { SavedGroups } from './conditions.js';
export { evalCondition } from './conditions.js';
export { createFlags } from './create-flags.js';
export type { FlushResult } from './events.js';
export type { FlagKey, FlagRegistry, FlagValue, FlagVariant } from './flag-registry.js';
export type { DefaultFlagsClient } from './singleton.js';
export { flags } from './singleton.js';
export type {
  Condition,
  DefaultValue,
  EvaluateOptions,
  EvaluationContext,
  EvaluationDetails,
  EvaluationErrorCode,
  EvaluationReason,
  Exposure,
  FlagDefinition,
  FlagLayer,
  FlagMetadata,
  FlagRule,
  FlagSnapshot,
  FlagStats,
  FlagsOptions,
  FlagUser,
  JsonValue,
  Prerequisite,
  ResultsOptions,
  ScheduledStep,
  StoredFlag,
  TrackOptions,
  Variant,
  VariantWeight,
} from './types.js';
