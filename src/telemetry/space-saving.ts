/**
 * The Space-Saving heavy-hitters sketch (Metwally, Agrawal, El Abbadi, 2005), weighted: it keeps
 * `capacity` counters for a stream of (key, weight) and finds the keys with the largest totals in
 * fixed memory. Used for the top spenders per window (key: user id, weight: cost in USD).
 *
 * Guarantees, with W the total weight added and k the capacity (each one is property-tested):
 * - the counters sum to W exactly;
 * - a monitored key's `count` over-estimates its true total by at most its `error`, and
 *   `error ≤ W / k`; so `count − error` is a lower bound that is at most W / k below the truth;
 * - a key that is not monitored has a true total ≤ the smallest counter ≤ W / k, so every key
 *   whose total exceeds W / k is monitored.
 *
 * The counters live in a binary min-heap (arrays, no object per key), so an addition costs
 * O(log k) and a replacement of the smallest counter O(log k).
 */

/** One monitored key. */
export interface HeavyHitter {
  /** The key (a user id). */
  key: string;
  /** Its estimated total: never below the true total, at most `error` above it. */
  count: number;
  /** The most `count` may over-estimate (the smallest counter when the key took its place); ≤ total / capacity. */
  error: number;
}

/** A weighted Space-Saving sketch with `capacity` counters. */
export class SpaceSaving {
  /** Total weight added since the last reset. */
  total = 0;
  private keys: string[] = [];
  private counts: number[] = [];
  private errors: number[] = [];
  private readonly slots = new Map<string, number>();

  constructor(
    /** Counters kept: the error bound is total / capacity. */
    readonly capacity: number,
  ) {}

  /** Adds `weight` (> 0; anything else is ignored) to `key`'s total. */
  add(key: string, weight: number): void {
    if (!(weight > 0) || weight === Number.POSITIVE_INFINITY) return;
    this.total += weight;
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.counts[slot] = (this.counts[slot] as number) + weight;
      this.down(slot);
      return;
    }
    if (this.keys.length < this.capacity) {
      const at = this.keys.length;
      this.keys.push(key);
      this.counts.push(weight);
      this.errors.push(0);
      this.slots.set(key, at);
      this.up(at);
      return;
    }
    // Full: the key takes the smallest counter's place and inherits its count as its error.
    const smallest = this.counts[0] as number;
    this.slots.delete(this.keys[0] as string);
    this.keys[0] = key;
    this.counts[0] = smallest + weight;
    this.errors[0] = smallest;
    this.slots.set(key, 0);
    this.down(0);
  }

  /** The monitored keys, largest `count` first. */
  top(): HeavyHitter[] {
    return this.keys
      .map((key, slot) => ({ key, count: this.counts[slot] as number, error: this.errors[slot] as number }))
      .sort((a, b) => b.count - a.count);
  }

  /** Forgets every key and the total. */
  reset(): void {
    this.total = 0;
    this.keys = [];
    this.counts = [];
    this.errors = [];
    this.slots.clear();
  }

  private swap(a: number, b: number): void {
    const { keys, counts, errors } = this;
    [keys[a], keys[b]] = [keys[b] as string, keys[a] as string];
    [counts[a], counts[b]] = [counts[b] as number, counts[a] as number];
    [errors[a], errors[b]] = [errors[b] as number, errors[a] as number];
    this.slots.set(keys[a] as string, a);
    this.slots.set(keys[b] as string, b);
  }

  private up(slot: number): void {
    let at = slot;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.counts[parent] as number) <= (this.counts[at] as number)) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private down(slot: number): void {
    const size = this.keys.length;
    let at = slot;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && (this.counts[right] as number) < (this.counts[left] as number) ? right : left;
      if ((this.counts[at] as number) <= (this.counts[child] as number)) return;
      this.swap(at, child);
      at = child;
    }
  }
}
