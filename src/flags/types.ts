import type { StorageAdapter } from '../adapters/types.js';
import type { FlagDefinition, FlagMetadata, JsonValue } from '../definitions/index.js';
import type { AnalyzeExperimentOptions } from '../experiments/index.js';
import type { Logger } from '../internal/logger.js';

// The stored flag model lives in definitions/ (shared with adapters/); re-exported so imports from here keep working.
export type {
  Condition,
  FlagDefinition,
  FlagLayer,
  FlagMetadata,
  FlagRule,
  JsonValue,
  Prerequisite,
  ScheduledStep,
  StoredFlag,
  Variant,
  VariantWeight,
} from '../definitions/index.js';

/**
 * The evaluation context: a user id, or an object whose `targetingKey` is the id used for
 * bucketing and whose other properties are attributes for targeting.
 */
export type EvaluationContext = {
  /** The user id that bucketing hashes (OpenFeature's name for it). */
  targetingKey?: string;
  [attribute: string]: unknown;
};
/** Who a flag is evaluated for: a user id, or an {@link EvaluationContext}. */
export type FlagUser = string | EvaluationContext;

/**
 * The type of a `getValue` default: any JSON value but an object with a `targetingKey`. Such an
 * object is an evaluation context passed in OpenFeature's order `(flagKey, defaultValue,
 * context)`; ours is `(flagKey, user, defaultValue)`, so that call is a type error instead of a
 * call that compiles and always returns the context as the "default".
 */
export type DefaultValue<T> = T extends Required<Pick<EvaluationContext, 'targetingKey'>> ? never : T;

/** Why a value was served (OpenFeature reasons). */
export type EvaluationReason =
  | 'DISABLED'
  | 'TARGETING_MATCH'
  | 'SPLIT'
  | 'DEFAULT'
  | 'STATIC'
  | 'STALE'
  | 'ERROR'
  // A prerequisite of the flag does not hold for the user: `off` (toggle) or the default variant is served.
  | 'PREREQUISITE_FAILED'
  // A development or QA override chose the variant (`withOverrides`); no exposure is recorded.
  | 'OVERRIDE';

/**
 * Variants forced per request, for development and QA, by flag key: a variant key, or a value
 * one of the flag's variants serves (`true`/`false` for a toggle's `on`/`off`; the Vercel Toolbar
 * sends values). Read them from a request with `@tiqology/elite/flags/overrides`, which checks
 * signatures and refuses to run in production unless told to; pass them to `withOverrides`.
 */
export type FlagOverrides = Readonly<Record<string, JsonValue>>;

/** Why evaluation failed (OpenFeature error codes). */
export type EvaluationErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'PROVIDER_NOT_READY'
  // The client cannot serve flags at all: the ready-made `flags` with invalid ELITE_FLAGS_* variables.
  | 'PROVIDER_FATAL'
  | 'GENERAL';

/** What `evaluate` returns. Never thrown: errors come back as `reason: 'ERROR'` with an `errorCode`. */
export interface EvaluationDetails<T = JsonValue> {
  /** The flag evaluated. */
  flagKey: string;
  /** The value served: the variant's value, or the caller's default when nothing could be served. */
  value: T;
  /** The variant served (`on`/`off` for toggles); undefined when nothing was served. */
  variant: string | undefined;
  /** Why this value was served (OpenFeature reasons). */
  reason: EvaluationReason;
  /** Set when `reason` is `ERROR`: what went wrong, as an OpenFeature error code. */
  errorCode?: EvaluationErrorCode;
  /** Set when `reason` is `ERROR`: the same in words, for logs. */
  errorMessage?: string;
  /** Version of the definition used; undefined when no definition was found. */
  flagVersion: number | undefined;
  /** The definition's `metadata`, when it has any. */
  flagMetadata?: FlagMetadata;
}

/** Cache and evaluation counters, read with `stats()`. */
export interface FlagStats {
  /** Evaluations answered from a fresh cache entry. */
  cacheHits: number;
  /** Evaluations that had to read the store. */
  cacheMisses: number;
  /** Evaluations served from an expired entry because the store failed or timed out. */
  staleServes: number;
  /** Evaluations that returned `reason: 'ERROR'`. */
  errors: number;
  /** Store reads that failed. */
  storageErrors: number;
  /** Entries in the cache now. */
  cacheSize: number;
  /** Exposures recorded (after deduplication). */
  exposures: number;
  /** Events accepted into the buffer. */
  eventsAccepted: number;
  /** Events the store confirmed. */
  eventsStored: number;
  /**
   * Events dropped before reaching the store: buffer full, client closed, invalid `track()`
   * input when not strict, or an exposure of a user whose id cannot be stored (too long, NUL).
   */
  eventsDropped: number;
  /**
   * Events the store refused for their content (`INVALID_EVENT`): isolated from their batch,
   * dropped and logged, while the rest of the batch is delivered.
   */
  eventsRejected: number;
  /** Event batches the store failed to write (unavailable, timeout); each is retried. */
  eventWriteErrors: number;
  /** Calls of `onExposure` that threw or rejected (logged once; evaluation is not affected). */
  onExposureErrors: number;
  /** Users remembered, across all flags, to deduplicate exposures (at most `dedupeMax`). */
  dedupeSize: number;
  /** Events waiting in the buffer now. */
  eventsPending: number;
}

/** A snapshot a client can start from synchronously (SSR bootstrap). */
export interface FlagSnapshot {
  /** The environment the definitions belong to; when set, it must be the client's. */
  environment?: string;
  /** The flag definitions, as `validateFlag` accepts them. */
  flags: FlagDefinition[];
}

/** Options of {@link createFlags}. */
export interface FlagsOptions {
  /** Where flags are read. Default: a new in-memory store. */
  storage?: StorageAdapter;
  /** Environment this client is bound to. Default `production`. */
  environment?: string;
  /**
   * How long a flag read from the store is served before the store is asked again, in ms.
   * Default 60 000: a change reaches every client within a minute. Lower it for faster
   * propagation at the cost of more store reads; 0 is rejected (use `refresh()` instead).
   */
  cacheTtlMs?: number;
  /** Most flags kept in the cache. Default 1 000. */
  cacheMax?: number;
  /**
   * Longest an async evaluation waits for the store, in ms. Default 1 000. Past it the
   * answer comes from the last known flag (`STALE`) or is the default with `ERROR`.
   */
  timeoutMs?: number;
  /**
   * Flags to start from synchronously, e.g. serialized by the server for SSR. Each one is also
   * the fallback for its key while the store has never shown this client a record of it, so it
   * outlives the cache TTL over a store without it (the default empty memory store). Once the
   * store has the key, the store alone decides: a flag deleted there is not brought back.
   * Default: none.
   */
  bootstrap?: FlagSnapshot | FlagDefinition[];
  /** Where warnings go; wrapped so a broken logger cannot break evaluation. Default `console`. */
  logger?: Logger;
  /** Called with background failures (store reads, refreshes). Never awaited; may not throw. */
  onError?: (error: Error) => void;
  /**
   * Called with each exposure the client records, to forward it to your own analytics
   * (Segment, PostHog, a data warehouse): once per (user, flag, variant), with the same
   * deduplication as the stored exposures, so not on every evaluation. With `trackExposures:
   * false` it fires only for explicit `expose()` calls. Called after the evaluation returns
   * (in a microtask), never awaited; a throw or a rejected promise is caught, counted in
   * `stats().onExposureErrors` and logged once, and never reaches the evaluation. Default: none.
   */
  onExposure?: (exposure: Exposure) => unknown;
  /** Clock in ms since the epoch, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Record an exposure when an evaluation places a user in a variant of a flag with variants
   * (reasons `SPLIT`, `TARGETING_MATCH`), once per (user, flag, variant). Default true. Turn it
   * off to expose explicitly with `expose()` (e.g. when a variant renders lazily).
   */
  trackExposures?: boolean;
  /**
   * Most (user, flag) pairs remembered to deduplicate exposures, in total across all flags.
   * Default 100 000 (about 15 MB). Past it the least recently exposed user of the flag holding
   * the most entries is forgotten (a later evaluation may record that exposure again). A flag's entries are freed when the flag is deleted.
   */
  dedupeMax?: number;
  /** How often buffered events are written, in ms. Default 1 000. */
  flushIntervalMs?: number;
  /** Most events written in one store call. Default 500; a full batch is written at once. */
  maxBatch?: number;
  /**
   * Most events held while the store is slow or down. Default 10 000. Past it new events are
   * dropped and counted (`stats().eventsDropped`), so memory stays bounded.
   */
  maxBuffer?: number;
  /**
   * Invalid `track()` input throws `EliteError` `INVALID_EVENT` when true; when false it is
   * dropped, counted and warned about once per kind of problem. Default: true except in the
   * `production` environment.
   */
  strict?: boolean;
}

/** What `onExposure` receives: one recorded exposure of a user to a variant of an experiment. */
export interface Exposure {
  /** Always `'exposure'`, as in the stored {@link FlagEvent}. */
  type: 'exposure';
  /**
   * The stored event's id (its idempotency key), to deduplicate on your side; absent when the
   * event buffer was full or closed and the event was dropped (`stats().eventsDropped`).
   */
  id?: string;
  /** The flag evaluated. */
  flagKey: string;
  /** The variant the user was placed in. */
  variant: string;
  /** The user's id (the `targetingKey`). */
  userId: string;
  /** Why: `SPLIT` (the weighted split) or `TARGETING_MATCH` (a rule placed the user). */
  reason: EvaluationReason;
  /** The environment of the client. */
  environment: string;
  /** When the exposure was recorded, in ms since the epoch (the client's clock). */
  occurredAt: number;
}

/** Options of `evaluate` and `evaluateSync`. */
export interface EvaluateOptions {
  /**
   * The type of value the caller can use (`'object'` takes arrays too). When the served value has
   * another type, the caller serves its own default, so no exposure is recorded for the user; the
   * details are returned as they are. The OpenFeature provider passes the type it resolves.
   */
  valueType?: 'boolean' | 'string' | 'number' | 'object';
}

/** Options of `track`. */
export interface TrackOptions {
  /** A finite amount, e.g. revenue in USD. */
  value?: number;
  /** Plain JSON, at most 8 kB serialized. */
  properties?: { [key: string]: JsonValue };
}

/** Options of `results()`. */
export interface ResultsOptions {
  /** Only this conversion event; all conversions when unset. */
  event?: string;
  /** Inclusive lower bound (Date or ISO 8601). */
  since?: Date | string;
  /** Exclusive upper bound (Date or ISO 8601). */
  until?: Date | string;
  /**
   * Metric analysis: with `metrics` and `goal`, `results()` also asks the store for the metrics'
   * sufficient statistics (`queryMetricStats`) and returns `analyzeExperiment`'s answer in
   * `analysis` (engine, sequential testing, corrections, CUPED as its options say). The store must
   * implement `queryMetricStats`, else `results()` rejects with `INVALID_OPTIONS`.
   */
  analysis?: Omit<AnalyzeExperimentOptions, 'weights' | 'control'>;
}
