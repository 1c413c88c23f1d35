/** What the change handler needs from the client. */
export interface ChangeHooks {
  /** The read of `key` under way, if any. */
  inflight(key: string): Promise<unknown> | undefined;
  /** Starts a read of `key` (never rejects). */
  load(key: string): Promise<unknown>;
  /** Reloads every flag (never rejects). */
  refresh(): Promise<unknown>;
}

/** Reacts to the store's change notifications. */
export interface ChangeHandler {
  /** `key` changed: reload it, coalesced with the reloads already under way. */
  changed(key: string): void;
  /**
   * Resolves once a reload of `key` that started after every notification so far has answered
   * (undefined when no reload of `key` is under way): async evaluations wait for it, so they
   * see a change as soon as it is announced, while sync ones keep serving the cached definition.
   */
  settled(key: string): Promise<void> | undefined;
  /** Anything may have changed: one full refresh, coalesced with one under way. */
  refreshAll(): void;
}

/**
 * Coalesces change notifications, so a flood of them costs a bounded number of store reads:
 * per key, at most one reload under way plus one rerun (a notification during a reload means
 * the reload may predate the change); past `maxKeys` keys reloading at once, one full refresh
 * instead of more per-key reads; concurrent full refreshes likewise become one plus one rerun.
 * Nothing is evicted meanwhile: the cached definition is served until the reload answers.
 */
export function createChangeHandler(hooks: ChangeHooks, maxKeys: number): ChangeHandler {
  const chains = new Map<string, Chain>();
  let refreshing = false;
  let refreshAgain = false;

  const run = (key: string, chain: Chain): void => {
    const seq = ++chain.seq;
    chain.dirty = false;
    // A read that started before the change answers with what it read, not cached: wait for it.
    void Promise.resolve(hooks.inflight(key))
      .then(() => hooks.load(key))
      .catch(() => {})
      .then(() => {
        chain.waiters = chain.waiters.filter(([need, resolve]) => need > seq || void resolve());
        if (chain.dirty) run(key, chain);
        else {
          chains.delete(key);
          for (const [, resolve] of chain.waiters) resolve();
        }
      });
  };
  const refreshAll = (): void => {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    void Promise.resolve()
      .then(hooks.refresh)
      .catch(() => {})
      .then(() => {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refreshAll();
        }
      });
  };
  return {
    changed(key) {
      const chain = chains.get(key);
      if (chain !== undefined) chain.dirty = true;
      else if (chains.size >= maxKeys) refreshAll();
      else {
        const fresh: Chain = { seq: 0, dirty: false, waiters: [] };
        chains.set(key, fresh);
        run(key, fresh);
      }
    },
    settled(key) {
      const chain = chains.get(key);
      if (chain === undefined) return undefined;
      return new Promise<void>((resolve) => chain.waiters.push([chain.dirty ? chain.seq + 1 : chain.seq, resolve]));
    },
    refreshAll,
  };
}

/** The reloads of one key after notifications: the current run, and whether it must run again. */
interface Chain {
  /** Number of the run under way. */
  seq: number;
  /** A notification came during the run under way: read again after it. */
  dirty: boolean;
  /** Async evaluations waiting for the first run that started after their call's notifications. */
  waiters: [run: number, resolve: () => void][];
}
