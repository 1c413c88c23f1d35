/**
 * Requests by variant of the flags the app lists in `attribution.flags` (the flags under a
 * rollout plan: bounded cardinality), so that a guarded rollout can compare the users on the new
 * code with the rest from Prometheus: a request counter by status class, and the sum and the sum
 * of squares of latency (ms) as counters, from which the mean and the variance of each variant's
 * latency follow over any window (a histogram has no sum of squares); likewise the sum and the
 * sum of squares of the LLM cost per request (USD), once a request reports its `costUsd`.
 */
import { type CounterSeries, Family, type SeriesPolicy } from './capped-family.js';
import { setBounded } from './recorder-context.js';

/** Name of the per-variant request counter. */
export const VARIANT_REQUESTS_METRIC = 'http_variant_requests_total';
/** Name of the per-variant latency sum counter, ms. */
export const VARIANT_LATENCY_SUM_METRIC = 'http_variant_latency_ms_sum';
/** Name of the per-variant latency sum-of-squares counter, ms². */
export const VARIANT_LATENCY_SQUARES_METRIC = 'http_variant_latency_ms_squares_sum';

/** Name of the per-variant counter of Σ LLM cost per request, USD. */
export const VARIANT_COST_SUM_METRIC = 'http_variant_cost_usd_sum';
/** Name of the per-variant counter of Σ (LLM cost per request)², USD². */
export const VARIANT_COST_SQUARES_METRIC = 'http_variant_cost_usd_squares_sum';

/** The `status_class` label of a request: `2xx` … `5xx` by status, `error` for a thrown handler whose status is below 500. */
export function statusClass(status: number, error: boolean | undefined): string {
  if (status >= 500) return '5xx';
  if (error === true) return 'error';
  return `${Math.min(Math.max(Math.floor(status / 100), 1), 5)}xx`;
}

/** The series one (flag, variant, status class) writes. */
interface VariantSeries {
  requests: CounterSeries;
  latencySum: CounterSeries;
  latencySquares: CounterSeries;
  /** Created on the first request that reports a cost, so apps without LLM calls export no cost series. */
  costSum?: CounterSeries;
  costSquares?: CounterSeries;
  epoch: number;
}

/** The per-variant request families of an instance and the function `recordRequest` feeds them with. */
export function createVariantRequestMetrics(tracked: readonly string[], maxSeries: number, policy: SeriesPolicy) {
  const requests = new Family(
    VARIANT_REQUESTS_METRIC,
    'HTTP requests by variant of the flags listed in attribution.flags, and status class (2xx … 5xx, error: a thrown handler).',
    'counter',
    ['flag', 'variant', 'status_class'],
    maxSeries,
    [],
    policy,
  );
  const latencySum = new Family(
    VARIANT_LATENCY_SUM_METRIC,
    'Sum of HTTP request latencies in ms, by variant of the flags listed in attribution.flags (with the squares sum: mean and variance).',
    'counter',
    ['flag', 'variant'],
    maxSeries,
    [],
    policy,
  );
  const latencySquares = new Family(
    VARIANT_LATENCY_SQUARES_METRIC,
    'Sum of squared HTTP request latencies in ms², by variant of the flags listed in attribution.flags.',
    'counter',
    ['flag', 'variant'],
    maxSeries,
    [],
    policy,
  );
  const costSum = new Family(
    VARIANT_COST_SUM_METRIC,
    'Sum of the LLM cost of HTTP requests in USD (recordRequest costUsd), by variant of the flags listed in attribution.flags.',
    'counter',
    ['flag', 'variant'],
    maxSeries,
    [],
    policy,
  );
  const costSquares = new Family(
    VARIANT_COST_SQUARES_METRIC,
    'Sum of the squared LLM cost of HTTP requests in USD², by variant of the flags listed in attribution.flags.',
    'counter',
    ['flag', 'variant'],
    maxSeries,
    [],
    policy,
  );
  const cache = new Map<string, VariantSeries>();
  const seriesFor = (flag: string, variant: string, status: string): VariantSeries => {
    const key = `${flag}\u0001${variant}\u0001${status}`;
    let series = cache.get(key);
    if (series !== undefined && series.epoch === policy.epoch.value) return series;
    series = {
      requests: requests.at([flag, variant, status]),
      latencySum: latencySum.at([flag, variant]),
      latencySquares: latencySquares.at([flag, variant]),
      epoch: policy.epoch.value,
    };
    setBounded(cache, key, series);
    return series;
  };

  /** Counts one request under each tracked flag it carries a variant of. Never throws. */
  const record = (
    flags: Readonly<Record<string, string>> | undefined,
    status: string,
    durationMs: number,
    at: number,
    costUsd?: number,
  ): void => {
    if (flags === undefined || flags === null || typeof flags !== 'object') return;
    for (const flag of tracked) {
      const variant = flags[flag];
      if (typeof variant !== 'string') continue;
      const series = seriesFor(flag, variant, status);
      series.requests.value++;
      series.requests.lastUsedMs = at;
      series.latencySum.value += durationMs;
      series.latencySum.lastUsedMs = at;
      series.latencySquares.value += durationMs * durationMs;
      series.latencySquares.lastUsedMs = at;
      if (costUsd === undefined) continue;
      series.costSum ??= costSum.at([flag, variant]);
      series.costSquares ??= costSquares.at([flag, variant]);
      series.costSum.value += costUsd;
      series.costSum.lastUsedMs = at;
      series.costSquares.value += costUsd * costUsd;
      series.costSquares.lastUsedMs = at;
    }
  };
  return {
    record,
    enabled: tracked.length > 0,
    families: [requests, latencySum, latencySquares, costSum, costSquares] as Family<'counter' | 'histogram'>[],
  };
}

/** The per-variant request metrics of an instance. */
export type VariantRequestMetrics = ReturnType<typeof createVariantRequestMetrics>;
