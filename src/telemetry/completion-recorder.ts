/**
 * `recordCompletion` of a telemetry instance: one LLM completion into the LLM and GenAI metric
 * families, its cost from the price table, and the alert window.
 *
 * The hot path: a completion's series are looked up once per (provider, model, status, operation,
 * error type) and
 * kept in a bundle, so a record costs a map lookup and a few additions. A bundle is looked up
 * again when a family evicted a series since (the shared `epoch` moved).
 */

import { currentAttribution } from './attribution.js';
import type { AttributionMetrics } from './attribution-metrics.js';
import { type CounterSeries, type HistogramSeries, observe } from './capped-family.js';
import type { ExperimentEventRecorder } from './experiment-events.js';
import { TTFT_BUCKETS } from './families.js';
import {
  computeCostUsd,
  findPrice,
  GEN_AI_OPERATION_CHAT,
  type ModelPrice,
  OPERATION_DURATION_BUCKETS,
  TOKEN_USAGE_BUCKETS,
} from './llm.js';
import { isValidCompletion } from './record-checks.js';
import { MAX_CACHED_KEYS, type RecorderContext, setBounded } from './recorder-context.js';
import type { CompletionRecord } from './types.js';

/** The series one (provider, model, status, operation, error type) writes, with its price. */
interface CompletionSeries {
  provider: string;
  status: string;
  operation: string;
  errorType: string;
  completions: CounterSeries;
  input: CounterSeries;
  output: CounterSeries;
  cached: CounterSeries;
  reasoning: CounterSeries;
  cacheCreation: CounterSeries;
  cost: CounterSeries;
  tokenIn: HistogramSeries;
  tokenOut: HistogramSeries;
  duration: HistogramSeries;
  ttft: HistogramSeries;
  price: ModelPrice | undefined;
  unpriced: CounterSeries | undefined;
  /** Every series above, to mark them used. */
  all: (CounterSeries | HistogramSeries)[];
  /** The families' eviction count when the series were looked up; a newer one means look them up again. */
  epoch: number;
}

/** A model's price: an exact key of the table directly, else {@link findPrice}'s answer, remembered per model (bounded). */
function createPriceLookup(prices: Record<string, ModelPrice>): (model: string) => ModelPrice | undefined {
  // Prefix matching scans the table: remember each model's answer.
  const priceLookups = new Map<string, ModelPrice | undefined>();
  return (model) => {
    if (Object.hasOwn(prices, model)) return prices[model];
    if (priceLookups.has(model)) return priceLookups.get(model);
    const price = findPrice(model, prices);
    setBounded(priceLookups, model, price);
    return price;
  };
}

/** Most bundles remembered per model (statuses × operations × error types), so a lookup scans a short list. */
const MAX_BUNDLES_PER_MODEL = 16;

/** Builds the instance's `recordCompletion`; it never throws (an invalid record is dropped, counted, warned about once). */
export function createCompletionRecorder(
  { families, epoch, now, window, counts, warnOnce }: RecorderContext,
  prices: Record<string, ModelPrice>,
  attribution?: AttributionMetrics,
  experimentEvents?: ExperimentEventRecorder,
): (completion: CompletionRecord) => void {
  const priceOf = createPriceLookup(prices);

  // Bundles by model, then a short list told apart by provider, status, operation and error type:
  // a lookup compares strings the record already holds instead of joining them into a new key.
  const completionCache = new Map<string, CompletionSeries[]>();
  let cachedBundles = 0;

  const seriesFor = (completion: CompletionRecord): CompletionSeries => {
    const operation = completion.operation ?? GEN_AI_OPERATION_CHAT;
    const errorType = completion.status === 'ok' ? '' : (completion.errorType ?? completion.status);
    let sameModel = completionCache.get(completion.model);
    if (sameModel !== undefined) {
      for (const bundle of sameModel) {
        if (
          bundle.provider === completion.provider &&
          bundle.status === completion.status &&
          bundle.operation === operation &&
          bundle.errorType === errorType
        ) {
          if (bundle.epoch === epoch.value) return bundle;
          sameModel.splice(sameModel.indexOf(bundle), 1);
          cachedBundles--;
          break;
        }
      }
    }
    const { provider, model, status } = completion;
    const price = priceOf(model);
    const bundle: CompletionSeries = {
      provider,
      status,
      operation,
      errorType,
      completions: families.completions.at([provider, model, status]),
      input: families.tokens.at([provider, model, 'input']),
      output: families.tokens.at([provider, model, 'output']),
      cached: families.tokens.at([provider, model, 'cached_input']),
      reasoning: families.tokens.at([provider, model, 'reasoning']),
      cacheCreation: families.tokens.at([provider, model, 'cache_creation_input']),
      cost: families.cost.at([provider, model]),
      tokenIn: families.tokenUsage.at([operation, provider, model, 'input']),
      tokenOut: families.tokenUsage.at([operation, provider, model, 'output']),
      duration: families.opDuration.at([operation, provider, model, errorType]),
      ttft: families.ttft.at([provider, model]),
      price,
      unpriced: price === undefined ? families.unpriced.at([provider, model]) : undefined,
      all: [],
      epoch: epoch.value,
    };
    bundle.all = [
      bundle.completions,
      bundle.input,
      bundle.output,
      bundle.cached,
      bundle.reasoning,
      bundle.cacheCreation,
      bundle.cost,
      bundle.tokenIn,
      bundle.tokenOut,
      bundle.duration,
      bundle.ttft,
    ];
    if (bundle.unpriced !== undefined) bundle.all.push(bundle.unpriced);
    // Past the cap the series were folded to _overflow anyway; stop caching new keys.
    if (cachedBundles < MAX_CACHED_KEYS && (sameModel === undefined || sameModel.length < MAX_BUNDLES_PER_MODEL)) {
      if (sameModel === undefined) {
        sameModel = [];
        completionCache.set(model, sameModel);
      }
      sameModel.push(bundle);
      cachedBundles++;
    }
    return bundle;
  };

  return (completion) => {
    if (!isValidCompletion(completion)) {
      counts.invalidRecords++;
      warnOnce(
        'invalid-completion',
        'elite/telemetry: recordCompletion(): a field is missing or not a finite number ≥ 0; record dropped (counted in elite_telemetry_dropped_total)',
      );
      return;
    }
    const at = now();
    const bundle = seriesFor(completion);
    for (const series of bundle.all) series.lastUsedMs = at;
    bundle.completions.value++;
    bundle.input.value += completion.inputTokens;
    bundle.output.value += completion.outputTokens;
    if (completion.cachedInputTokens) bundle.cached.value += completion.cachedInputTokens;
    if (completion.reasoningTokens) bundle.reasoning.value += completion.reasoningTokens;
    if (completion.cacheCreationInputTokens) bundle.cacheCreation.value += completion.cacheCreationInputTokens;
    let cost = completion.costUsd;
    if (cost === undefined) {
      if (bundle.price !== undefined) cost = computeCostUsd(completion, bundle.price);
      else {
        cost = 0;
        counts.unknownModelCompletions++;
        (bundle.unpriced as CounterSeries).value++;
        warnOnce(
          `price:${completion.model}`,
          `elite/telemetry: no price for model "${completion.model}" (${completion.provider}); its completions are counted in llm_unpriced_completions_total and add 0 to llm_cost_usd_total. Add it with createTelemetry({ prices }) or a prices JSON file (loadPriceFile); \`tiqology prices\` lists the table`,
        );
      }
    }
    bundle.cost.value += cost;
    observe(bundle.tokenIn, TOKEN_USAGE_BUCKETS, completion.inputTokens);
    observe(bundle.tokenOut, TOKEN_USAGE_BUCKETS, completion.outputTokens);
    observe(bundle.duration, OPERATION_DURATION_BUCKETS, completion.durationMs / 1000);
    if (completion.timeToFirstTokenMs !== undefined) observe(bundle.ttft, TTFT_BUCKETS, completion.timeToFirstTokenMs / 1000);
    const slot = window.at(at);
    slot.completions++;
    slot.tokens += completion.inputTokens + completion.outputTokens;
    slot.costUsd += cost;
    // A record that names its user, feature and flags (every instrumented call made in a scope)
    // needs no second look at the scope.
    const scoped =
      completion.userId !== undefined && completion.feature !== undefined && completion.flags !== undefined
        ? undefined
        : currentAttribution();
    attribution?.record(completion, scoped, cost, at);
    experimentEvents?.(completion, scoped, cost);
  };
}
