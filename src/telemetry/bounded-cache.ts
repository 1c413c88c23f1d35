/**
 * The size bound of the recorders' lookup caches (series by label set, route labels, prices by
 * model). Past the bound a key is computed on every call instead of remembered: by then the
 * families have folded new label sets into `_overflow` anyway, and memory stays fixed whatever
 * labels the app sends.
 */

/** Most keys one recorder cache holds. */
export const MAX_CACHED_KEYS = 1_000;

/** Stores `value` under `key` unless the cache is full; a key already there is always updated. */
export function setBounded<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size < MAX_CACHED_KEYS || cache.has(key)) cache.set(key, value);
}
