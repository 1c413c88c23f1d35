/**
 * A token bucket per client: `burst` requests at once, then one more every `intervalMs`. The
 * buckets are bounded (`maxClients`, the least recently seen forgotten first), so a flood of
 * new client keys costs memory in proportion to the bound, not to the flood.
 */
export class RateLimiter {
  readonly #burst: number;
  readonly #intervalMs: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  /** Client key → [tokens, last refill time]; Map order is recency of use. */
  readonly #buckets = new Map<string, [tokens: number, at: number]>();

  constructor(burst: number, intervalMs: number, maxClients: number, now: () => number = Date.now) {
    this.#burst = burst;
    this.#intervalMs = intervalMs;
    this.#maxClients = maxClients;
    this.#now = now;
  }

  /** Takes one token for `client`: true when the request may go on, false when it is over its rate. */
  take(client: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(client);
    let tokens = this.#burst;
    if (bucket !== undefined) {
      this.#buckets.delete(client);
      tokens = Math.min(this.#burst, bucket[0] + (now - bucket[1]) / this.#intervalMs);
    } else if (this.#buckets.size >= this.#maxClients) {
      this.#buckets.delete(this.#buckets.keys().next().value as string);
    }
    const allowed = tokens >= 1;
    this.#buckets.set(client, [allowed ? tokens - 1 : tokens, now]);
    return allowed;
  }

  /** Clients remembered. */
  get size(): number {
    return this.#buckets.size;
  }
}
