import type { StorageAdapter } from '../../adapters/types.js';
import { EliteError, messageOf } from '../../internal/errors.js';
import { Lru } from '../../internal/lru.js';
import type { ChangeHandler } from '../change-feed.js';
import { createLazyChangeHandler } from '../change-feed-loader.js';
import { type CompiledFlag, type CompiledPrerequisite, compileFlag } from '../evaluate.js';
import type { FlagDefinition, FlagSnapshot } from '../types.js';
import type { CacheCore, CacheHooks, Entry, Failure, RefreshResult, Validator } from './cache-types.js';
import type { ClientSettings } from './options.js';
import type { Counters, Reporter } from './report.js';

export type { CacheCore, CacheHooks, Entry, Failure, RefreshResult, Validator } from './cache-types.js';

/** The store reads (cache-reads.ts), loaded with the first one; a failed load is retried on the next. */
let reads: Promise<typeof import('./cache-reads.js')> | undefined;
const loadReads = () =>
  (reads ??= import('./cache-reads.js').catch((error: unknown) => {
    reads = undefined;
    throw error;
  }));

/** Most keys reloaded at once after change notifications; past it, one full refresh instead. */
const MAX_PENDING_RELOADS = 100;

/** Where the cache keeps the entry of a flag that prerequisites name (see {@link FlagCache.prerequisite}). */
interface Slot {
  entry: Entry | undefined;
}

/** True for a flag key the client can look up: a non-empty string. */
export const isValidKey = (flagKey: unknown): flagKey is string => typeof flagKey === 'string' && flagKey !== '';

/**
 * The flags of one environment, as read from the store, compiled. The LRU bounds memory
 * (`cacheMax`); the TTL is ours: an expired entry is not deleted but kept as the last known
 * good definition, served as `STALE` while the store is down. At most one store read per key
 * is under way (concurrent misses share it), each bounded by `timeoutMs`; nothing here rejects
 * or throws into an evaluation: failures become entries. With a store that pushes changes
 * (`subscribe`), a changed key is reloaded at once rather than at the end of its TTL.
 *
 * The LRU is our own (internal/lru.ts, 0.2 kB min+gz) rather than lru-cache (5.8 kB) or toad-cache
 * (0.7 kB): the TTL and stale logic are ours anyway (docs/flags.md#cache). The store reads themselves
 * (cache-reads.ts, with the detailed validator of what a store returns) load with the first one.
 */
export class FlagCache {
  readonly #environment: string;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #counters: Counters;
  readonly #hooks: CacheHooks;
  readonly #entries: Lru<Entry>;
  readonly #inflight = new Map<string, Promise<Entry>>();
  // Per key, bumped by push invalidations: a read that started before the bump must not cache
  // what it read (it may predate the change).
  readonly #generations = new Map<string, number>();
  // Bootstrap definitions, the fallback of their key while the store has never shown this
  // client a record of it: a snapshot in the browser, or definitions kept in code, over an
  // empty store must not turn into FLAG_NOT_FOUND when the TTL runs out. Once the store shows
  // the key (a read or a listing returns it, or it pushes a change of it), the store decides
  // alone, and a later "no such flag" means the flag was deleted. (GrowthBook keeps the
  // features it was given until a payload replaces them; LaunchDarkly's bootstrap holds until
  // the first answer of its source. Here the source answers per key.)
  readonly #fallback = new Map<string, CompiledFlag>();
  // Per flag key that a prerequisite names, the entry the cache holds for it, kept current by #keep
  // and linked into the compiled prerequisites: evaluation reaches the flag without an LRU lookup.
  // Bounded by the definitions: only keys prerequisites name get one.
  readonly #slots = new Map<string, Slot>();
  readonly #changes: ChangeHandler;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #core: CacheCore;
  #closed = false;

  /**
   * Compiles the bootstrap synchronously, so the first render answers without a store read
   * (throws `INVALID_FLAG` for a bad definition), then listens to the store's changes.
   */
  constructor(settings: ClientSettings, storage: StorageAdapter, counters: Counters, reporter: Reporter, hooks: CacheHooks) {
    this.#environment = settings.environment;
    this.#ttlMs = settings.ttlMs;
    this.#clock = settings.clock;
    this.#counters = counters;
    this.#hooks = hooks;
    this.#entries = new Lru<Entry>(settings.cacheMax);
    this.#core = {
      environment: this.#environment,
      storage,
      ttlMs: this.#ttlMs,
      // After a failed read the answer (the last good definition as STALE, or the failure) is kept
      // this long before the store is asked again: a store that is down is not hit on every call.
      retryMs: Math.min(settings.ttlMs, 5_000),
      timeoutMs: settings.timeoutMs,
      clock: this.#clock,
      counters,
      reporter,
      hooks,
      entries: this.#entries,
      generations: this.#generations,
      fallback: this.#fallback,
      closed: () => this.#closed,
      fresh: (key) => this.fresh(key),
      load: (key) => this.load(key),
      settled: (key) => this.#changes.settled(key),
      keep: (key, entry) => this.#keep(key, entry),
      compile: (definition, validate) => this.#compile(definition, validate),
    };
    const bootstrap = settings.bootstrap ?? [];
    for (const definition of bootstrap) {
      const flag = this.#compile(definition);
      this.#fallback.set(definition.key, flag);
      this.#put(definition.key, flag);
    }
    // What the compact check of bootstrap definitions lets through, the detailed one reports, once loaded.
    if (bootstrap.length > 0)
      void loadReads().then(
        (m) => m.recheck(this.#core, bootstrap),
        () => undefined,
      );
    this.#changes = createLazyChangeHandler(
      { inflight: (key) => this.#inflight.get(key), load: (key) => this.load(key), refresh: () => this.refresh() },
      MAX_PENDING_RELOADS,
    );
    this.#unsubscribe = storage.subscribe?.(settings.environment, (key) => this.#changed(key));
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** A fresh entry (counted as a hit), or undefined. */
  fresh(key: string): Entry | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined || hit.expiresAt <= this.#clock()) return undefined;
    this.#counters.cacheHits++;
    return hit;
  }

  /**
   * The entry for a flag from the cache alone (undefined for an invalid key); a miss starts a
   * background load and answers with the last known entry, or `PROVIDER_NOT_READY`.
   */
  lookupSync(flagKey: unknown): Entry | Failure | undefined {
    // Kept this small, the miss path apart, so the engine can inline it into the evaluation methods.
    return isValidKey(flagKey) ? (this.fresh(flagKey) ?? this.#missSync(flagKey)) : undefined;
  }

  /** A sync lookup's miss: a background load, and the last known entry or `PROVIDER_NOT_READY`. */
  #missSync(flagKey: string): Entry | Failure {
    this.#counters.cacheMisses++;
    if (!this.#closed) void this.load(flagKey);
    return (
      this.#entries.get(flagKey) ?? [
        'PROVIDER_NOT_READY',
        `flag "${flagKey}" is not in the local snapshot yet (loading now); await refresh() at startup or pass bootstrap`,
      ]
    );
  }

  /** The entry for a flag (undefined for an invalid key), reading the store on a miss; never rejects. */
  async lookup(flagKey: unknown): Promise<Entry | Failure | undefined> {
    if (!isValidKey(flagKey)) return undefined;
    // A change was announced: answer from the reload it started (the cached definition stays
    // for sync evaluations, and as the fallback if the reload fails).
    const changing = this.#changes.settled(flagKey);
    if (changing !== undefined) await changing;
    const got = this.fresh(flagKey) ?? (await this.#resolve(flagKey));
    if (!Array.isArray(got) && got.flag !== undefined && got.flag.links.length > 0) {
      await loadReads().then(
        (m) => m.loadRequired(this.#core, got.flag as CompiledFlag),
        () => undefined,
      );
    }
    return got;
  }

  /**
   * The flag a compiled prerequisite names, from its slot while fresh; otherwise as
   * {@link FlagCache.lookupSync} answers (which starts a reload). Undefined: no such flag.
   */
  prerequisite(p: CompiledPrerequisite): CompiledFlag | undefined | Failure {
    const entry = (p.slot as Slot | undefined)?.entry;
    if (entry !== undefined && entry.expiresAt > this.#clock()) return entry.failure ?? entry.flag;
    const got = this.lookupSync(p.flag) as Entry | Failure;
    return Array.isArray(got) ? got : (got.failure ?? got.flag);
  }

  /** What a store that has no record of `key` means: its bootstrap definition, or no flag. */
  absent(key: string): CompiledFlag | undefined {
    return this.#fallback.get(key);
  }

  /**
   * Reads one flag from the store (cache-reads.ts), at most one read per key at a time, bounded by
   * `timeoutMs`. Never rejects: a failure becomes an entry (last good definition marked stale, or the error).
   */
  load(key: string): Promise<Entry> {
    let promise = this.#inflight.get(key);
    if (promise) return promise;
    const generation = this.#generations.get(key) ?? 0;
    // `timeoutMs` counts from now: it bounds the loading of cache-reads.ts too, so the first read of a
    // client takes no longer than the others.
    const asked = Date.now();
    promise = loadReads().then(
      (m) => m.read(this.#core, key, generation, asked),
      // The reads could not be loaded: an answer for now, not cached, so the next lookup tries again.
      (cause: unknown): Entry => ({ flag: undefined, expiresAt: 0, stale: false, failure: ['GENERAL', messageOf(cause)] }),
    );
    this.#inflight.set(key, promise);
    void promise.finally(() => {
      if (this.#inflight.get(key) === promise) this.#inflight.delete(key);
    });
    return promise;
  }

  /** Reloads every flag of the environment from the store (cache-reads.ts). Never rejects. */
  refresh(): Promise<RefreshResult> {
    const asked = Date.now();
    return loadReads().then(
      (m) => m.refresh(this.#core, asked),
      (error: Error) => ({ ok: false, error }),
    );
  }

  /** The definitions in the cache, copied: what `bootstrap` takes. */
  snapshot(): FlagSnapshot {
    const flags: FlagDefinition[] = [];
    for (const key of this.#entries.keys()) {
      const flag = this.#entries.get(key)?.flag;
      if (flag) flags.push(structuredClone(flag.definition));
    }
    return { environment: this.#environment, flags };
  }

  /** True once {@link FlagCache.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops listening for changes and reading the store; resolves once the reads under way have answered. */
  close(): Promise<unknown> {
    this.#closed = true;
    this.#unsubscribe?.();
    return Promise.allSettled(this.#inflight.values());
  }

  /** A change notification from the store for `key`, or `*` for "anything may have changed". */
  #changed(key: string): void {
    if (this.#closed) return;
    // "*": the store may have missed changes (its listener reconnected): reload everything,
    // and deliver the events held back by a failure now.
    if (key === '*') {
      // A microtask later: the listener may be called before the client is assembled.
      queueMicrotask(() => {
        this.#changes.refreshAll();
        this.#hooks.storeAnswered();
      });
      return;
    }
    // Push invalidation: reload the changed flag now rather than at the end of its TTL. A read
    // under way may predate the change: its result is not cached (generation) and the key is
    // read again. The cached definition keeps serving until then.
    this.#generations.set(key, (this.#generations.get(key) ?? 0) + 1);
    // The store has had this key: from now on its answer alone counts (a deletion included).
    this.#fallback.delete(key);
    this.#changes.changed(key);
  }

  /** Caches an entry; a flag the store says is gone takes what is kept for it along. */
  #keep(key: string, entry: Entry): void {
    if (entry.flag === undefined && entry.failure === undefined) this.#hooks.flagGone(key);
    this.#entries.set(key, entry);
    const slot = this.#slots.get(key);
    if (slot !== undefined) slot.entry = entry;
  }

  #put(key: string, flag: CompiledFlag | undefined): void {
    this.#keep(key, { flag, expiresAt: this.#clock() + this.#ttlMs, stale: false });
  }

  /** The entry for a flag that is not fresh in the cache: the store's answer, or the last known one once closed. */
  async #resolve(key: string): Promise<Entry | Failure> {
    this.#counters.cacheMisses++;
    if (this.#closed) return this.#staleOr(key, ['GENERAL', 'the flags client is closed']);
    return this.load(key);
  }

  /** The last known entry, marked stale, or the failure when there is none. */
  #staleOr(key: string, failure: Failure): Entry | Failure {
    const stale = this.#entries.get(key);
    if (stale === undefined) return failure;
    stale.stale = true;
    return stale;
  }

  /**
   * Validates and compiles a definition of this environment; throws `INVALID_FLAG`. Bootstrap definitions
   * get the compact check of the flags entry (synchronous), what a store returns the detailed `validate`.
   */
  #compile(definition: FlagDefinition, validate?: Validator): CompiledFlag {
    if (definition.environment !== this.#environment) {
      throw new EliteError(
        'INVALID_FLAG',
        `elite/flags: flag "${definition.key}" is for environment "${definition.environment}", this client reads "${this.#environment}"`,
        { field: 'environment' },
      );
    }
    const flag = compileFlag(definition, validate);
    for (const p of flag.links) {
      let slot = this.#slots.get(p.flag);
      if (slot === undefined) {
        slot = { entry: this.#entries.get(p.flag) };
        this.#slots.set(p.flag, slot);
      }
      p.slot = slot;
    }
    return flag;
  }
}
