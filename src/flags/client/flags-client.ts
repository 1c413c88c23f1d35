import type { StorageAdapter } from '../../adapters/types.js';
import type { ExperimentResults } from '../../experiments/index.js';
import type { EliteError } from '../../internal/errors.js';
import type { GuardOptions, GuardPlan, RolloutGuard } from '../../rollouts/guard.js';
import { EventBuffer, type FlushResult } from '../events.js';
import { loadGuard } from '../rollouts-loader.js';
import type { FlagOverrides, FlagSnapshot, FlagStats, FlagUser, ResultsOptions, TrackOptions } from '../types.js';
import { type Answers, createAnswers } from './answers.js';
import { type Failure, FlagCache, type RefreshResult } from './cache.js';
import { Exposures } from './exposures.js';
import type { ClientSettings } from './options.js';
import { createReporter, newCounters } from './report.js';
import { createTrack } from './track.js';

/**
 * A flags client bound to one environment. Every evaluation method answers, never throws
 * and never hangs: failures come back as the default value with `reason: 'ERROR'`.
 * The `…Sync` twins answer from the cached snapshot without waiting for the store, for hot
 * paths and Edge middleware; they start a background load when a flag is missing or expired.
 */
export interface FlagsClient extends Answers {
  /** The environment this client reads. */
  readonly environment: string;
  /** The store this client reads (and that flag admin code writes). */
  readonly storage: StorageAdapter;
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
  /**
   * Guards a rollout of `flagKey` from this process (docs/rollouts.md): checks the plan's
   * guardrails now and every `intervalMs`, advancing, holding or rolling back on this client's
   * store; a dry run unless `enabled: true`. Loads the rollout controller on first call. Rejects
   * with `INVALID_PLAN` or `INVALID_OPTIONS` before any check; `UNSUPPORTED_RUNTIME` in the Edge build.
   */
  guard(flagKey: string, plan: GuardPlan, options?: GuardOptions): Promise<RolloutGuard>;
  /**
   * This client with `overrides` applied to its evaluation methods (`getVariant`, `isEnabled`,
   * `evaluate`… and `expose`): an overridden flag serves the forced variant with reason
   * `OVERRIDE` and records no exposure, so `results()` counts only users the experiment placed.
   * An override naming no variant of the flag is ignored. Everything else is this client's
   * (cache, events, `stats()`). For development and QA: read the overrides of a request with
   * `@tiqology/elite/flags/overrides`, which refuses to run in production unless told to.
   */
  withOverrides(overrides: FlagOverrides): FlagsClient;
}

/**
 * Assembles a client from checked settings and a store: the event buffer, the exposures, the
 * flag cache (which compiles the bootstrap, so it throws `INVALID_FLAG` for a bad one), the
 * answers, and the methods that wire them. See ./index.ts for why the parts are classes and
 * the client a plain object.
 *
 * With a `fault` (the configuration error of the ready-made `flags`), the client serves nothing:
 * every evaluation answers the caller's default with `reason: 'ERROR'` and `errorCode:
 * 'PROVIDER_FATAL'` (counted in `stats().errors`, no exposure), `refresh()` resolves
 * `{ ok: false, error: fault }`, and `track()` throws and `results()` rejects with `fault`.
 */
export function createFlagsClient(settings: ClientSettings, storage: StorageAdapter, fault?: EliteError): FlagsClient {
  const { environment } = settings;
  const counters = newCounters();
  const reporter = createReporter(settings, storage, counters);
  const events = new EventBuffer({
    storage,
    flushIntervalMs: settings.flushIntervalMs,
    maxBatch: settings.maxBatch,
    maxBuffer: settings.maxBuffer,
    onWriteError: (cause) => reporter.report(reporter.storageError('writing events', cause)),
    onError: settings.onError,
    warnOnce: reporter.warnOnce,
  });
  const exposures = new Exposures(settings, events, counters, reporter.warnOnce);
  const cache = new FlagCache(settings, storage, counters, reporter, {
    storeAnswered: () => events.retryNow(),
    flagGone: (key) => exposures.forget(key),
  });
  const failure: Failure | undefined = fault && ['PROVIDER_FATAL', fault.message];
  // A faulty client looks nothing up: every lookup is the failure (the cache stays empty).
  let results: Promise<FlagsClient['results']> | undefined;
  const lookups = failure ? { lookup: async () => failure, lookupSync: () => failure, prerequisite: () => failure } : cache;
  const answers = createAnswers(settings, lookups, exposures, counters);
  const client: FlagsClient = {
    environment,
    storage,
    // The evaluation methods (and `expose`) themselves, not wrappers: no extra call on the hot path.
    ...answers,
    refresh: fault ? async () => ({ ok: false, error: fault }) : () => cache.refresh(),
    snapshot: () => cache.snapshot(),
    stats: () => ({ ...counters, cacheSize: cache.size, ...events.stats, eventsPending: events.pending, dedupeSize: exposures.size }),
    track: fault
      ? () => {
          throw fault;
        }
      : createTrack(settings, events, reporter),
    flush: () => events.flush(),
    // Loaded on first call: a reporting path, kept out of what evaluation loads.
    async results(flagKey, options) {
      if (fault) throw fault;
      results ??= import('./results.js').then((m) => m.createResults(settings, storage, events, cache, reporter));
      return (await results)(flagKey, options);
    },
    guard(flagKey, plan, options) {
      // The client itself, not `this`: a destructured `guard` works like the other methods.
      return loadGuard().then((m) => m.startGuard(client, flagKey, plan, options));
    },
    async close() {
      if (cache.closed) return;
      await cache.close();
      await events.close();
    },
    withOverrides: (overrides) =>
      Object.keys(overrides).length === 0 ? client : { ...client, ...createAnswers(settings, lookups, exposures, counters, overrides) },
  };
  return client;
}
