/**
 * A clock in ms since the epoch that reads `Date.now()` at most once per millisecond.
 *
 * On the flag-evaluation hot path every answer checks a TTL, and `Date.now()` costs tens of
 * nanoseconds on some virtual machines: as much as the rest of an evaluation. The value is
 * kept until a 1 ms timer clears it (lru-cache's `ttlResolution` idea), so TTLs are exact to
 * within a millisecond. The timer is unref'd where the runtime allows, so it never keeps a
 * process alive.
 */
let cached = 0;

/** Forgets the cached reading; the 1 ms timer calls it, and tests that switch clocks. */
export function resetCoarseNow(): void {
  cached = 0;
}

/** `Date.now()`, read at most once per millisecond (see above); epoch ms. */
export function coarseNow(): number {
  if (cached === 0) {
    cached = Date.now();
    const timer = setTimeout(resetCoarseNow, 1) as { unref?: () => void };
    timer.unref?.();
  }
  return cached;
}
