import { coarseNow } from '../internal/clock.js';
import { EliteError, messageOf } from '../internal/errors.js';
import { toSafeLogger } from '../internal/logger.js';
import { redactUrlCredentials } from '../internal/redact.js';
import { withTimeout } from '../internal/timeout.js';
import { createWarnOnce } from '../internal/warn-once.js';
import { createAlerting } from './alerting.js';
import { resolveAlertConfig } from './alerts.js';
import { createDiscordNotifier, type DiscordNotifier } from './discord.js';
import { createMetricFamilies, resolveSeriesPolicy, TTFT_BUCKETS } from './families.js';
import {
  computeCostUsd,
  DEFAULT_PRICES,
  findPrice,
  GEN_AI_OPERATION_CHAT,
  type ModelPrice,
  OPERATION_DURATION_BUCKETS,
  priceTableProblem,
  TOKEN_USAGE_BUCKETS,
} from './llm.js';
import {
  CollectedMetric,
  type CounterSeries,
  type HistogramSeries,
  HTTP_DURATION_BUCKETS,
  methodLabel,
  observe,
  type PromMetricLike,
  type PromRegistryLike,
  routeLabel,
} from './metrics.js';
import { instrumentOpenAIClient } from './openai.js';
import { isValidCompletion, isValidRequest } from './record-checks.js';
import { loadRegistry } from './registry.js';
import type { Telemetry } from './telemetry-api.js';
import { checkInitOptions, getTracer, initTracing, runInSpan, type TracingHandle } from './tracing.js';
import type { CompletionRecord, InitOptions, InitResult, TelemetryOptions } from './types.js';

/** Default of `TelemetryOptions.shutdownTimeoutMs`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export type { NodeMetricsHandler, Telemetry, WebMetricsHandler } from './telemetry-api.js';

interface CompletionSeries {
  completions: CounterSeries;
  input: CounterSeries;
  output: CounterSeries;
  cached: CounterSeries;
  reasoning: CounterSeries;
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

interface RequestSeries {
  duration: HistogramSeries;
  errors: CounterSeries;
  epoch: number;
}

const MAX_CACHED_KEYS = 1_000;

/**
 * Builds a telemetry instance. Throws `EliteError('INVALID_OPTIONS')` on bad options.
 * @example
 * const telemetry = createTelemetry({ alerts: { errorRate: 0.02 } });
 * await telemetry.init({ serviceName: 'chat-api', otlp: { endpoint: 'http://localhost:4318' } });
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const logger = toSafeLogger(options.logger);
  const problem = options.prices === undefined ? undefined : priceTableProblem(options.prices);
  if (problem) throw new EliteError('INVALID_OPTIONS', `elite/telemetry: ${problem}`, { field: 'prices' });
  const maxSeries = options.maxSeriesPerMetric ?? 200;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/telemetry: maxSeriesPerMetric must be a whole number ≥ 1, got ${String(maxSeries)}`, {
      field: 'maxSeriesPerMetric',
    });
  }
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: shutdownTimeoutMs must be a whole number ≥ 0 (ms), got ${String(shutdownTimeoutMs)}`,
      {
        field: 'shutdownTimeoutMs',
      },
    );
  }
  const seriesPolicy = resolveSeriesPolicy(options);
  const alertsEnabled = options.alerts !== false;
  const alertConfig = resolveAlertConfig(options.alerts === false ? {} : options.alerts);
  const prices: Record<string, ModelPrice> = { ...DEFAULT_PRICES, ...options.prices };
  const now = options.now ?? coarseNow;
  const captureContent = options.captureContent === true;
  const tracer = getTracer();

  const { metrics: family, all: families, epoch } = createMetricFamilies(maxSeries, seriesPolicy);

  const counts = { invalidRecords: 0, unknownModelCompletions: 0, queueOverflows: 0 };
  const warnOnce = createWarnOnce(logger);

  const alerting = createAlerting({ options, config: alertConfig, enabled: alertsEnabled, now, logger, warnOnce });
  const { window, flagTotals } = alerting;
  const collected: PromMetricLike[] = [
    new CollectedMetric('elite_flags_cache_hits_total', 'Flag evaluations answered from a fresh cache entry.', 'counter', () => [
      { value: flagTotals().cacheHits, labels: {} },
    ]),
    new CollectedMetric('elite_flags_cache_misses_total', 'Flag evaluations that read the store.', 'counter', () => [
      { value: flagTotals().cacheMisses, labels: {} },
    ]),
    new CollectedMetric('elite_flags_stale_serves_total', 'Flag evaluations served stale because the store failed.', 'counter', () => [
      { value: flagTotals().staleServes, labels: {} },
    ]),
    new CollectedMetric('elite_telemetry_dropped_total', 'Telemetry records dropped or folded, by reason.', 'counter', () => [
      { value: counts.invalidRecords, labels: { reason: 'invalid_record' } },
      { value: families.reduce((total, metric) => total + metric.overflowed, 0), labels: { reason: 'series_overflow' } },
      { value: families.reduce((total, metric) => total + metric.evicted, 0), labels: { reason: 'series_evicted' } },
      { value: counts.queueOverflows, labels: { reason: 'queue_overflow' } },
    ]),
  ];

  const discordNotifiers = new Set<DiscordNotifier>();

  const completionCache = new Map<string, CompletionSeries>();
  const seriesFor = (completion: CompletionRecord): CompletionSeries => {
    const key = `${completion.provider}\u0001${completion.model}\u0001${completion.status}`;
    let bundle = completionCache.get(key);
    if (bundle !== undefined && bundle.epoch === epoch.value) return bundle;
    const { provider, model, status } = completion;
    const price = priceOf(model);
    const errorType = status === 'ok' ? '' : status;
    bundle = {
      completions: family.completions.at([provider, model, status]),
      input: family.tokens.at([provider, model, 'input']),
      output: family.tokens.at([provider, model, 'output']),
      cached: family.tokens.at([provider, model, 'cached_input']),
      reasoning: family.tokens.at([provider, model, 'reasoning']),
      cost: family.cost.at([provider, model]),
      tokenIn: family.tokenUsage.at([GEN_AI_OPERATION_CHAT, provider, model, 'input']),
      tokenOut: family.tokenUsage.at([GEN_AI_OPERATION_CHAT, provider, model, 'output']),
      duration: family.opDuration.at([GEN_AI_OPERATION_CHAT, provider, model, errorType]),
      ttft: family.ttft.at([provider, model]),
      price,
      unpriced: price === undefined ? family.unpriced.at([provider, model]) : undefined,
      all: [],
      epoch: epoch.value,
    };
    bundle.all = [
      bundle.completions,
      bundle.input,
      bundle.output,
      bundle.cached,
      bundle.reasoning,
      bundle.cost,
      bundle.tokenIn,
      bundle.tokenOut,
      bundle.duration,
      bundle.ttft,
    ];
    if (bundle.unpriced !== undefined) bundle.all.push(bundle.unpriced);
    // Past the cap the series were folded to _overflow anyway; stop caching new keys.
    if (completionCache.size < MAX_CACHED_KEYS || completionCache.has(key)) completionCache.set(key, bundle);
    return bundle;
  };
  // Prefix matching scans the table: remember each model's answer (bounded, like the other caches).
  const priceLookups = new Map<string, ModelPrice | undefined>();
  const priceOf = (model: string): ModelPrice | undefined => {
    if (Object.hasOwn(prices, model)) return prices[model];
    if (priceLookups.has(model)) return priceLookups.get(model);
    const price = findPrice(model, prices);
    if (priceLookups.size < MAX_CACHED_KEYS) priceLookups.set(model, price);
    return price;
  };

  const requestCache = new Map<string, RequestSeries>();
  const routeCache = new Map<string, string>();

  if (options.onAlert) alerting.startTimer();

  let registryPromise: Promise<PromRegistryLike> | undefined;
  let initPromise: Promise<InitResult> | undefined;
  let tracing: TracingHandle | undefined;

  const instance: Telemetry = {
    ready: () => Promise.resolve(instance),

    init(initOptions: InitOptions = {}) {
      checkInitOptions(initOptions);
      initPromise ??= (async () => {
        const result = await initTracing(initOptions, logger);
        tracing = result.handle;
        let metrics = true;
        try {
          await instance.registry();
        } catch (error) {
          metrics = false;
          logger.warn(`elite/telemetry: metrics are off: ${redactUrlCredentials(messageOf(error))}`);
        }
        alerting.startTimer();
        return { tracing: result.tracing, metrics };
      })();
      initPromise.catch(() => {
        initPromise = undefined;
      });
      return initPromise;
    },

    async flush() {
      try {
        await tracing?.forceFlush();
      } catch (error) {
        logger.warn(`elite/telemetry: span flush failed: ${redactUrlCredentials(messageOf(error))}`);
      }
      await Promise.all([...discordNotifiers].map((n) => n.flush()));
    },

    async shutdown() {
      alerting.stopTimer();
      // One deadline for the whole shutdown: a process manager waits only so long before SIGKILL.
      const deadline = Date.now() + shutdownTimeoutMs;
      await Promise.all([...discordNotifiers].map((n) => n.close(shutdownTimeoutMs)));
      try {
        if (tracing !== undefined) {
          await withTimeout(
            tracing.shutdown(),
            Math.max(0, deadline - Date.now()),
            () =>
              new EliteError('TIMEOUT', `tracer shutdown still running after shutdownTimeoutMs (${shutdownTimeoutMs} ms); left to finish`),
          );
        }
      } catch (error) {
        logger.warn(`elite/telemetry: tracer shutdown failed: ${redactUrlCredentials(messageOf(error))}`);
      }
      tracing = undefined;
      initPromise = undefined;
    },

    trace: (name, fn, attributes) => runInSpan(tracer, name, fn, attributes),

    recordCompletion(completion) {
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
      let cost = completion.costUsd;
      if (cost === undefined) {
        if (bundle.price !== undefined) cost = computeCostUsd(completion, bundle.price);
        else {
          cost = 0;
          counts.unknownModelCompletions++;
          (bundle.unpriced as CounterSeries).value++;
          warnOnce(
            `price:${completion.model}`,
            `elite/telemetry: no price for model "${completion.model}"; its cost is counted as 0 (add it with createTelemetry({ prices }))`,
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
    },

    recordRequest(request) {
      if (!isValidRequest(request)) {
        counts.invalidRecords++;
        warnOnce(
          'invalid-request',
          'elite/telemetry: recordRequest(): route, method, status or durationMs is invalid; record dropped (counted in elite_telemetry_dropped_total)',
        );
        return;
      }
      const key = `${request.method}\u0001${request.route}\u0001${request.status}`;
      let bundle = requestCache.get(key);
      if (bundle === undefined || bundle.epoch !== epoch.value) {
        let route = routeCache.get(request.route);
        if (route === undefined) {
          route = routeLabel(request.route);
          if (routeCache.size < MAX_CACHED_KEYS) routeCache.set(request.route, route);
        }
        const labels = [methodLabel(request.method), route, String(request.status)];
        bundle = { duration: family.httpDuration.at(labels), errors: family.httpErrors.at(labels), epoch: epoch.value };
        if (requestCache.size < MAX_CACHED_KEYS || requestCache.has(key)) requestCache.set(key, bundle);
      }
      const at = now();
      bundle.duration.lastUsedMs = at;
      bundle.errors.lastUsedMs = at;
      const seconds = request.durationMs / 1000;
      observe(bundle.duration, HTTP_DURATION_BUCKETS, seconds);
      const failed = request.error === true || request.status >= 500;
      if (failed) bundle.errors.value++;
      const slot = window.at(at);
      slot.requests++;
      if (failed) slot.errors++;
      let i = 0;
      while (i < HTTP_DURATION_BUCKETS.length && seconds > (HTTP_DURATION_BUCKETS[i] as number)) i++;
      slot.latency[i] = (slot.latency[i] as number) + 1;
    },

    instrumentOpenAI: (client, instrumentOptions = {}) =>
      instrumentOpenAIClient(client, {
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider ?? 'openai',
        captureContent: instrumentOptions.captureContent ?? captureContent,
      }),

    observeFlags: (source) => alerting.observeFlags(source),

    registry() {
      registryPromise ??= loadRegistry(options, [...families, ...collected]);
      registryPromise.catch(() => {
        registryPromise = undefined;
      });
      return registryPromise;
    },

    async metrics() {
      return (await instance.registry()).metrics();
    },

    metricsHandler: () => async (_req, res) => {
      try {
        const registry = await instance.registry();
        const body = await registry.metrics();
        res.statusCode = 200;
        res.setHeader('content-type', registry.contentType);
        res.end(body);
      } catch (error) {
        logger.error(`elite/telemetry: /metrics failed: ${messageOf(error)}`);
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('metrics unavailable\n');
      }
    },

    webMetricsHandler: () => async () => {
      try {
        const registry = await instance.registry();
        return new Response(await registry.metrics(), { status: 200, headers: { 'content-type': registry.contentType } });
      } catch (error) {
        logger.error(`elite/telemetry: /metrics failed: ${messageOf(error)}`);
        return new Response('metrics unavailable\n', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      }
    },

    snapshot: () => alerting.snapshot(),
    evaluateAlerts: () => alerting.evaluate(),
    activeAlerts: () => alerting.active(),
    addNotifier: (notifier) => alerting.addNotifier(notifier),

    discord(discordOptions) {
      const notifier = createDiscordNotifier(discordOptions, instance.snapshot, logger);
      discordNotifiers.add(notifier);
      if (discordOptions.alerts !== false) instance.addNotifier(notifier);
      return notifier;
    },

    stats: () => ({
      invalidRecords: counts.invalidRecords,
      unknownModelCompletions: counts.unknownModelCompletions,
      overflowedSeries: families.reduce((total, metric) => total + metric.overflowed, 0),
      evictedSeries: families.reduce((total, metric) => total + metric.evicted, 0),
      queueOverflows: counts.queueOverflows,
    }),

    countDropped(_reason, count) {
      if (!(count > 0)) return;
      counts.queueOverflows += count;
      warnOnce(
        'queue-overflow',
        `elite/telemetry: ${count} records made before the telemetry module loaded were dropped (the queue holds 1,000; counted in elite_telemetry_dropped_total{reason="queue_overflow"}). Call await telemetry.ready() at startup.`,
      );
    },
  };
  return instance;
}

export { REGISTRY_KEY } from './registry.js';
