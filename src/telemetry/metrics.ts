/**
 * Metric families kept in plain numbers on the hot path, exposed through a prom-client registry.
 *
 * Why not prom-client's own Counter/Histogram on the hot path: each of their `inc`/`observe`
 * calls sorts and hashes the label object (a few hundred ns), and one completion touches eight
 * series. Here a completion resolves its series once per (provider, model, status) and then adds
 * to numbers. prom-client stays the exposition layer: its Registry reads these families through
 * the same `get()` contract its own metrics implement, formats them, and adds the process metrics.
 * Edge-safe: prom-client is loaded by `loadPromClient()` only when metrics are scraped.
 */

/** Label value that replaces new values once a family reached its series cap. */
export const OVERFLOW_LABEL = '_overflow';
const MAX_LABEL_VALUE_CHARS = 128;

/** One sample in prom-client's `get()` shape. */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What prom-client's registry reads from a metric (`registerMetric` + `get()`). */
export interface PromMetricLike {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

export interface CounterSeries {
  labels: readonly string[];
  value: number;
}

export interface HistogramSeries {
  labels: readonly string[];
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

type SeriesOf<T extends 'counter' | 'histogram'> = T extends 'counter' ? CounterSeries : HistogramSeries;

/**
 * A metric family with a bounded number of series. Past `maxSeries`, label values of new series
 * become {@link OVERFLOW_LABEL} (one overflow series absorbs them) and the family counts them in
 * `overflowed`, so memory and Prometheus cardinality stay bounded whatever the input.
 */
export class Family<T extends 'counter' | 'histogram'> implements PromMetricLike {
  readonly aggregator = 'sum' as const;
  readonly series = new Map<string, SeriesOf<T>>();
  overflowed = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: T,
    readonly labelNames: readonly string[],
    readonly maxSeries: number,
    readonly buckets: readonly number[] = [],
  ) {}

  /** The series for these label values, created on first use (or the overflow series). */
  at(values: readonly string[]): SeriesOf<T> {
    const key = values.join('\u0001');
    let found = this.series.get(key);
    if (found === undefined) {
      let labels = values.map((v) => (v.length > MAX_LABEL_VALUE_CHARS ? v.slice(0, MAX_LABEL_VALUE_CHARS) : v));
      let seriesKey = key;
      if (this.series.size >= this.maxSeries) {
        this.overflowed++;
        labels = labels.map(() => OVERFLOW_LABEL);
        seriesKey = labels.join('\u0001');
        found = this.series.get(seriesKey);
        if (found !== undefined) return found;
      }
      found = (this.type === 'counter'
        ? { labels, value: 0 }
        : { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }) as unknown as SeriesOf<T>;
      this.series.set(seriesKey, found);
    }
    return found;
  }

  reset(): void {
    this.series.clear();
    this.overflowed = 0;
  }

  async get() {
    const values: Sample[] = [];
    for (const s of this.series.values()) {
      const labels: Record<string, string> = {};
      for (let i = 0; i < this.labelNames.length; i++) labels[this.labelNames[i] as string] = s.labels[i] as string;
      if (this.type === 'counter') {
        values.push({ value: (s as CounterSeries).value, labels });
        continue;
      }
      const h = s as HistogramSeries;
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += h.counts[i] as number;
        values.push({ value: cumulative, labels: { ...labels, le: this.buckets[i] as number }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: h.count, labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: h.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: h.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** Adds `value` to a histogram series (buckets are upper bounds, inclusive, as Prometheus `le`). */
export function observe(series: HistogramSeries, buckets: readonly number[], value: number): void {
  let i = 0;
  while (i < buckets.length && value > (buckets[i] as number)) i++;
  series.counts[i] = (series.counts[i] as number) + 1;
  series.sum += value;
  series.count++;
}

/** A metric whose samples are computed at scrape time (flag cache counters, telemetry's own drop counts). */
export class CollectedMetric implements PromMetricLike {
  readonly aggregator = 'sum' as const;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly collect: () => Sample[],
  ) {}
  reset(): void {}
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.collect() };
  }
}

/** Bucket boundaries (seconds) of the HTTP request duration histogram; 0.5 s is one, so "p95 over 500 ms" is exact. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** An HTTP method as a bounded label: known methods upper-cased, anything else `_OTHER` (OTel semconv). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : '_OTHER';
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{32,})$/i;

/**
 * A request path as a route label: the query string dropped and every segment that looks like an
 * id (digits, UUID, long hex or token) replaced by `:id`, so user or request ids never become
 * label values. Pass the framework's route template (`/api/chat/[id]`) when you have it.
 */
export function routeLabel(path: string): string {
  const q = path.search(/[?#]/);
  const bare = q === -1 ? path : path.slice(0, q);
  if (bare === '' || bare === '/') return '/';
  return bare
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}

/** The subset of prom-client this module calls, typed structurally (prom-client is loaded lazily). */
export interface PromClientLike {
  Registry: new () => PromRegistryLike;
  collectDefaultMetrics(options: { register: PromRegistryLike }): void;
}

export interface PromRegistryLike {
  contentType: string;
  metrics(): Promise<string>;
  registerMetric(metric: unknown): void;
  removeSingleMetric(name: string): void;
  getSingleMetric(name: string): unknown;
}

/**
 * `import()` of an optional peer, hidden from bundlers: the Edge bundle of the root entry must
 * not pull prom-client or the OpenTelemetry SDK (they import Node built-ins), so the specifier is
 * a variable and the magic comments tell webpack/Turbopack/Vite to leave it to the runtime.
 */
export const importOptional = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<Record<string, unknown>>;

/** prom-client's module object, loaded once. */
export async function loadPromClient(): Promise<PromClientLike> {
  const mod = await importOptional('prom-client');
  return (typeof mod.Registry === 'function' ? mod : mod.default) as unknown as PromClientLike;
}

/** Minimal Node `http` request/response surface the handler uses. */
export interface NodeRequestLike {
  method?: string | undefined;
}
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}
