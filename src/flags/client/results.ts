import type { ResultsQuery, StorageAdapter, VariantAggregate } from '../../adapters/types.js';
import type { ExperimentResults } from '../../experiments/index.js';
import { EliteError, messageOf } from '../../internal/errors.js';
import type { EventBuffer } from '../events.js';
import { loadExperiments } from '../experiments-loader.js';
import type { FlagDefinition, ResultsOptions } from '../types.js';
import { type FlagCache, isValidKey } from './cache.js';
import type { ClientSettings } from './options.js';
import type { Reporter } from './report.js';

/**
 * Creates the `results()` of a client: flushes the buffered events, reads the experiment's
 * definition and per-variant aggregates from the store, and computes the statistics (loaded on
 * first use; the Edge build rejects with `UNSUPPORTED_RUNTIME` before any store call). A
 * reporting call, not a hot path: it rejects with `EliteError` (`FLAG_NOT_FOUND`,
 * `INVALID_OPTIONS`, `STORAGE_ERROR`). `cache` holds the bootstrap definition of a flag the
 * store has never had.
 */
export function createResults(
  settings: ClientSettings,
  storage: StorageAdapter,
  events: EventBuffer,
  cache: FlagCache,
  reporter: Reporter,
) {
  const { environment } = settings;
  return async (flagKey: string, resultsOptions: ResultsOptions = {}): Promise<ExperimentResults> => {
    const { computeResults, analyzeExperiment } = await loadExperiments();
    if (!isValidKey(flagKey))
      throw new EliteError('FLAG_NOT_FOUND', `elite/flags: results(): the flag key must be a non-empty string, got ${typeof flagKey}`);
    const query: ResultsQuery = { flagKey, environment };
    try {
      const bound = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());
      const { event, since, until, analysis } = resultsOptions;
      if (analysis !== undefined && typeof storage.queryMetricStats !== 'function')
        throw new Error(`the store (${storage.metadata?.name ?? 'custom'}) has no queryMetricStats, which metric analysis needs`);
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
      definition = (await storage.getFlag(flagKey, environment)) ?? cache.absent(flagKey)?.definition;
      aggregates = await storage.queryResults(query);
    } catch (cause) {
      throw reporter.storageError(`reading results of "${flagKey}"`, cause);
    }
    if (definition?.variants === undefined) {
      throw new EliteError(
        'FLAG_NOT_FOUND',
        `elite/flags: "${flagKey}" is not an experiment in "${environment}" (no such flag, or a toggle without variants)`,
      );
    }
    const weights = Object.fromEntries(definition.variants.map((v) => [v.key, v.weight]));
    const results = computeResults(aggregates, weights);
    const analysis = resultsOptions.analysis;
    if (analysis === undefined || storage.queryMetricStats === undefined) return results;
    let stats: Awaited<ReturnType<NonNullable<StorageAdapter['queryMetricStats']>>>;
    try {
      stats = await storage.queryMetricStats({ ...query, metrics: analysis.metrics });
    } catch (cause) {
      throw reporter.storageError(`reading metric statistics of "${flagKey}"`, cause);
    }
    return { ...results, analysis: analyzeExperiment(stats, { ...analysis, weights, control: results.control }) };
  };
}
