import type { MetricStats, VariantMetricStats } from '../experiments/metric-stats.js';
import type { PlannedMetric } from './metric-query.js';

// The SQL stores' side of queryMetricStats (PostgreSQL through pg, Supabase through PostgREST):
// the metrics as the `get_metric_stats` function reads them, and its rows back as statistics.

/** A metric as `get_metric_stats(p_metrics)` reads it (see supabase/migrations/*_metric_stats.sql). */
export interface SqlMetric {
  key: string;
  kind: PlannedMetric['kind'];
  num_event: string;
  num_count: boolean;
  den_event: string | null;
  den_count: boolean;
  pre_days: number | null;
}

/** The `p_metrics` argument of `get_metric_stats`. */
export const toSqlMetrics = (plan: readonly PlannedMetric[]): SqlMetric[] =>
  plan.map((m) => ({
    key: m.key,
    kind: m.kind,
    num_event: m.numerator.event,
    num_count: m.numerator.count,
    den_event: m.denominator?.event ?? null,
    den_count: m.denominator?.count ?? false,
    pre_days: m.preDays ?? null,
  }));

/** A row of `get_metric_stats`: one variant and metric. Counts may be strings (pg's bigint). */
export interface MetricStatsRow {
  variant: string;
  units: number | string;
  metric: string;
  x_sum: number;
  x_sq: number;
  y_sum: number;
  y_sq: number;
  xy: number;
  px_sum: number;
  px_sq: number;
  py_sum: number;
  py_sq: number;
  pxpy: number;
  x_px: number;
  x_py: number;
  y_px: number;
  y_py: number;
}

function toMetricStats(m: PlannedMetric, r: MetricStatsRow, units: number): MetricStats {
  const n = (v: number | string) => Number(v);
  if (m.kind !== 'ratio') {
    return {
      kind: m.kind,
      units,
      sum: n(r.x_sum),
      sumSquares: n(r.x_sq),
      ...(m.preDays === undefined ? {} : { pre: { sum: n(r.px_sum), sumSquares: n(r.px_sq), sumProducts: n(r.x_px) } }),
    };
  }
  return {
    kind: 'ratio',
    units,
    numerator: { sum: n(r.x_sum), sumSquares: n(r.x_sq) },
    denominator: { sum: n(r.y_sum), sumSquares: n(r.y_sq) },
    sumProducts: n(r.xy),
    ...(m.preDays === undefined
      ? {}
      : {
          pre: {
            numerator: { sum: n(r.px_sum), sumSquares: n(r.px_sq) },
            denominator: { sum: n(r.py_sum), sumSquares: n(r.py_sq) },
            sumProducts: n(r.pxpy),
            cross: {
              numeratorNumerator: n(r.x_px),
              numeratorDenominator: n(r.x_py),
              denominatorNumerator: n(r.y_px),
              denominatorDenominator: n(r.y_py),
            },
          },
        }),
  };
}

/** The rows of `get_metric_stats` (variants in order of first exposure) as per-variant statistics. */
export function toVariantMetricStats(plan: readonly PlannedMetric[], rows: readonly MetricStatsRow[]): VariantMetricStats[] {
  const byVariant = new Map<string, VariantMetricStats>();
  const metrics = new Map(plan.map((m) => [m.key, m]));
  for (const row of rows) {
    const units = Number(row.units);
    let variant = byVariant.get(row.variant);
    if (!variant) {
      variant = { variant: row.variant, units, metrics: {} };
      byVariant.set(row.variant, variant);
    }
    const metric = metrics.get(row.metric);
    if (metric) variant.metrics[metric.key] = toMetricStats(metric, row, units);
  }
  return [...byVariant.values()];
}
