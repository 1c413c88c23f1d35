/**
 * A metric family with a series cap, kept in plain numbers on the hot path.
 *
 * Why not prom-client's own Counter/Histogram on the hot path: each of their `inc`/`observe`
 * calls sorts and hashes the label object (a few hundred ns), and one completion touches eight
 * series. Here a completion resolves its series once per (provider, model, status) and then adds
 * to numbers. prom-client stays the exposition layer: its Registry reads these families through
 * the same `get()` contract its own metrics implement (see prom-metric.ts).
 */

import type { MetricSample, PromMetricLike } from './prom-metric.js';

/** Label value that replaces new values once a family reached its series cap. */
export const OVERFLOW_LABEL = '_overflow';
const MAX_LABEL_VALUE_CHARS = 128;

/** What every series carries for the series cap: when it was last written, and whether it is still in its family. */
interface SeriesState {
  /** The label values, in the order of the family's `labelNames` (cut to 128 characters). */
  labels: readonly string[];
  /** Clock time of the last write; the writer sets it (the least recently used idle series is evicted first). */
  lastUsedMs: number;
  /** Set when the family evicted this series into `_overflow`: a cached reference must be looked up again. */
  evicted: boolean;
  /** Configured to be kept (`keepSeries`): never evicted, and created past the cap. */
  pinned: boolean;
  /** Wall-clock ms when the series started from 0: the start time of its cumulative OTLP points. */
  startedMs: number;
}

/** A counter's series: one total that only grows. */
export interface CounterSeries extends SeriesState {
  /** The total so far. */
  value: number;
}

/** A histogram's series: counts per bucket, their sum and count. */
export interface HistogramSeries extends SeriesState {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: Float64Array;
  /** Sum of the observed values. */
  sum: number;
  /** Number of observed values. */
  count: number;
}

/** How a family chooses which series to keep once it reached `maxSeries`. */
export interface SeriesPolicy {
  /** Label values of series to keep whatever happens (configured routes and models). */
  pinned?: (values: readonly string[]) => boolean;
  /** A series written within this many ms is never evicted. */
  idleMs: number;
  /** Clock for `lastUsedMs`, ms. */
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
  /** Summed across cluster workers. */
  readonly aggregator = 'sum' as const;
  /** The live series by their joined label values. */
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
    /** The Prometheus metric name. */
    readonly name: string,
    /** The `# HELP` text. */
    readonly help: string,
    /** Counter or histogram. */
    readonly type: T,
    /** The label names, in the order `at()` takes their values. */
    readonly labelNames: readonly string[],
    /** Series kept before new label sets go to `_overflow` (and again as many pinned ones). */
    readonly maxSeries: number,
    /** A histogram's bucket upper bounds, ascending (+Inf implied). */
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
    const labels = values.map((value) => (value.length > MAX_LABEL_VALUE_CHARS ? value.slice(0, MAX_LABEL_VALUE_CHARS) : value));
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
    const state = { labels, lastUsedMs: this.policy.now(), evicted: false, pinned, startedMs: Date.now() };
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
    for (const [key, series] of this.series) {
      if (series.pinned) continue;
      if (victim === undefined || series.lastUsedMs < victim.lastUsedMs) {
        victim = series;
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
      for (let bucket = 0; bucket < from.counts.length; bucket++)
        to.counts[bucket] = (to.counts[bucket] as number) + (from.counts[bucket] as number);
      to.sum += from.sum;
      to.count += from.count;
    }
    this.series.delete(victimKey as string);
    victim.evicted = true;
    this.evicted++;
    this.policy.epoch.value++;
    return true;
  }

  /** Forgets every series and count (prom-client's `registry.resetMetrics()` calls it). */
  reset(): void {
    this.series.clear();
    this.overflowed = 0;
    this.evicted = 0;
    this.pinnedCount = 0;
    this.noVictimBefore = Number.NEGATIVE_INFINITY;
  }

  /** The samples in prom-client's shape: one per counter series; per histogram series cumulative `_bucket`s, `_sum` and `_count`. */
  async get() {
    const values: MetricSample[] = [];
    for (const series of this.series.values()) {
      const labels: Record<string, string> = {};
      for (let index = 0; index < this.labelNames.length; index++)
        labels[this.labelNames[index] as string] = series.labels[index] as string;
      if (this.type === 'counter') {
        values.push({ value: (series as CounterSeries).value, labels });
        continue;
      }
      const histogram = series as HistogramSeries;
      let cumulative = 0;
      for (let bucket = 0; bucket < this.buckets.length; bucket++) {
        cumulative += histogram.counts[bucket] as number;
        values.push({ value: cumulative, labels: { ...labels, le: this.buckets[bucket] as number }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: histogram.count, labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: histogram.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: histogram.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** Adds `value` to a histogram series (buckets are upper bounds, inclusive, as Prometheus `le`). */
export function observe(series: HistogramSeries, buckets: readonly number[], value: number): void {
  let bucket = 0;
  while (bucket < buckets.length && value > (buckets[bucket] as number)) bucket++;
  series.counts[bucket] = (series.counts[bucket] as number) + 1;
  series.sum += value;
  series.count++;
}

/** A metric whose samples are computed at scrape time (flag cache counters, telemetry's own drop counts). */
