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

import { importOptional } from '../internal/optional-import.js';

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

/** What every series carries for the series cap: when it was last written, and whether it is still in its family. */
interface SeriesState {
  labels: readonly string[];
  /** Clock time of the last write; the writer sets it (the least recently used idle series is evicted first). */
  lastUsedMs: number;
  /** Set when the family evicted this series into `_overflow`: a cached reference must be looked up again. */
  evicted: boolean;
  /** Configured to be kept (`keepSeries`): never evicted, and created past the cap. */
  pinned: boolean;
}

export interface CounterSeries extends SeriesState {
  value: number;
}

export interface HistogramSeries extends SeriesState {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** How a family chooses which series to keep once it reached `maxSeries`. */
export interface SeriesPolicy {
  /** Label values of series to keep whatever happens (configured routes and models). */
  pinned?: (values: readonly string[]) => boolean;
  /** A series written within this many ms is never evicted. */
  idleMs: number;
  now: () => number;
  /** Incremented on every eviction, shared by the families: callers holding series revalidate when it moved. */
  epoch: { value: number };
}

const NEVER_EVICT: SeriesPolicy = { idleMs: Number.POSITIVE_INFINITY, now: () => 0, epoch: { value: 0 } };

type SeriesOf<T extends 'counter' | 'histogram'> = T extends 'counter' ? CounterSeries : HistogramSeries;

/**
 * A metric family with a bounded number of series, keeping the ones that matter.
 *
 * At `maxSeries`, a new label set takes the place of the least recently used series idle for at
 * least `policy.idleMs`; when none is that idle, its values become {@link OVERFLOW_LABEL} (one
 * overflow series absorbs them, counted in `overflowed`). So a flood of junk labels can neither
 * push out series written recently nor hold the family forever once it went quiet. Series whose
 * labels `policy.pinned` accepts (configured routes and models) are never evicted and are created
 * past the cap, up to `maxSeries` more.
 *
 * Eviction and Prometheus counters: an evicted series' counts are added to the overflow series
 * before it goes, so the family's sum never decreases (`sum(rate(...))` stays right), and the
 * evicted label set vanishes from the exposition (Prometheus marks it stale). If it comes back it
 * starts again from 0, which `rate()` and `increase()` read as a counter reset, as after a restart.
 * The alternative, keeping evicted counts aside to resume them, would need memory per label set
 * ever seen: the unbounded growth the cap exists to prevent.
 */
export class Family<T extends 'counter' | 'histogram'> implements PromMetricLike {
  readonly aggregator = 'sum' as const;
  readonly series = new Map<string, SeriesOf<T>>();
  /** New label sets mapped to the overflow series. */
  overflowed = 0;
  /** Idle series folded into the overflow series to make room. */
  evicted = 0;
  private pinnedCount = 0;
  private overflowKey: string;
  // No series can be idle enough before this time (the oldest write seen at the last scan + idleMs).
  private noVictimBefore = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: T,
    readonly labelNames: readonly string[],
    readonly maxSeries: number,
    readonly buckets: readonly number[] = [],
    private readonly policy: SeriesPolicy = NEVER_EVICT,
  ) {
    this.overflowKey = labelNames.map(() => OVERFLOW_LABEL).join('\u0001');
  }

  /** The series for these label values, created on first use (or the overflow series). */
  at(values: readonly string[]): SeriesOf<T> {
    const key = values.join('\u0001');
    const found = this.series.get(key);
    if (found !== undefined) return found;
    const labels = values.map((v) => (v.length > MAX_LABEL_VALUE_CHARS ? v.slice(0, MAX_LABEL_VALUE_CHARS) : v));
    const pinned = this.policy.pinned?.(labels) === true;
    const unpinned = this.series.size - this.pinnedCount - (this.series.has(this.overflowKey) ? 1 : 0);
    if (pinned ? this.pinnedCount >= this.maxSeries : unpinned >= this.maxSeries && !this.evictIdle()) {
      this.overflowed++;
      return this.overflowSeries();
    }
    if (pinned) this.pinnedCount++;
    return this.create(key, labels, pinned);
  }

  private create(key: string, labels: readonly string[], pinned: boolean): SeriesOf<T> {
    const state = { labels, lastUsedMs: this.policy.now(), evicted: false, pinned };
    const series = (this.type === 'counter'
      ? { ...state, value: 0 }
      : { ...state, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }) as unknown as SeriesOf<T>;
    this.series.set(key, series);
    return series;
  }

  private overflowSeries(): SeriesOf<T> {
    return (
      this.series.get(this.overflowKey) ??
      this.create(
        this.overflowKey,
        this.labelNames.map(() => OVERFLOW_LABEL),
        true,
      )
    );
  }

  /** Folds the least recently used series idle for `idleMs` into the overflow series; false when none is. */
  private evictIdle(): boolean {
    const now = this.policy.now();
    if (now < this.noVictimBefore) return false;
    let victimKey: string | undefined;
    let victim: SeriesOf<T> | undefined;
    for (const [key, s] of this.series) {
      if (s.pinned) continue;
      if (victim === undefined || s.lastUsedMs < victim.lastUsedMs) {
        victim = s;
        victimKey = key;
      }
    }
    if (victim === undefined || now - victim.lastUsedMs < this.policy.idleMs) {
      if (victim !== undefined) this.noVictimBefore = victim.lastUsedMs + this.policy.idleMs;
      return false;
    }
    const into = this.overflowSeries();
    if (this.type === 'counter') (into as CounterSeries).value += (victim as CounterSeries).value;
    else {
      const from = victim as HistogramSeries;
      const to = into as HistogramSeries;
      for (let i = 0; i < from.counts.length; i++) to.counts[i] = (to.counts[i] as number) + (from.counts[i] as number);
      to.sum += from.sum;
      to.count += from.count;
    }
    this.series.delete(victimKey as string);
    victim.evicted = true;
    this.evicted++;
    this.policy.epoch.value++;
    return true;
  }

  reset(): void {
    this.series.clear();
    this.overflowed = 0;
    this.evicted = 0;
    this.pinnedCount = 0;
    this.noVictimBefore = Number.NEGATIVE_INFINITY;
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

// Digits; a UUID; hex of 8+ with a digit (short commit SHAs, ObjectIds); a ULID; a token of 32+.
const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[a-f]*\d)[0-9a-f]{8,}|[0-9A-HJKMNP-TV-Z]{26}|[A-Za-z0-9_-]{32,})$/i;
// local@domain.tld, also percent-encoded (`%40`), as a whole segment.
const EMAIL_SEGMENT = /^[^/@\s]+(?:@|%40)[^/@\s]+\.[^/@\s]+$/i;

/**
 * A request path as a route label: the query string dropped, every segment that is an e-mail
 * address replaced by `:email`, and every one that looks like an id (digits, UUID, hex of 8+ with
 * a digit, ULID, token of 32+) by `:id`, so users and request ids never become label values. Pass
 * the framework's route template (`/api/chat/[id]`) when you have it.
 */
export function routeLabel(path: string): string {
  const q = path.search(/[?#]/);
  const bare = q === -1 ? path : path.slice(0, q);
  if (bare === '' || bare === '/') return '/';
  return bare
    .split('/')
    .map((segment) => (EMAIL_SEGMENT.test(segment) ? ':email' : ID_SEGMENT.test(segment) ? ':id' : segment))
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
