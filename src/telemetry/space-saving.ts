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
 * The counters live in a binary min-heap whose entries know their slot, so an addition costs
 * O(log k) moves and at most one map write (two when it replaces the smallest counter).
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

/** A counter of the sketch: its key, count, error and place in the heap. */
interface Counter {
  key: string;
  count: number;
  error: number;
  slot: number;
}

/** A weighted Space-Saving sketch with `capacity` counters. */
export class SpaceSaving {
  /** Total weight added since the last reset. */
  total = 0;
  // A binary min-heap by count; each counter knows its slot, so a move costs no map write.
  private heap: Counter[] = [];
  private readonly byKey = new Map<string, Counter>();

  constructor(
    /** Counters kept: the error bound is total / capacity. */
    readonly capacity: number,
  ) {}

  /** Adds `weight` (> 0; anything else is ignored) to `key`'s total. */
  add(key: string, weight: number): void {
    if (!(weight > 0) || weight === Number.POSITIVE_INFINITY) return;
    this.total += weight;
    const found = this.byKey.get(key);
    if (found !== undefined) {
      found.count += weight;
      this.down(found.slot);
      return;
    }
    const { heap } = this;
    if (heap.length < this.capacity) {
      const counter = { key, count: weight, error: 0, slot: heap.length };
      heap.push(counter);
      this.byKey.set(key, counter);
      this.up(counter.slot);
      return;
    }
    // Full: the key takes the smallest counter's place and inherits its count as its error.
    const smallest = heap[0] as Counter;
    this.byKey.delete(smallest.key);
    smallest.key = key;
    smallest.error = smallest.count;
    smallest.count += weight;
    this.byKey.set(key, smallest);
    this.down(0);
  }

  /** The monitored keys, largest `count` first. */
  top(): HeavyHitter[] {
    return this.heap.map(({ key, count, error }) => ({ key, count, error })).sort((a, b) => b.count - a.count);
  }

  /** Forgets every key and the total. */
  reset(): void {
    this.total = 0;
    this.heap = [];
    this.byKey.clear();
  }

  private place(counter: Counter, slot: number): void {
    this.heap[slot] = counter;
    counter.slot = slot;
  }

  private up(slot: number): void {
    const { heap } = this;
    const moving = heap[slot] as Counter;
    let at = slot;
    while (at > 0) {
      const parentSlot = (at - 1) >> 1;
      const parent = heap[parentSlot] as Counter;
      if (parent.count <= moving.count) break;
      this.place(parent, at);
      at = parentSlot;
    }
    this.place(moving, at);
  }

  private down(slot: number): void {
    const { heap } = this;
    const size = heap.length;
    const moving = heap[slot] as Counter;
    let at = slot;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const childSlot = right < size && (heap[right] as Counter).count < (heap[left] as Counter).count ? right : left;
      const child = heap[childSlot] as Counter;
      if (moving.count <= child.count) break;
      this.place(child, at);
      at = childSlot;
    }
    this.place(moving, at);
  }
}
