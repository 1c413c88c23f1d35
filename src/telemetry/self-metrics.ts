/**
 * What a telemetry instance counts about itself and about the flags clients it observes: records
 * it dropped, completions it could not price, series it folded into `_overflow`. Exposed as
 * metrics computed at scrape time and through `telemetry.stats()`.
 */
import type { FlagTotals } from './alerting.js';
import type { Family } from './capped-family.js';
import { CollectedMetric, type PromMetricLike } from './prom-metric.js';
import type { TelemetryStats } from './types.js';

/** The instance's own counters, written by the recorders and `countDropped`. */
export interface TelemetryCounts {
  /** Records dropped because a field was invalid. */
  invalidRecords: number;
  /** Completions of models missing from the price table. */
  unknownModelCompletions: number;
  /** Records the root entry's stand-in dropped before the module loaded. */
  queueOverflows: number;
  /** Spans in OTLP exports that failed. */
  droppedSpans: number;
  /** OTLP metric exports that failed. */
  failedMetricExports: number;
  /** Completions whose experiment events could not be tracked. */
  failedExperimentEvents: number;
}

/** Fresh counters, all 0. */
export function createTelemetryCounts(): TelemetryCounts {
  return {
    invalidRecords: 0,
    unknownModelCompletions: 0,
    queueOverflows: 0,
    droppedSpans: 0,
    failedMetricExports: 0,
    failedExperimentEvents: 0,
  };
}

type AnyFamily = Family<'counter' | 'histogram'>;

const overflowedSeries = (families: readonly AnyFamily[]) => families.reduce((total, metric) => total + metric.overflowed, 0);
const evictedSeries = (families: readonly AnyFamily[]) => families.reduce((total, metric) => total + metric.evicted, 0);

/**
 * The metrics read at scrape time: the observed flags clients' cache counters (summed) and
 * `elite_telemetry_dropped_total` by reason.
 */
export function createSelfMetrics(counts: TelemetryCounts, families: readonly AnyFamily[], flagTotals: () => FlagTotals): PromMetricLike[] {
  return [
    new CollectedMetric('elite_flags_cache_hits_total', 'Flag evaluations answered from a fresh cache entry.', 'counter', () => [
      { value: flagTotals().cacheHits, labels: {} },
    ]),
    new CollectedMetric('elite_flags_cache_misses_total', 'Flag evaluations that read the store.', 'counter', () => [
      { value: flagTotals().cacheMisses, labels: {} },
    ]),
    new CollectedMetric('elite_flags_stale_serves_total', 'Flag evaluations served stale because the store failed.', 'counter', () => [
      { value: flagTotals().staleServes, labels: {} },
    ]),
    new CollectedMetric('elite_telemetry_dropped_total', 'Telemetry records dropped or folded, by reason.', 'counter', () => [
      { value: counts.invalidRecords, labels: { reason: 'invalid_record' } },
      { value: overflowedSeries(families), labels: { reason: 'series_overflow' } },
      { value: evictedSeries(families), labels: { reason: 'series_evicted' } },
      { value: counts.queueOverflows, labels: { reason: 'queue_overflow' } },
      { value: counts.droppedSpans, labels: { reason: 'span_export_failed' } },
      { value: counts.failedExperimentEvents, labels: { reason: 'experiment_event_failed' } },
    ]),
  ];
}

/** `telemetry.stats()`: the counters and the families' overflow and eviction totals, as a copy. */
export function telemetryStats(counts: TelemetryCounts, families: readonly AnyFamily[]): TelemetryStats {
  return {
    invalidRecords: counts.invalidRecords,
    unknownModelCompletions: counts.unknownModelCompletions,
    overflowedSeries: overflowedSeries(families),
    evictedSeries: evictedSeries(families),
    queueOverflows: counts.queueOverflows,
    droppedSpans: counts.droppedSpans,
    failedMetricExports: counts.failedMetricExports,
    failedExperimentEvents: counts.failedExperimentEvents,
  };
}
