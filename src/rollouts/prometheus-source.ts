/**
 * A guarded-rollout metrics source reading Prometheus over its HTTP API (`/api/v1/query`): the
 * per-variant counters telemetry exports for the flags in `attribution.flags`
 * (`http_variant_requests_total{flag,variant,status_class}`, `http_variant_latency_ms_sum`,
 * `http_variant_latency_ms_squares_sum`, and the LLM cost per request's `http_variant_cost_usd_sum`
 * and `http_variant_cost_usd_squares_sum`), summed across every instance Prometheus scrapes.
 *
 * A read queries each counter at the step's start and now, and takes the difference series by
 * series: exact (no `increase()` extrapolation), a series born during the step counts from 0, and
 * a series that went down (its process restarted) counts from its restart.
 */
import { EliteError } from '../internal/errors.js';
import type { GroupFigures, RolloutFigures, RolloutMetricsSource } from './types.js';

/** The counters a Prometheus source reads; every name defaults to the SDK's. */
export interface PrometheusMetricNames {
  /** Requests by `flag`, `variant`, `status_class`. Default `http_variant_requests_total`. */
  requests?: string;
  /** Σ latency, ms, by `flag`, `variant`. Default `http_variant_latency_ms_sum`. */
  latencySum?: string;
  /** Σ latency², ms², by `flag`, `variant`. Default `http_variant_latency_ms_squares_sum`. */
  latencySquaresSum?: string;
  /** Σ LLM cost per request, USD, by `flag`, `variant` (a `cost_per_request` guardrail). Default `http_variant_cost_usd_sum`. */
  costSum?: string;
  /** Σ (LLM cost per request)², USD², by `flag`, `variant`. Default `http_variant_cost_usd_squares_sum`. */
  costSquaresSum?: string;
}

/** Options of {@link createPrometheusSource}. */
export interface PrometheusSourceOptions {
  /** Prometheus's base URL, e.g. `http://prometheus:9090`. */
  url: string;
  /** Variants served to the users on the new code. Default `['on']` (a toggle's included users). */
  treatmentVariants?: readonly string[];
  /** Status classes counted as errors. Default `['5xx', 'error']`. */
  errorClasses?: readonly string[];
  /** Extra label matchers added to every query, e.g. `job="checkout"`. */
  selector?: string;
  /** Counter names, when the app exports its own. */
  metrics?: PrometheusMetricNames;
  /** Headers of every request (an `Authorization` for a hosted Prometheus). */
  headers?: Record<string, string>;
  /** Time out of one query, ms. Default 10,000. */
  timeoutMs?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** The fetch used. Default the global one. */
  fetch?: typeof fetch;
}

/** One series of an instant vector. */
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const invalid = (field: string, message: string): never => {
  throw new EliteError('INVALID_OPTIONS', `elite/rollouts: ${message}`, { field });
};

const SELECTOR =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*)*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const emptyGroup = (): GroupFigures => ({ requests: 0, errors: 0, latencySum: 0, latencySumSquares: 0, costSum: 0, costSumSquares: 0 });

/** A PromQL string literal. */
const quote = (value: string) => JSON.stringify(value);

/**
 * Creates a metrics source that queries Prometheus. Throws `INVALID_OPTIONS` for a bad option;
 * `read()` rejects when Prometheus cannot be queried (the controller then holds).
 */
export function createPrometheusSource(options: PrometheusSourceOptions): RolloutMetricsSource {
  if (options === null || typeof options !== 'object') invalid('options', 'createPrometheusSource needs { url }');
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    return invalid('url', `url must be Prometheus's base URL, e.g. http://127.0.0.1:9090, got ${JSON.stringify(options.url)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') invalid('url', `url must be http:// or https://, got ${options.url}`);
  const treatment = new Set(options.treatmentVariants ?? ['on']);
  if (treatment.size === 0 || ![...treatment].every((v) => typeof v === 'string' && v !== ''))
    invalid('treatmentVariants', 'treatmentVariants must list the variants of the new code, e.g. ["on"]');
  const errorClasses = new Set(options.errorClasses ?? ['5xx', 'error']);
  const selector = options.selector ?? '';
  if (selector !== '' && !SELECTOR.test(selector))
    invalid('selector', `selector must be label matchers like job="checkout", region=~"eu-.*", got ${selector}`);
  const names = {
    requests: options.metrics?.requests ?? 'http_variant_requests_total',
    latencySum: options.metrics?.latencySum ?? 'http_variant_latency_ms_sum',
    latencySquaresSum: options.metrics?.latencySquaresSum ?? 'http_variant_latency_ms_squares_sum',
    costSum: options.metrics?.costSum ?? 'http_variant_cost_usd_sum',
    costSquaresSum: options.metrics?.costSquaresSum ?? 'http_variant_cost_usd_squares_sum',
  };
  for (const [field, name] of Object.entries(names))
    if (name !== undefined && !METRIC_NAME.test(name)) invalid(`metrics.${field}`, `metrics.${field} must be a metric name, got ${name}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    invalid('timeoutMs', `timeoutMs must be a positive number of ms, got ${String(timeoutMs)}`);
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const endpoint = new URL('api/v1/query', base.href.endsWith('/') ? base.href : `${base.href}/`);

  const query = async (expr: string, at: number): Promise<Sample[]> => {
    const url = new URL(endpoint);
    url.searchParams.set('query', expr);
    url.searchParams.set('time', (at / 1000).toFixed(3));
    const response = await doFetch(url, { headers: options.headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as
      | { status?: string; error?: string; data?: { resultType?: string; result?: Sample[] } }
      | undefined;
    if (!response.ok || body?.status !== 'success' || body.data?.resultType !== 'vector')
      throw new Error(`Prometheus ${endpoint.host} answered ${response.status}${body?.error ? `: ${body.error}` : ''} to ${expr}`);
    return body.data.result ?? [];
  };

  /** Σ over the series of (value now − value at `since`), per group; a reset or new series counts from 0. */
  const delta = async (
    name: string,
    flagKey: string,
    since: number,
    at: number,
    add: (group: GroupFigures, value: number, metric: Record<string, string>) => void,
    into: RolloutFigures,
  ) => {
    const expr = `${name}{flag=${quote(flagKey)}${selector === '' ? '' : `,${selector}`}}`;
    const [before, after] = await Promise.all([query(expr, since), query(expr, at)]);
    const key = (metric: Record<string, string>) => JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
    const start = new Map(before.map((s) => [key(s.metric), Number(s.value[1])]));
    for (const sample of after) {
      const end = Number(sample.value[1]);
      const begin = start.get(key(sample.metric)) ?? 0;
      const value = end >= begin ? end - begin : end;
      if (!Number.isFinite(value)) continue;
      const variant = sample.metric.variant ?? '';
      add(treatment.has(variant) ? into.treatment : into.control, value, sample.metric);
    }
  };

  return {
    async read(flagKey, since) {
      const at = now();
      const figures: RolloutFigures = { treatment: emptyGroup(), control: emptyGroup() };
      const reads = [
        delta(
          names.requests,
          flagKey,
          since,
          at,
          (g, v, m) => {
            g.requests += v;
            if (errorClasses.has(m.status_class ?? '')) g.errors += v;
          },
          figures,
        ),
        delta(names.latencySum, flagKey, since, at, (g, v) => (g.latencySum += v), figures),
        delta(names.latencySquaresSum, flagKey, since, at, (g, v) => (g.latencySumSquares += v), figures),
        delta(names.costSum, flagKey, since, at, (g, v) => (g.costSum += v), figures),
        delta(names.costSquaresSum, flagKey, since, at, (g, v) => (g.costSumSquares += v), figures),
      ];
      await Promise.all(reads);
      return figures;
    },
  };
}
