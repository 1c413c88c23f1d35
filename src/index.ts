/**
 * `@tiqology/elite`: feature flags and A/B experiments for AI products.
 *
 * The `flags` namespace is ready to use; `createFlags` builds more clients. `telemetry` and
 * `forecast` are small stand-ins that load `@tiqology/elite/telemetry` and
 * `@tiqology/elite/forecast` on first use, so this entry stays within its Edge size budget.
 * @packageDocumentation
 */

export type {
  Condition,
  DefaultFlagsClient,
  DefaultValue,
  EliteErrorCode,
  EliteErrorOptions,
  EvaluateOptions,
  EvaluationContext,
  EvaluationDetails,
  EvaluationErrorCode,
  EvaluationReason,
  ExperimentResults,
  ExperimentVerdict,
  Exposure,
  FlagChange,
  FlagDefinition,
  FlagEvent,
  FlagHistoryOptions,
  FlagKey,
  FlagMetadata,
  FlagRegistry,
  FlagRule,
  FlagSnapshot,
  FlagStats,
  FlagsClient,
  FlagsOptions,
  FlagUser,
  FlagValue,
  FlagVariant,
  FlushResult,
  JsonValue,
  Logger,
  MeanPreStats,
  MeanStats,
  MetricDefinition,
  MetricKind,
  MetricSource,
  MetricStats,
  MetricStatsQuery,
  MomentSums,
  RatioPreStats,
  RatioStats,
  RefreshResult,
  ResultsOptions,
  ResultsQuery,
  SampleRatioCheck,
  StorageAdapter,
  StoredFlag,
  TrackOptions,
  Variant,
  VariantAggregate,
  VariantMetricStats,
  VariantResult,
  VariantWeight,
  WriteOptions,
} from './flags/index.js';
export {
  BUCKETING_VERSION,
  createFlags,
  EliteError,
  evalCondition,
  flags,
  isEliteError,
} from './flags/index.js';
// Forecast: a thin namespace that loads `@tiqology/elite/forecast` on first call (see forecast/lazy.ts).
export type {
  ForecastStep,
  RegularSeries,
  SeriesPoint,
  SvgOptions,
  TrafficForecast,
  TrafficModelName,
  TrafficOptions,
} from './forecast/index.js';
export { forecast, type LazyForecast } from './forecast/lazy.js';
export type {
  AlertEvent,
  CompletionRecord,
  CompletionStatus,
  InitOptions,
  InitResult,
  InstrumentOpenAIOptions,
  RequestRecord,
  Telemetry,
  TelemetryOptions,
} from './telemetry/index.js';
export type { LazyTelemetry } from './telemetry/lazy.js';
export { createTelemetry, telemetry } from './telemetry/lazy.js';
