/**
 * What prom-client's registry reads from a metric, and a metric computed at scrape time.
 * Edge-safe: nothing here loads prom-client (registry.ts does, when metrics are scraped).
 */

/** One sample in prom-client's `get()` shape. */
export interface MetricSample {
  /** The sample's value: a counter's total, a bucket's cumulative count, a histogram's sum or count. */
  value: number;
  /** Label names to values (`le` for a histogram bucket). */
  labels: Record<string, string | number>;
  /** The exposed name when it differs from the metric's (`_bucket`, `_sum`, `_count` of a histogram). */
  metricName?: string;
}

/** What prom-client's registry reads from a metric (`registerMetric` + `get()`). */
export interface PromMetricLike {
  /** The Prometheus metric name. */
  name: string;
  /** The `# HELP` text. */
  help: string;
  /** The `# TYPE`. */
  type: 'counter' | 'gauge' | 'histogram';
  /** How prom-client's cluster mode merges workers' values; always summed here. */
  aggregator: 'sum';
  /** The samples at this moment, as prom-client's own metrics return them. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: MetricSample[] }>;
  /** Forgets every value (prom-client's `registry.resetMetrics()` calls it). */
  reset(): void;
}

/** A metric whose samples are computed at scrape time (flag cache counters, telemetry's own drop counts). */
export class CollectedMetric implements PromMetricLike {
  /** Summed across cluster workers. */
  readonly aggregator = 'sum' as const;
  constructor(
    /** The Prometheus metric name. */
    readonly name: string,
    /** The `# HELP` text. */
    readonly help: string,
    /** The `# TYPE`: a counter the source only ever increases, or a gauge. */
    readonly type: 'counter' | 'gauge',
    private readonly collect: () => MetricSample[],
  ) {}
  /** Nothing to forget: the samples are computed from their source on every scrape. */
  reset(): void {}
  /** The samples `collect` computes now. */
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.collect() };
  }
}
