/**
 * prom-client's process metrics (CPU, memory, event loop, GC), added at most once per process.
 *
 * Why: an app that already calls `collectDefaultMetrics()` and merges its registry with ours
 * (`Registry.merge`) or hands us its registry must not get them twice; prom-client throws on the
 * second registration of a name. And a late `defaultMetrics: false` on the shared instance must take
 * them out of the process-wide registry, not leave them there silently.
 */

/** The parts of a prom-client registry this module reads and writes, typed structurally. */
export interface DefaultMetricsRegistry {
  /** The metric of that name, or `undefined`. */
  getSingleMetric(name: string): unknown;
  /** Removes the metric of that name, if any. */
  removeSingleMetric(name: string): void;
  /** Every registered metric (prom-client's `getMetricsAsArray()`). */
  getMetricsAsArray?(): readonly { name: string }[];
}

/**
 * Names prom-client's `collectDefaultMetrics()` registers on every platform (without a prefix): one
 * of them present means the process metrics are already there.
 */
const PROBE_NAMES = ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_version_info'];

/** True when `registry` already holds prom-client's process metrics. */
export function hasDefaultMetrics(registry: DefaultMetricsRegistry | undefined): boolean {
  if (registry === undefined || typeof registry.getSingleMetric !== 'function') return false;
  return PROBE_NAMES.some((name) => registry.getSingleMetric(name) !== undefined);
}

const namesOf = (registry: DefaultMetricsRegistry): Set<string> =>
  new Set((registry.getMetricsAsArray?.() ?? []).map((metric) => metric.name));

/**
 * Runs `collect` (prom-client's `collectDefaultMetrics` on `registry`) and returns the names it
 * registered, so they can be removed again.
 */
export function addDefaultMetrics(registry: DefaultMetricsRegistry, collect: () => void): string[] {
  const before = namesOf(registry);
  collect();
  return [...namesOf(registry)].filter((name) => !before.has(name));
}

/** Removes the metrics named `names` from `registry`. */
export function removeDefaultMetrics(registry: DefaultMetricsRegistry, names: readonly string[]): void {
  for (const name of names) registry.removeSingleMetric(name);
}
