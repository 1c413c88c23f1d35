import { LRUCache } from 'lru-cache';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import { EliteError, isEliteError } from '../internal/errors.js';
import { type SafeLogger, toSafeLogger } from '../internal/logger.js';
import { type CompiledFlag, compileFlag, type Evaluation, evaluateFlag } from './evaluate.js';
import { KEY_PATTERN } from './model.js';
import type {
  EvaluationDetails,
  EvaluationErrorCode,
  FlagDefinition,
  FlagSnapshot,
  FlagStats,
  FlagsOptions,
  FlagUser,
  JsonValue,
} from './types.js';

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
  /** Cache and error counters. */
  stats(): FlagStats;
  /** Stops listening for changes; later evaluations answer from the cache only. */
  close(): Promise<void>;
}

interface Entry {
  /** Undefined when the store has no such flag (cached too, so misses do not hammer it). */
  readonly flag: CompiledFlag | undefined;
  /** Set when the store failed after this entry expired: answers say `STALE`. */
  stale: boolean;
}

/** Why the client could not produce an entry. */
type Failure = [errorCode: EvaluationErrorCode, errorMessage: string];

/** Details, and whether the user gets the flag (for `isEnabled`). */
type Answer = [details: EvaluationDetails, included: boolean];

const STALE_OK = { allowStale: true } as const;
const CONTRACT = ['getFlag', 'listFlags', 'writeFlag', 'deleteFlag', 'appendEvents', 'queryResults'] as const;
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
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
  const { onError, now = Date.now } = options;

  const cache = new LRUCache<string, Entry>({
    max: cacheMax,
    ttl: ttlMs,
    // Expired entries stay until replaced: they are the last known good flags we serve as
    // STALE while the store is down.
    noDeleteOnStaleGet: true,
    perf: { now },
    // Read the clock on every check: lru-cache's default caches it for 1 ms with a timer.
    ttlResolution: 0,
  });
  const inflight = new Map<string, Promise<Entry>>();
  const counters = { cacheHits: 0, cacheMisses: 0, staleServes: 0, errors: 0, storageErrors: 0 };
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
  if (options.bootstrap !== undefined) {
    const snapshot: Partial<FlagSnapshot> = Array.isArray(options.bootstrap) ? { flags: options.bootstrap } : options.bootstrap;
    if (!isObject(snapshot) || !Array.isArray(snapshot.flags)) invalid('bootstrap', 'must be an array of flags or client.snapshot()');
    if (snapshot.environment !== undefined && snapshot.environment !== environment) {
      invalid('bootstrap', `is for environment "${snapshot.environment}", this client reads "${environment}"`);
    }
    for (const definition of snapshot.flags as FlagDefinition[]) cache.set(definition.key, { flag: compile(definition), stale: false });
  }

  // One store read per flag at a time; the cache is filled on success.
  const load = (key: string): Promise<Entry> => {
    let promise = inflight.get(key);
    if (promise) return promise;
    promise = storage.getFlag(key, environment).then(
      (definition) => {
        const entry: Entry = { flag: definition && compile(definition), stale: false };
        if (!closed) cache.set(key, entry);
        return entry;
      },
      (cause: unknown) => {
        throw storageError(`reading flag "${key}"`, cause);
      },
    );
    inflight.set(key, promise);
    const done = () => inflight.delete(key);
    promise.then(done, done);
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
    // peek: no recency update, so this is safe while iterating the cache.
    const stale = cache.peek(key, STALE_OK);
    if (stale === undefined) return failure;
    stale.stale = true;
    return stale;
  };

  const fresh = (key: string): Entry | undefined => {
    const hit = cache.get(key);
    if (hit === undefined) counters.cacheMisses++;
    else counters.cacheHits++;
    return hit;
  };

  /** The entry for a flag, reading the store on a miss; never rejects. */
  const resolve = async (key: string): Promise<Entry | Failure> => {
    const hit = fresh(key);
    if (hit !== undefined) return hit;
    if (closed) return staleOr(key, ['GENERAL', 'the flags client is closed']);
    try {
      return await withTimeout(load(key));
    } catch (error) {
      report(error);
      return staleOr(key, [isEliteError(error, 'INVALID_FLAG') ? 'PARSE_ERROR' : 'GENERAL', messageOf(error)]);
    }
  };

  /** The entry for a flag from the cache alone; a miss starts a background load. */
  const resolveSync = (key: string): Entry | Failure => {
    const hit = fresh(key);
    if (hit !== undefined) return hit;
    if (!closed && !inflight.has(key)) {
      load(key).catch((error: unknown) => {
        staleOr(key, ['GENERAL', '']);
        report(error);
      });
    }
    return (
      cache.peek(key, STALE_OK) ?? [
        'PROVIDER_NOT_READY',
        `flag "${key}" is not in the local snapshot yet (loading now); await refresh() at startup or pass bootstrap`,
      ]
    );
  };

  const fail = (flagKey: string, [errorCode, errorMessage]: Failure): Answer => {
    counters.errors++;
    return [{ flagKey, value: null, variant: undefined, reason: 'ERROR', errorCode, errorMessage, flagVersion: undefined }, false];
  };

  const answer = (flagKey: unknown, user: FlagUser, sync: boolean): Answer | Promise<Answer> => {
    // No String(flagKey): a null-prototype object or a symbol would throw converting.
    if (typeof flagKey !== 'string' || flagKey === '') {
      return fail(typeof flagKey === 'string' ? flagKey : `<${typeof flagKey}>`, [
        'GENERAL',
        `flag key must be a non-empty string, got ${typeof flagKey}`,
      ]);
    }
    const finish = (got: Entry | Failure): Answer => {
      try {
        if (Array.isArray(got)) return fail(flagKey, got);
        const flag = got.flag;
        if (flag === undefined)
          return fail(flagKey, ['FLAG_NOT_FOUND', `flag "${flagKey}" does not exist in environment "${environment}"`]);
        const e = evaluateFlag(flag, user);
        const details: EvaluationDetails = { flagKey, value: e.value, variant: e.variant, reason: e.reason, flagVersion: flag.version };
        if (e.errorCode !== undefined) {
          counters.errors++;
          details.errorCode = e.errorCode;
          details.errorMessage = e.errorMessage as string;
        } else if (got.stale) {
          counters.staleServes++;
          details.reason = 'STALE';
        }
        const included = e.reason !== 'ERROR' && e.reason !== 'DISABLED' && e.reason !== 'DEFAULT' && (!flag.toggle || e.value === true);
        return [details, included];
      } catch (error) {
        return fail(flagKey, ['GENERAL', messageOf(error)]);
      }
    };
    if (sync) return finish(resolveSync(flagKey));
    return resolve(flagKey).then(finish);
  };

  const variantFrom = ([d]: Answer, fallback: string | undefined) => (d.reason === 'ERROR' ? (fallback ?? d.variant) : d.variant);
  const valueFrom = <T extends JsonValue>([d]: Answer, defaultValue: T): T => {
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
  const run = (flagKey: string, user: FlagUser) => answer(flagKey, user, false) as Promise<Answer>;
  const runSync = (flagKey: string, user: FlagUser) => answer(flagKey, user, true) as Answer;

  const unsubscribe = storage.subscribe?.(environment, (key) => {
    // Push invalidation: reload the changed flag now rather than at the end of its TTL.
    cache.delete(key);
    resolveSync(key);
  });

  return {
    environment,
    storage,
    isEnabled: async (flagKey, user) => (await run(flagKey, user))[1],
    getVariant: async (flagKey, user, defaultVariant) => variantFrom(await run(flagKey, user), defaultVariant),
    getValue: async (flagKey, user, defaultValue) => valueFrom(await run(flagKey, user), defaultValue),
    evaluate: async (flagKey, user) => (await run(flagKey, user))[0],
    isEnabledSync: (flagKey, user) => runSync(flagKey, user)[1],
    getVariantSync: (flagKey, user, defaultVariant) => variantFrom(runSync(flagKey, user), defaultVariant),
    getValueSync: (flagKey, user, defaultValue) => valueFrom(runSync(flagKey, user), defaultValue),
    evaluateSync: (flagKey, user) => runSync(flagKey, user)[0],
    async refresh() {
      if (closed) return { ok: false, error: new EliteError('CLOSED', 'elite/flags: the flags client is closed; create a new one') };
      let definitions: FlagDefinition[];
      try {
        definitions = await withTimeout(storage.listFlags(environment));
      } catch (cause) {
        const error = isEliteError(cause, 'TIMEOUT') ? cause : storageError('listing flags', cause);
        for (const key of [...cache.keys()]) if (cache.getRemainingTTL(key) <= 0) staleOr(key, ['GENERAL', '']);
        report(error);
        return { ok: false, error };
      }
      const seen = new Set<string>();
      for (const definition of definitions) {
        seen.add(definition.key);
        try {
          cache.set(definition.key, { flag: compile(definition), stale: false });
        } catch (error) {
          // One bad definition must not hide the others; the last good one (if any) stays.
          report(error);
        }
      }
      // Flags deleted from the store: remember they are gone.
      for (const key of [...cache.keys()]) if (!seen.has(key)) cache.set(key, { flag: undefined, stale: false });
      return { ok: true, flags: seen.size };
    },
    snapshot() {
      const flags: FlagDefinition[] = [];
      for (const entry of cache.values()) if (entry.flag) flags.push(structuredClone(entry.flag.definition));
      return { environment, flags };
    },
    stats: () => ({ ...counters, cacheSize: cache.size }),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      await Promise.allSettled(inflight.values());
    },
  };
}
