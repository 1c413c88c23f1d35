import { LruMap } from 'toad-cache';
import { createMemoryStorage } from '../adapters/memory.js';
import type { ResultsQuery, StorageAdapter, VariantAggregate } from '../adapters/types.js';
import { KEY_PATTERN } from '../definitions/index.js';
import type { ExperimentResults } from '../experiments/index.js';
import { coarseNow } from '../internal/clock.js';
import { EliteError, isEliteError, messageOf } from '../internal/errors.js';
import { EVENT_LIMITS, isStorableText } from '../internal/limits.js';
import { type SafeLogger, toSafeLogger } from '../internal/logger.js';
import { createWarnOnce } from '../internal/warn-once.js';
import { createChangeHandler } from './change-feed.js';
import {
  type CompiledFlag,
  compileFlag,
  describeCode,
  evaluateCode,
  isErrorCode,
  isIncluded,
  isPlacement,
  targetingKeyOf,
  variantIndexOf,
} from './evaluate.js';
import { type BufferedEvent, EventBuffer, type FlushResult } from './events.js';
import { loadExperiments as loadStats } from './experiments-loader.js';
import { ExposureDedupe } from './exposure-dedupe.js';
import { checkTrackInput, storableUserId } from './track-input.js';
import type {
  EvaluationDetails,
  EvaluationErrorCode,
  FlagDefinition,
  FlagSnapshot,
  FlagStats,
  FlagsOptions,
  FlagUser,
  JsonValue,
  ResultsOptions,
  TrackOptions,
} from './types.js';

export type { FlushResult } from './events.js';

/** Most keys reloaded at once after change notifications; past it, one full refresh instead. */
const MAX_PENDING_RELOADS = 100;

/** What `refresh()` resolves to; it never rejects. */
export type RefreshResult = { ok: true; flags: number } | { ok: false; error: Error };

/**
 * A flags client bound to one environment. Every evaluation method answers, never throws
 * and never hangs: failures come back as the default value with `reason: 'ERROR'`.
 * The `…Sync` twins answer from the cached snapshot without waiting for the store, for hot
 * paths and Edge middleware; they start a background load when a flag is missing or expired.
 */
export interface FlagsClient {
  /** The environment this client reads. */
  readonly environment: string;
  /** The store this client reads (and that flag admin code writes). */
  readonly storage: StorageAdapter;
  /** True when the user gets the flag: a toggle that is on, or an experiment the user is in. */
  isEnabled(flagKey: string, user: FlagUser): Promise<boolean>;
  /** The variant key served to the user, or `defaultVariant` when evaluation fails. */
  getVariant(flagKey: string, user: FlagUser, defaultVariant?: string): Promise<string | undefined>;
  /** The value served, or `defaultValue` on error or when the served value's type differs. */
  getValue<T extends JsonValue>(flagKey: string, user: FlagUser, defaultValue: T): Promise<T>;
  /** Full details: value, variant, reason, error code and message, flag version. */
  evaluate(flagKey: string, user: FlagUser): Promise<EvaluationDetails>;
  isEnabledSync(flagKey: string, user: FlagUser): boolean;
  getVariantSync(flagKey: string, user: FlagUser, defaultVariant?: string): string | undefined;
  getValueSync<T extends JsonValue>(flagKey: string, user: FlagUser, defaultValue: T): T;
  evaluateSync(flagKey: string, user: FlagUser): EvaluationDetails;
  /** Reloads every flag of the environment from the store into the cache. Never rejects. */
  refresh(): Promise<RefreshResult>;
  /** The flags in the cache, serializable, to pass as `bootstrap` (SSR). */
  snapshot(): FlagSnapshot;
  /** Cache, error and event counters. */
  stats(): FlagStats;
  /**
   * Records a conversion for the user: it counts for every experiment the user was exposed to
   * before it. Buffered; see `flush()`. Invalid input throws `INVALID_EVENT` when `strict`,
   * else it is dropped and counted.
   */
  track(eventName: string, user: FlagUser, options?: TrackOptions): void;
  /**
   * Records an exposure explicitly (with `trackExposures: false`, or for lazy rendering) and
   * returns the variant the user is in, or undefined when the user is not in the experiment.
   */
  expose(flagKey: string, user: FlagUser): Promise<string | undefined>;
  /**
   * Writes the buffered events. Resolves once everything accepted so far is stored, or with
   * `ok: false` when the store fails (the events stay buffered and are retried). Never rejects.
   * In serverless handlers: `waitUntil(flags.flush())`.
   */
  flush(): Promise<FlushResult>;
  /**
   * Per-variant results of an experiment with their statistics (see docs/experiments.md).
   * Flushes first. Rejects with `EliteError` (`FLAG_NOT_FOUND`, `STORAGE_ERROR`): this is a
   * reporting call, not a hot path. In the Edge build (export condition `edge-light`: Next.js
   * middleware and Edge routes) it rejects with `UNSUPPORTED_RUNTIME`: call it on Node.js.
   */
  results(flagKey: string, options?: ResultsOptions): Promise<ExperimentResults>;
  /** Flushes buffered events and stops listening for changes; later evaluations answer from the cache only. */
  close(): Promise<void>;
}

interface Entry {
  /** Undefined when the store has no such flag (cached too, so misses do not hammer it). */
  readonly flag: CompiledFlag | undefined;
  /** When the TTL runs out (ms since the epoch); the entry stays after it as the last known good. */
  readonly expiresAt: number;
  /** Set when the store failed after this entry expired: answers say `STALE`. */
  stale: boolean;
  /** Set when the store failed and there was no earlier definition to fall back on. */
  failure?: Failure;
}

/** Why the client could not produce an entry. */
type Failure = [errorCode: EvaluationErrorCode, errorMessage: string];

/** Details, and whether the user gets the flag (for `isEnabled`). */
type Answer = [details: EvaluationDetails, included: boolean];

const CONTRACT = ['getFlag', 'listFlags', 'writeFlag', 'deleteFlag', 'appendEvents', 'queryResults'] as const;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function sameType(value: unknown, model: unknown): boolean {
  if (Array.isArray(model)) return Array.isArray(value);
  if (model === null || value === null) return value === model;
  return typeof value === typeof model && Array.isArray(value) === false;
}

/**
 * Creates a flags client. Configuration errors throw `EliteError` (`INVALID_OPTIONS`,
 * `INVALID_FLAG` for a bad bootstrap) at once; nothing after that throws into app code.
 *
 * @example
 * const client = createFlags({ storage: createMemoryStorage({ flags }), environment: 'production' });
 * const variant = await client.getVariant('pricing-test', userId); // 'control' | 'variant-a' | 'variant-b'
 */
export function createFlags(options: FlagsOptions = {}): FlagsClient {
  try {
    return build(options);
  } catch (error) {
    if (isEliteError(error)) throw error;
    // Options that cannot be read (a throwing getter, a revoked proxy): still a typed error.
    throw new EliteError('INVALID_OPTIONS', `elite/flags: createFlags() could not read its options: ${messageOf(error)}`, {
      field: 'options',
      cause: error,
    });
  }
}

function build(options: FlagsOptions): FlagsClient {
  const invalid = (field: string, message: string): never => {
    throw new EliteError('INVALID_OPTIONS', `elite/flags: ${field} ${message}`, { field });
  };
  if (!isObject(options)) invalid('options', 'must be an object, e.g. createFlags({ environment: "production" })');
  const environment = options.environment ?? 'production';
  if (typeof environment !== 'string' || !KEY_PATTERN.test(environment)) {
    invalid('environment', `must match ${KEY_PATTERN.source}, e.g. "production", got ${JSON.stringify(environment)}`);
  }
  const count = (field: string, value: unknown, fallback: number): number =>
    value === undefined
      ? fallback
      : Number.isSafeInteger(value) && (value as number) > 0
        ? (value as number)
        : invalid(field, `must be a whole number > 0, got ${typeof value === 'number' ? value : typeof value}`);
  const ttlMs = count('cacheTtlMs', options.cacheTtlMs, 60_000);
  const cacheMax = count('cacheMax', options.cacheMax, 1_000);
  const timeoutMs = count('timeoutMs', options.timeoutMs, 1_000);
  for (const field of ['onError', 'now'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'function') invalid(field, 'must be a function');
  }
  const given: unknown = options.storage;
  const missing = CONTRACT.filter((m) => !isObject(given) || typeof given[m] !== 'function');
  if (given !== undefined && missing.length > 0) {
    invalid(
      'storage',
      `must implement StorageAdapter (missing ${missing.join(', ')}); use createMemoryStorage() or an adapter from @tiqology/elite/adapters/*`,
    );
  }
  const storage = (given as StorageAdapter | undefined) ?? createMemoryStorage();
  const log: SafeLogger = toSafeLogger(options.logger);
  const warnOnce = createWarnOnce(log);
  const { onError, trackExposures = true } = options;
  const dedupeMax = count('dedupeMax', options.dedupeMax, 100_000);
  const strict = options.strict ?? environment !== 'production';

  // The LRU bounds memory (cacheMax); the TTL is ours: an expired entry is not deleted but
  // kept as the last known good definition, served as STALE while the store is down.
  // toad-cache rather than lru-cache: 0.8 kB against 5.8 kB min+gz of the 13 kB Edge budget
  // (docs/flags.md#cache), and the TTL and stale logic we would still need around it are small.
  const cache = new LruMap<Entry>(cacheMax, 0);
  // An injected clock (tests) is read on every check, so it can jump at will.
  const clock = options.now ?? coarseNow;
  // Exposure dedupe entries of a flag go when the store says the flag is gone.
  const keepEntry = (key: string, entry: Entry) => {
    if (entry.flag === undefined && entry.failure === undefined) dedupe.forget(key);
    cache.set(key, entry);
  };
  const put = (key: string, flag: CompiledFlag | undefined) => keepEntry(key, { flag, expiresAt: clock() + ttlMs, stale: false });
  const inflight = new Map<string, Promise<Entry>>();
  const counters = { cacheHits: 0, cacheMisses: 0, staleServes: 0, errors: 0, storageErrors: 0, exposures: 0 };
  const events = new EventBuffer({
    storage,
    flushIntervalMs: count('flushIntervalMs', options.flushIntervalMs, 1_000),
    maxBatch: count('maxBatch', options.maxBatch, 500),
    maxBuffer: count('maxBuffer', options.maxBuffer, 10_000),
    onWriteError: (cause) => report(storageError('writing events', cause)),
    onRejected: (event, cause) => {
      warnOnce(
        'rejected',
        `elite/flags: the store refused an event (${messageOf(cause)}); it was dropped, the others delivered (counted in stats().eventsRejected)`,
      );
      try {
        onError?.(new EliteError('INVALID_EVENT', `elite/flags: the store refused a ${event.type} event: ${messageOf(cause)}`, { cause }));
      } catch {
        // onError must not throw.
      }
    },
  });
  const dedupe = new ExposureDedupe(dedupeMax);

  /** Records an exposure once per (user, flag, variant) when the code places the user in an arm. */
  const expose = (flag: CompiledFlag, user: FlagUser, code: number) => {
    if (flag.toggle || !isPlacement(code)) return;
    const userId = targetingKeyOf(user);
    if (userId === undefined) return; // a rule matched on attributes alone: nobody to attribute to
    // A user id no store can keep: the answer stands, the exposure is not recorded. The length
    // is checked before the dedupe (a long id is not kept in memory), the text only for a new
    // exposure, off the deduplicated hot path (a bad id is remembered, so counted once).
    if (userId.length > EVENT_LIMITS.userIdChars) return unstorable(userId);
    const index = variantIndexOf(code);
    if (!dedupe.record(flag.key, userId, index)) return;
    if (!isStorableText(userId)) return unstorable(userId);
    counters.exposures++;
    const variant = flag.variantKeys[index] as string;
    events.push({ type: 'exposure', environment, flagKey: flag.key, variant, userId, occurredAt: clock() });
  };
  const unstorable = (userId: string) => {
    events.drop();
    const problem = storableUserId(userId);
    warnOnce(
      'exposure-user',
      `elite/flags: exposure not recorded: ${typeof problem === 'string' ? 'bad user id' : problem[1]} (counted in stats().eventsDropped)`,
    );
  };
  let closed = false;

  const report = (error: unknown) => {
    log.warn(messageOf(error));
    try {
      onError?.(error instanceof Error ? error : new Error(messageOf(error)));
    } catch {
      // onError must not throw; the failure is in the log already.
    }
  };

  const storageError = (what: string, cause: unknown): EliteError => {
    counters.storageErrors++;
    return new EliteError('STORAGE_ERROR', `elite/flags: ${what} failed on ${storage.metadata.name} storage: ${messageOf(cause)}`, {
      cause,
    });
  };

  const compile = (definition: FlagDefinition): CompiledFlag => {
    if (definition.environment !== environment) {
      throw new EliteError(
        'INVALID_FLAG',
        `elite/flags: flag "${definition.key}" is for environment "${definition.environment}", this client reads "${environment}"`,
        {
          field: 'environment',
        },
      );
    }
    return compileFlag(definition);
  };

  // Bootstrap: compiled synchronously so the first render answers without a store read.
  // A bootstrap definition is also the fallback for its key while the store has never shown
  // this client a record of it: a snapshot in the browser, or definitions kept in code, over
  // an empty store must not turn into FLAG_NOT_FOUND when the TTL runs out. Once the store
  // shows the key (a read or a listing returns it, or it pushes a change of it), the store
  // decides alone, and a later "no such flag" means the flag was deleted. (GrowthBook keeps
  // the features it was given until a payload replaces them; LaunchDarkly's bootstrap holds
  // until the first answer of its source. Here the source answers per key.)
  const fallback = new Map<string, CompiledFlag>();
  if (options.bootstrap !== undefined) {
    const snapshot: Partial<FlagSnapshot> = Array.isArray(options.bootstrap) ? { flags: options.bootstrap } : options.bootstrap;
    if (!isObject(snapshot) || !Array.isArray(snapshot.flags)) invalid('bootstrap', 'must be an array of flags or client.snapshot()');
    if (snapshot.environment !== undefined && snapshot.environment !== environment) {
      invalid('bootstrap', `is for environment "${snapshot.environment}", this client reads "${environment}"`);
    }
    for (const definition of snapshot.flags as FlagDefinition[]) {
      const flag = compile(definition);
      fallback.set(definition.key, flag);
      put(definition.key, flag);
    }
  }
  /** What a store that has no record of `key` means: its bootstrap definition, or no flag. */
  const absent = (key: string): CompiledFlag | undefined => fallback.get(key);

  // Per key, bumped by push invalidations: a read that started before the bump must not cache
  // what it read (it may predate the change).
  const generations = new Map<string, number>();
  // After a failed read the answer (the last good definition as STALE, or the failure) is kept
  // this long before the store is asked again: a store that is down is not hit on every call.
  const retryMs = Math.min(ttlMs, 5_000);

  /**
   * Reads one flag from the store, at most one read per key at a time, bounded by timeoutMs.
   * Never rejects: a failure becomes an entry (last good definition marked stale, or the error).
   */
  const load = (key: string): Promise<Entry> => {
    let promise = inflight.get(key);
    if (promise) return promise;
    const generation = generations.get(key) ?? 0;
    const keep = (entry: Entry): Entry => {
      if (!closed && (generations.get(key) ?? 0) === generation) keepEntry(key, entry);
      return entry;
    };
    promise = withTimeout(Promise.resolve().then(() => storage.getFlag(key, environment)))
      .then((definition) => {
        if (definition !== undefined) fallback.delete(key);
        // The store answers: events held back by an earlier failure can go now.
        events.retryNow();
        return keep({ flag: definition === undefined ? absent(key) : compile(definition), expiresAt: clock() + ttlMs, stale: false });
      })
      .catch((cause: unknown) => {
        if (isEliteError(cause, 'TIMEOUT')) counters.storageErrors++;
        const error = isEliteError(cause) ? cause : storageError(`reading flag "${key}"`, cause);
        report(error);
        const previous = cache.get(key);
        const expiresAt = clock() + retryMs;
        if (previous !== undefined && previous.failure === undefined) {
          return keep({ flag: previous.flag, expiresAt, stale: previous.flag !== undefined });
        }
        const failure: Failure = [isEliteError(error, 'INVALID_FLAG') ? 'PARSE_ERROR' : 'GENERAL', error.message];
        return keep({ flag: undefined, expiresAt, stale: false, failure });
      });
    inflight.set(key, promise);
    void promise.finally(() => {
      if (inflight.get(key) === promise) inflight.delete(key);
    });
    return promise;
  };

  const withTimeout = <T>(promise: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EliteError('TIMEOUT', `elite/flags: the ${storage.metadata.name} store did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };

  /** The last known entry, marked stale, or the failure when there is none. */
  const staleOr = (key: string, failure: Failure): Entry | Failure => {
    const stale = cache.get(key);
    if (stale === undefined) return failure;
    stale.stale = true;
    return stale;
  };

  /** A fresh cache entry (counted as a hit), or undefined. */
  const fresh = (key: string): Entry | undefined => {
    const hit = cache.get(key);
    if (hit === undefined || hit.expiresAt <= clock()) return undefined;
    counters.cacheHits++;
    return hit;
  };

  /** The entry for a flag, reading the store on a miss; never rejects. */
  const resolve = async (key: string): Promise<Entry | Failure> => {
    counters.cacheMisses++;
    if (closed) return staleOr(key, ['GENERAL', 'the flags client is closed']);
    return load(key);
  };

  /** The entry for a flag from the cache alone; a miss starts a background load. */
  const resolveSync = (key: string): Entry | Failure => {
    counters.cacheMisses++;
    if (!closed) void load(key);
    return (
      cache.get(key) ?? [
        'PROVIDER_NOT_READY',
        `flag "${key}" is not in the local snapshot yet (loading now); await refresh() at startup or pass bootstrap`,
      ]
    );
  };

  const fail = (flagKey: string, [errorCode, errorMessage]: Failure): Answer => {
    counters.errors++;
    return [{ flagKey, value: null, variant: undefined, reason: 'ERROR', errorCode, errorMessage, flagVersion: undefined }, false];
  };

  const validKey = (flagKey: unknown): flagKey is string => typeof flagKey === 'string' && flagKey !== '';
  const badKey = (flagKey: unknown): Answer =>
    // No String(flagKey): a null-prototype object or a symbol would throw converting.
    fail(typeof flagKey === 'string' ? flagKey : `<${typeof flagKey}>`, [
      'GENERAL',
      `flag key must be a non-empty string, got ${typeof flagKey}`,
    ]);

  /** Full details of an evaluation, for `evaluate`, `getValue` and every answer that is not clean. */
  const detail = (flagKey: string, got: Entry | Failure, user: FlagUser): Answer => {
    if (Array.isArray(got)) return fail(flagKey, got);
    if (got.failure !== undefined) return fail(flagKey, got.failure);
    const flag = got.flag;
    if (flag === undefined) return fail(flagKey, ['FLAG_NOT_FOUND', `flag "${flagKey}" does not exist in environment "${environment}"`]);
    const code = evaluateCode(flag, user);
    if (trackExposures) expose(flag, user, code);
    const e = describeCode(flag, code);
    const details: EvaluationDetails = { flagKey, value: e.value, variant: e.variant, reason: e.reason, flagVersion: flag.version };
    if (e.errorCode !== undefined) {
      counters.errors++;
      details.errorCode = e.errorCode;
      details.errorMessage = e.errorMessage as string;
    } else if (got.stale) {
      counters.staleServes++;
      details.reason = 'STALE';
    }
    return [details, isIncluded(flag, code)];
  };

  /**
   * The evaluation code of a clean answer — a fresh entry, no error — or -1. This is the
   * allocation-free hot path of getVariant and isEnabled; anything else goes through
   * {@link slow}, which builds details. Neither lets an exception escape.
   */
  const quick = (got: Entry | Failure | undefined, user: FlagUser): number => {
    if (got === undefined || Array.isArray(got) || got.flag === undefined || got.stale) return -1;
    try {
      const code = evaluateCode(got.flag, user);
      if (isErrorCode(code)) return -1;
      if (trackExposures) expose(got.flag, user, code);
      return code;
    } catch {
      return -1;
    }
  };
  const slow = (flagKey: unknown, user: FlagUser, got: Entry | Failure | undefined): Answer => {
    if (!validKey(flagKey) || got === undefined) return badKey(flagKey);
    try {
      return detail(flagKey, got, user);
    } catch (error) {
      // Only a hostile context (a throwing getter, say) gets here.
      return fail(flagKey, ['GENERAL', messageOf(error)]);
    }
  };
  const lookupSync = (flagKey: unknown) => (validKey(flagKey) ? (fresh(flagKey) ?? resolveSync(flagKey)) : undefined);
  const lookup = async (flagKey: unknown) => {
    if (!validKey(flagKey)) return undefined;
    // A change was announced: answer from the reload it started (the cached definition stays
    // for sync evaluations, and as the fallback if the reload fails).
    const changing = changes.settled(flagKey);
    if (changing !== undefined) await changing;
    return fresh(flagKey) ?? (await resolve(flagKey));
  };

  const variant = (flagKey: unknown, user: FlagUser, got: Entry | Failure | undefined, fallback: string | undefined) => {
    const code = quick(got, user);
    if (code >= 0) return (got as Entry & { flag: CompiledFlag }).flag.variantKeys[variantIndexOf(code)];
    const [d] = slow(flagKey, user, got);
    // Only a string default is returned: anything else (a thenable above all) would be adopted by
    // the async twin's promise and could make it reject.
    return d.reason === 'ERROR' ? (typeof fallback === 'string' ? fallback : d.variant) : d.variant;
  };
  const enabled = (flagKey: unknown, user: FlagUser, got: Entry | Failure | undefined): boolean => {
    const code = quick(got, user);
    if (code >= 0) return isIncluded((got as Entry & { flag: CompiledFlag }).flag, code);
    return slow(flagKey, user, got)[1];
  };
  const value = <T extends JsonValue>(flagKey: unknown, user: FlagUser, got: Entry | Failure | undefined, defaultValue: T): T => {
    const [d] = slow(flagKey, user, got);
    if (d.reason === 'ERROR') return defaultValue;
    if (!sameType(d.value, defaultValue)) {
      counters.errors++;
      log.warn(
        `elite/flags: flag "${d.flagKey}" served ${typeof d.value}, the caller expected ${typeof defaultValue}; returning the default (TYPE_MISMATCH)`,
      );
      return defaultValue;
    }
    return d.value as T;
  };

  const changes = createChangeHandler({ inflight: (key) => inflight.get(key), load, refresh: () => client.refresh() }, MAX_PENDING_RELOADS);
  const unsubscribe = storage.subscribe?.(environment, (key) => {
    if (closed) return;
    // "*": the store may have missed changes (its listener reconnected): reload everything,
    // and deliver the events held back by a failure now.
    if (key === '*') {
      // A microtask later: the listener may be called before `client` below is assigned.
      queueMicrotask(() => {
        changes.refreshAll();
        events.retryNow();
      });
      return;
    }
    // Push invalidation: reload the changed flag now rather than at the end of its TTL. A read
    // under way may predate the change: its result is not cached (generation) and the key is
    // read again. The cached definition keeps serving until then.
    generations.set(key, (generations.get(key) ?? 0) + 1);
    // The store has had this key: from now on its answer alone counts (a deletion included).
    fallback.delete(key);
    changes.changed(key);
  });

  const client: FlagsClient = {
    environment,
    storage,
    isEnabled: async (flagKey, user) => enabled(flagKey, user, await lookup(flagKey)),
    getVariant: async (flagKey, user, defaultVariant) => variant(flagKey, user, await lookup(flagKey), defaultVariant),
    getValue: async (flagKey, user, defaultValue) => value(flagKey, user, await lookup(flagKey), defaultValue),
    evaluate: async (flagKey, user) => slow(flagKey, user, await lookup(flagKey))[0],
    isEnabledSync: (flagKey, user) => enabled(flagKey, user, lookupSync(flagKey)),
    getVariantSync: (flagKey, user, defaultVariant) => variant(flagKey, user, lookupSync(flagKey), defaultVariant),
    getValueSync: (flagKey, user, defaultValue) => value(flagKey, user, lookupSync(flagKey), defaultValue),
    evaluateSync: (flagKey, user) => slow(flagKey, user, lookupSync(flagKey))[0],
    async refresh() {
      if (closed) return { ok: false, error: new EliteError('CLOSED', 'elite/flags: the flags client is closed; create a new one') };
      let definitions: FlagDefinition[];
      try {
        definitions = await withTimeout(Promise.resolve().then(() => storage.listFlags(environment)));
        events.retryNow();
      } catch (cause) {
        const error = isEliteError(cause, 'TIMEOUT') ? cause : storageError('listing flags', cause);
        for (const key of [...cache.keys()]) {
          const entry = cache.get(key) as Entry;
          if (entry.expiresAt <= clock() && entry.flag !== undefined) entry.stale = true;
        }
        report(error);
        return { ok: false, error };
      }
      const seen = new Set<string>();
      for (const definition of definitions) {
        seen.add(definition.key);
        fallback.delete(definition.key);
        try {
          put(definition.key, compile(definition));
        } catch (error) {
          // One bad definition must not hide the others; the last good one (if any) stays.
          report(error);
        }
      }
      // Flags deleted from the store: remember they are gone. A bootstrap flag the store has
      // never had stays (see `fallback`).
      for (const key of [...cache.keys()]) if (!seen.has(key)) put(key, absent(key));
      return { ok: true, flags: seen.size };
    },
    snapshot() {
      const flags: FlagDefinition[] = [];
      for (const key of cache.keys()) {
        const flag = cache.get(key)?.flag;
        if (flag) flags.push(structuredClone(flag.definition));
      }
      return { environment, flags };
    },
    stats: () => ({ ...counters, cacheSize: cache.size, ...events.stats, eventsPending: events.pending, dedupeSize: dedupe.size }),
    track(eventName, user, trackOptions = {}) {
      const input = checkTrackInput(eventName, user, trackOptions);
      if (!Array.isArray(input)) {
        const event: BufferedEvent = { type: 'conversion', environment, userId: input.userId, eventName, occurredAt: clock() };
        if (input.value !== undefined) event.value = input.value;
        if (input.properties !== undefined) event.properties = input.properties;
        if (!events.push(event)) warnOnce('full', 'elite/flags: the event buffer is full (maxBuffer); events are dropped and counted');
        return;
      }
      const problem = input;
      if (strict) throw new EliteError('INVALID_EVENT', `elite/flags: track(): ${problem[1]}`, { field: problem[0] });
      events.drop();
      warnOnce(problem[0], `elite/flags: track(): ${problem[1]}; event dropped (counted in stats().eventsDropped)`);
    },
    async expose(flagKey, user) {
      try {
        const got = await lookup(flagKey);
        if (got === undefined || Array.isArray(got) || got.flag === undefined) return undefined;
        const code = evaluateCode(got.flag, user);
        // Toggles are not experiments: nothing to expose.
        if (got.flag.toggle || !isPlacement(code)) return undefined;
        expose(got.flag, user, code);
        return got.flag.variantKeys[variantIndexOf(code)];
      } catch {
        return undefined;
      }
    },
    flush: () => events.flush(),
    async results(flagKey, resultsOptions = {}) {
      // Statistics load on first use; the Edge build rejects here, before any store call.
      const { computeResults } = await loadStats();
      if (!validKey(flagKey))
        throw new EliteError('FLAG_NOT_FOUND', `elite/flags: results(): the flag key must be a non-empty string, got ${typeof flagKey}`);
      const query: ResultsQuery = { flagKey, environment };
      try {
        const bound = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());
        const { event, since, until } = resultsOptions;
        if (event !== undefined) query.eventName = event;
        if (since !== undefined) query.since = bound(since) as string;
        if (until !== undefined) query.until = bound(until) as string;
      } catch (cause) {
        throw new EliteError(
          'INVALID_OPTIONS',
          `elite/flags: results() options: ${messageOf(cause)}; use { event?, since?, until? } with dates`,
          {
            field: 'options',
            cause,
          },
        );
      }
      await events.flush();
      let definition: FlagDefinition | undefined;
      let aggregates: VariantAggregate[];
      try {
        // A bootstrap flag the store has never had is judged on its bootstrap weights.
        definition = (await storage.getFlag(flagKey, environment)) ?? absent(flagKey)?.definition;
        aggregates = await storage.queryResults(query);
      } catch (cause) {
        throw storageError(`reading results of "${flagKey}"`, cause);
      }
      if (definition?.variants === undefined) {
        throw new EliteError(
          'FLAG_NOT_FOUND',
          `elite/flags: "${flagKey}" is not an experiment in "${environment}" (no such flag, or a toggle without variants)`,
        );
      }
      return computeResults(aggregates, Object.fromEntries(definition.variants.map((v) => [v.key, v.weight])));
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      await Promise.allSettled(inflight.values());
      const dropped = events.stats.eventsDropped;
      const result = await events.close();
      if (!result.ok) {
        log.warn(
          `elite/flags: close(): the store kept failing; ${events.stats.eventsDropped - dropped} buffered events were dropped (counted in stats().eventsDropped)`,
        );
      }
    },
  };
  return client;
}
