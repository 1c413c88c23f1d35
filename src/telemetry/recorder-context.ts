/**
 * What the recorders (`recordCompletion`, `recordRequest`) share: the instance's families, clock,
 * alert window and counters, and the size bound of their lookup caches.
 */
import type { WarnOnce } from '../internal/warn-once.js';
import type { SlidingWindow } from './alerts.js';
import type { MetricFamilies } from './families.js';
import type { TelemetryCounts } from './self-metrics.js';

/** The parts of a telemetry instance a recorder writes to. */
export interface RecorderContext {
  /** The instance's metric families. */
  families: MetricFamilies;
  /** The families' shared eviction count: a cached series is looked up again when it moved. */
  epoch: { value: number };
  /** The instance's clock, ms. */
  now: () => number;
  /** The alert window every record is added to. */
  window: SlidingWindow;
  /** The instance's drop and unpriced counters. */
  counts: TelemetryCounts;
  /** The instance's one-warning-per-key logger. */
  warnOnce: WarnOnce;
}

/**
 * Most keys one recorder cache holds (series by label set, route labels, prices by model). Past
 * it a key is computed on every call instead of remembered: by then the families have folded new
 * label sets into `_overflow` anyway, and memory stays fixed whatever labels the app sends.
 */
export const MAX_CACHED_KEYS = 1_000;

/** Stores `value` under `key` unless the cache is full; a key already there is always updated. */
export function setBounded<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size < MAX_CACHED_KEYS || cache.has(key)) cache.set(key, value);
}
