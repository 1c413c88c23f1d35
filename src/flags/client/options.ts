import type { StorageAdapter } from '../../adapters/types.js';
import { KEY_PATTERN } from '../../definitions/index.js';
import { coarseNow } from '../../internal/clock.js';
import { EliteError, messageOf } from '../../internal/errors.js';
import { type SafeLogger, toSafeLogger } from '../../internal/logger.js';
import type { FlagDefinition, FlagSnapshot, FlagsOptions } from '../types.js';

/**
 * {@link FlagsOptions} checked and completed with their defaults: what the parts of a client
 * read. `storage` stays undefined when none was given; `createFlags` supplies its default.
 */
export interface ClientSettings {
  readonly environment: string;
  readonly storage: StorageAdapter | undefined;
  /** Time a flag read from the store is fresh, in ms. */
  readonly ttlMs: number;
  readonly cacheMax: number;
  /** Longest wait for one store read, in ms. */
  readonly timeoutMs: number;
  readonly log: SafeLogger;
  readonly onError: ((error: Error) => void) | undefined;
  readonly onExposure: FlagsOptions['onExposure'];
  readonly trackExposures: boolean;
  readonly dedupeMax: number;
  /** Invalid `track()` input throws rather than being dropped. */
  readonly strict: boolean;
  /** The clock TTLs and events read: the injected `now`, else a clock coarse to 1 ms. */
  readonly clock: () => number;
  readonly flushIntervalMs: number;
  readonly maxBatch: number;
  readonly maxBuffer: number;
  /** The bootstrap definitions, their container checked (each is validated when compiled). */
  readonly bootstrap: readonly FlagDefinition[] | undefined;
}

/** The methods a store must have to be used: the required part of {@link StorageAdapter}. */
const CONTRACT = ['getFlag', 'listFlags', 'writeFlag', 'deleteFlag', 'appendEvents', 'queryResults'] as const;

/** True for a non-null object (an array included). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Throws the `INVALID_OPTIONS` error of one option. */
const invalid = (field: string, message: string): never => {
  throw new EliteError('INVALID_OPTIONS', `elite/flags: ${field} ${message}`, { field });
};

/** A whole number > 0, or `fallback` when unset. */
const count = (field: string, value: unknown, fallback: number): number =>
  value === undefined
    ? fallback
    : Number.isSafeInteger(value) && (value as number) > 0
      ? (value as number)
      : invalid(field, `must be a whole number > 0, got ${typeof value === 'number' ? value : typeof value}`);

/**
 * Checks the options of `createFlags` and fills in the defaults. Throws `EliteError`
 * (`INVALID_OPTIONS`, with the option's name as `field`) at the first invalid option, in the
 * order they are documented; bootstrap definitions are validated later, when compiled.
 */
export function readOptions(options: FlagsOptions): ClientSettings {
  if (!isObject(options)) invalid('options', 'must be an object, e.g. createFlags({ environment: "production" })');
  const environment = options.environment ?? 'production';
  if (typeof environment !== 'string' || !KEY_PATTERN.test(environment)) {
    invalid('environment', `must match ${KEY_PATTERN.source}, e.g. "production", got ${JSON.stringify(environment)}`);
  }
  const ttlMs = count('cacheTtlMs', options.cacheTtlMs, 60_000);
  const cacheMax = count('cacheMax', options.cacheMax, 1_000);
  const timeoutMs = count('timeoutMs', options.timeoutMs, 1_000);
  for (const field of ['onError', 'now', 'onExposure'] as const) {
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
  const log = toSafeLogger(options.logger);
  const { onError, onExposure, trackExposures = true } = options;
  return {
    environment,
    storage: given as StorageAdapter | undefined,
    ttlMs,
    cacheMax,
    timeoutMs,
    log,
    onError,
    onExposure,
    trackExposures,
    dedupeMax: count('dedupeMax', options.dedupeMax, 100_000),
    strict: options.strict ?? environment !== 'production',
    // An injected clock (tests) is read on every check, so it can jump at will.
    clock: options.now ?? coarseNow,
    flushIntervalMs: count('flushIntervalMs', options.flushIntervalMs, 1_000),
    maxBatch: count('maxBatch', options.maxBatch, 500),
    maxBuffer: count('maxBuffer', options.maxBuffer, 10_000),
    bootstrap: bootstrapOf(options.bootstrap, environment),
  };
}

/** The definitions of a `bootstrap` option: an array of flags or a `snapshot()` of this environment. */
function bootstrapOf(bootstrap: FlagsOptions['bootstrap'], environment: string): readonly FlagDefinition[] | undefined {
  if (bootstrap === undefined) return undefined;
  const snapshot: Partial<FlagSnapshot> = Array.isArray(bootstrap) ? { flags: bootstrap } : bootstrap;
  if (!isObject(snapshot) || !Array.isArray(snapshot.flags)) invalid('bootstrap', 'must be an array of flags or client.snapshot()');
  if (snapshot.environment !== undefined && snapshot.environment !== environment) {
    invalid('bootstrap', `is for environment "${snapshot.environment}", this client reads "${environment}"`);
  }
  return snapshot.flags as FlagDefinition[];
}

/** The variables {@link optionsFromEnv} reads, with the option each sets. */
const ENV_OPTIONS = [
  ['ELITE_FLAGS_ENVIRONMENT', 'environment'],
  ['ELITE_FLAGS_CACHE_TTL_MS', 'cacheTtlMs'],
  ['ELITE_FLAGS_TIMEOUT_MS', 'timeoutMs'],
] as const;

/**
 * Options from the environment: `ELITE_FLAGS_ENVIRONMENT` (else `production`),
 * `ELITE_FLAGS_CACHE_TTL_MS`, `ELITE_FLAGS_TIMEOUT_MS`; an empty variable counts as unset.
 * Storage cannot come from the environment here (this entry stays Edge-safe): call
 * `flags.configure({ storage })`. Throws `EliteError` (`INVALID_OPTIONS`, `field`: the first
 * bad variable) naming every invalid variable and what a valid value looks like: falling back
 * to the defaults would serve another environment's flags.
 */
export function optionsFromEnv(): FlagsOptions {
  // `process` may be absent (Edge, browsers); bundlers may inline process.env.X.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const options: Record<string, unknown> = {};
  for (const [name, option] of ENV_OPTIONS) {
    const text = env[name];
    if (!text) continue;
    options[option] = option === 'environment' ? text : Number(text);
    try {
      // The checks and messages of createFlags, for this one option.
      readOptions({ [option]: options[option] });
    } catch (error) {
      throw new EliteError('INVALID_OPTIONS', `elite/flags: ${name}="${text}": ${messageOf(error).slice(13)}`, { field: name });
    }
  }
  return options;
}
