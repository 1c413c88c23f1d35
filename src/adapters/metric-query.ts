import type { MetricDefinition, MetricSource } from '../experiments/metric-stats.js';
import { EliteError } from '../internal/errors.js';
import type { MetricStatsQuery } from './types.js';

/** CUPED's default pre-exposure window, in days. */
export const DEFAULT_CUPED_DAYS = 14;
/** The longest pre-exposure window a store accepts, in days. */
export const MAX_CUPED_DAYS = 365;

/** One source of a metric as every store computes it: the event, and whether its events are counted. */
export interface PlannedSource {
  /** Conversion name. */
  event: string;
  /** True: count the events; false: sum their values (a missing value counts as 0). */
  count: boolean;
}

/** A metric reduced to what a store computes per user. */
export interface PlannedMetric {
  /** The metric's key. */
  key: string;
  /** The metric's kind. */
  kind: MetricDefinition['kind'];
  /** The numerator (the only source of binomial and mean metrics). */
  numerator: PlannedSource;
  /** The denominator of a ratio metric. */
  denominator?: PlannedSource;
  /** CUPED's pre-exposure window in days, when asked for. */
  preDays?: number;
}

const invalid = (store: string, field: string, message: string) =>
  new EliteError('INVALID_OPTIONS', `elite/${store}: queryMetricStats(): ${message}`, { field });

function planSource(store: string, field: string, source: MetricSource | undefined, kind: string): PlannedSource {
  if (typeof source?.event !== 'string' || source.event.length === 0 || source.event.length > 200) {
    throw invalid(store, `${field}.event`, `${field}.event must be a conversion name (1 to 200 characters), as passed to track()`);
  }
  const aggregate = source.aggregate ?? (kind === 'binomial' ? 'count' : 'value');
  if (aggregate !== 'value' && aggregate !== 'count') {
    throw invalid(store, `${field}.aggregate`, `${field}.aggregate must be 'value' or 'count', got ${String(aggregate)}`);
  }
  return { event: source.event, count: aggregate === 'count' };
}

function preDaysOf(store: string, field: string, cuped: MetricDefinition['cuped']): number | undefined {
  if (cuped === undefined || cuped === false) return undefined;
  if (cuped === true) return DEFAULT_CUPED_DAYS;
  const days = cuped?.windowDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_CUPED_DAYS) {
    throw invalid(
      store,
      `${field}.cuped.windowDays`,
      `${field}.cuped.windowDays must be a whole number of days from 1 to ${MAX_CUPED_DAYS}, got ${String(days)}`,
    );
  }
  return days;
}

/**
 * Checks a metric-statistics query and reduces its metrics to what a store computes. Throws
 * `INVALID_OPTIONS` naming the field: unknown kinds, duplicate keys, a ratio without a
 * denominator (or another kind with one), a bad CUPED window, an unparsable `since`/`until`.
 */
export function planMetricStats(store: string, query: MetricStatsQuery): PlannedMetric[] {
  for (const bound of ['since', 'until'] as const) {
    const value = query[bound];
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      throw invalid(store, bound, `${bound} must be an ISO 8601 time, got ${JSON.stringify(value)}`);
    }
  }
  if (!Array.isArray(query.metrics) || query.metrics.length === 0) {
    throw invalid(
      store,
      'metrics',
      'metrics must list at least one metric, e.g. [{ key: "revenue", kind: "mean", source: { event: "purchase" } }]',
    );
  }
  const keys = new Set<string>();
  return query.metrics.map((metric, i) => {
    const field = `metrics[${i}]`;
    if (typeof metric?.key !== 'string' || metric.key.length === 0 || keys.has(metric.key)) {
      throw invalid(store, `${field}.key`, `${field}.key must be a non-empty name, unique within the call`);
    }
    keys.add(metric.key);
    if (metric.kind !== 'binomial' && metric.kind !== 'mean' && metric.kind !== 'ratio') {
      throw invalid(store, `${field}.kind`, `${field}.kind must be 'binomial', 'mean' or 'ratio', got ${String(metric.kind)}`);
    }
    if ((metric.kind === 'ratio') !== (metric.denominator !== undefined)) {
      throw invalid(store, `${field}.denominator`, `${field}.denominator is required for a ratio metric and refused otherwise`);
    }
    const planned: PlannedMetric = {
      key: metric.key,
      kind: metric.kind,
      numerator: planSource(store, `${field}.source`, metric.source, metric.kind),
    };
    if (metric.denominator !== undefined) planned.denominator = planSource(store, `${field}.denominator`, metric.denominator, metric.kind);
    const preDays = preDaysOf(store, field, metric.cuped);
    if (preDays !== undefined) planned.preDays = preDays;
    return planned;
  });
}
