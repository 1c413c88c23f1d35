/**
 * The metric families in OpenTelemetry's `MetricData` shape, read at collection time: what the
 * OTLP metrics exporter sends, from the same numbers the Prometheus exposition reads.
 *
 * Counters become monotonic cumulative sums, histograms cumulative explicit-bucket histograms with the
 * family's bucket bounds, gauges gauges. Names and attributes are the Prometheus ones, so the shipped
 * alert rules and dashboard keep working behind a collector that writes to Prometheus.
 */
import { Family, type HistogramSeries } from './capped-family.js';
import type { PromMetricLike } from './prom-metric.js';

/** The enums of `@opentelemetry/sdk-metrics` this module needs, taken from the loaded package. */
export interface MetricDataEnums {
  /** `DataPointType`. */
  DataPointType: { HISTOGRAM: number; GAUGE: number; SUM: number };
  /** `AggregationTemporality`. */
  AggregationTemporality: { CUMULATIVE: number };
}

/** `ValueType.DOUBLE` of `@opentelemetry/api`: every value here is a double (costs are fractional). */
const DOUBLE = 1;

/** Units (UCUM, as OpenTelemetry writes them) of the families whose name does not end in `_seconds`. */
const UNITS: Record<string, string> = {
  http_server_errors_total: '{request}',
  llm_chat_completions_total: '{completion}',
  llm_tokens_total: '{token}',
  llm_cost_usd_total: 'USD',
  llm_unpriced_completions_total: '{completion}',
  gen_ai_client_token_usage: '{token}',
  elite_flags_cache_hits_total: '{evaluation}',
  elite_flags_cache_misses_total: '{evaluation}',
  elite_flags_stale_serves_total: '{evaluation}',
  elite_telemetry_dropped_total: '{record}',
};

/** The unit of the family `name`: `s` for `…_seconds`, else from the table, else none. */
export const unitOf = (name: string): string => (name.endsWith('_seconds') ? 's' : (UNITS[name] ?? ''));

/** Milliseconds since the epoch as OpenTelemetry's `HrTime` (`[seconds, nanoseconds]`). */
export const hrTime = (ms: number): [number, number] => {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
};

type Point = { startTime: [number, number]; endTime: [number, number]; attributes: Record<string, string>; value: unknown };

function familyPoints(family: Family<'counter' | 'histogram'>, end: [number, number]): Point[] {
  const points: Point[] = [];
  for (const series of family.series.values()) {
    const attributes: Record<string, string> = {};
    family.labelNames.forEach((name, index) => {
      attributes[name] = series.labels[index] as string;
    });
    let value: unknown;
    if (family.type === 'counter') value = (series as { value: number }).value;
    else {
      const histogram = series as HistogramSeries;
      value = {
        buckets: { boundaries: [...family.buckets], counts: Array.from(histogram.counts) },
        sum: histogram.sum,
        count: histogram.count,
      };
    }
    points.push({ startTime: hrTime(series.startedMs), endTime: end, attributes, value });
  }
  return points;
}

async function collectedPoints(metric: PromMetricLike, start: [number, number], end: [number, number]): Promise<Point[]> {
  const { values } = await metric.get();
  return values.map((sample) => ({
    startTime: start,
    endTime: end,
    attributes: Object.fromEntries(Object.entries(sample.labels).map(([key, value]) => [key, String(value)])),
    value: sample.value,
  }));
}

/**
 * The `ScopeMetrics` of `metrics` now: one `MetricData` per family that has series. `startMs` is
 * the start time of the metrics computed at scrape time (cumulative since then); a family series
 * carries its own.
 */
export async function toScopeMetrics(metrics: readonly PromMetricLike[], enums: MetricDataEnums, scopeName: string, startMs: number) {
  const end = hrTime(Date.now());
  const start = hrTime(startMs);
  const out: Record<string, unknown>[] = [];
  for (const metric of metrics) {
    const dataPoints = metric instanceof Family ? familyPoints(metric, end) : await collectedPoints(metric, start, end);
    if (dataPoints.length === 0 || (metric.type === 'histogram' && !(metric instanceof Family))) continue;
    const descriptor = { name: metric.name, description: metric.help, unit: unitOf(metric.name), valueType: DOUBLE };
    const temporality = enums.AggregationTemporality.CUMULATIVE;
    if (metric.type === 'histogram') {
      out.push({ descriptor, dataPointType: enums.DataPointType.HISTOGRAM, aggregationTemporality: temporality, dataPoints });
    } else if (metric.type === 'counter') {
      out.push({ descriptor, dataPointType: enums.DataPointType.SUM, isMonotonic: true, aggregationTemporality: temporality, dataPoints });
    } else {
      out.push({ descriptor, dataPointType: enums.DataPointType.GAUGE, aggregationTemporality: temporality, dataPoints });
    }
  }
  return { scope: { name: scopeName }, metrics: out };
}

/** The number of data points in a `ResourceMetrics` (what a failed metrics export carried). */
export function countDataPoints(resourceMetrics: unknown): number {
  const scopes = (resourceMetrics as { scopeMetrics?: { metrics?: { dataPoints?: unknown[] }[] }[] })?.scopeMetrics ?? [];
  return scopes.reduce(
    (total, scope) => total + (scope.metrics ?? []).reduce((sum, metric) => sum + (metric.dataPoints?.length ?? 0), 0),
    0,
  );
}
