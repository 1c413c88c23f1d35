import { Lru } from '../internal/lru.js';

/**
 * Per flag, the variant each user was last exposed to, so an exposure is recorded once per
 * (user, flag, variant). One bound, `max`, holds across all flags: past it the least recently
 * exposed user of the largest flag is forgotten. A flag's entries go when the flag does
 * ({@link ExposureDedupe.forget}).
 *
 * One LRU per flag, keyed by the user id string itself: the engine caches a string's hash, so
 * the hot path hashes nothing new (a concatenated "flag/user" key would be hashed on every call).
 */
export class ExposureDedupe {
  readonly #max: number;
  readonly #byFlag = new Map<string, Lru<number>>();
  #size = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Entries held now, across all flags. */
  get size(): number {
    return this.#size;
  }

  /** True when the exposure is new (and remembers it); false when it was recorded already. */
  record(flagKey: string, userId: string, variantIndex: number): boolean {
    let seen = this.#byFlag.get(flagKey);
    if (seen === undefined) {
      // Its own bound is the global one: eviction is ours (below), across flags.
      seen = new Lru<number>(this.#max + 1);
      this.#byFlag.set(flagKey, seen);
    }
    if (seen.get(userId) === variantIndex) return false;
    const before = seen.size;
    seen.set(userId, variantIndex);
    if (seen.size > before && ++this.#size > this.#max) this.#evict(seen);
    return true;
  }

  /** Frees the entries of a flag that no longer exists. */
  forget(flagKey: string): void {
    const seen = this.#byFlag.get(flagKey);
    if (seen === undefined) return;
    this.#size -= seen.size;
    this.#byFlag.delete(flagKey);
  }

  /**
   * Drops one entry: the oldest of `current` when it holds more than its share, else the oldest
   * of the largest other flag, so a new flag is not starved by the flags that came before it.
   */
  #evict(current: Lru<number>): void {
    let victim = current;
    if (current.size * this.#byFlag.size <= this.#max) {
      let largest = 0;
      for (const seen of this.#byFlag.values()) {
        if (seen !== current && seen.size > largest) {
          largest = seen.size;
          victim = seen;
        }
      }
    }
    victim.evict();
    this.#size--;
  }
}
