/**
 * `createTelemetry`: wires the parts of a telemetry instance. Each behaviour lives in its own file:
 * options (telemetry-options.ts), metric families and the series cap (families.ts,
 * capped-family.ts), the recorders (completion-recorder.ts, request-recorder.ts), the registry and
 * the `/metrics` handlers (registry.ts, metrics-handlers.ts), alerting (alerting.ts), tracing
 * (tracing.ts), init/flush/shutdown (lifecycle.ts), Discord (discord.ts), its own counters
 * (self-metrics.ts). The interface it returns is in telemetry-api.ts.
 */
import { toSafeLogger } from '../internal/logger.js';
import { createWarnOnce } from '../internal/warn-once.js';
import { createAiSdkEmbeddingMiddleware, createAiSdkMiddleware } from './ai-sdk.js';
import { createAlerting } from './alerting.js';
import { createAnomalyMetrics } from './anomaly-watch.js';
import { instrumentAnthropicClient } from './anthropic.js';
import { withAttribution } from './attribution.js';
import { createAttributionMetrics, resolveAttributionOptions } from './attribution-metrics.js';
import { createCompletionRecorder } from './completion-recorder.js';
import { createDiscordNotifier, type DiscordNotifier } from './discord.js';
import { createExperimentEvents } from './experiment-events.js';
import { createMetricFamilies } from './families.js';
import { geminiProviderName, instrumentGeminiClient } from './gemini.js';
import { createLifecycle } from './lifecycle.js';
import { createNodeMetricsHandler, createWebMetricsHandler } from './metrics-handlers.js';
import { instrumentOpenAIClient } from './openai.js';
import { createRegistryLoader, dropGlobalDefaultsIfUnwanted } from './registry.js';
import { createRequestRecorder } from './request-recorder.js';
import { createSelfMetrics, createTelemetryCounts, telemetryStats } from './self-metrics.js';
import type { Telemetry } from './telemetry-api.js';
import { resolveTelemetryOptions } from './telemetry-options.js';
import { getTracer, runInSpan } from './tracing.js';
import type { TelemetryOptions } from './types.js';
import { createVariantRequestMetrics } from './variant-request-metrics.js';

/** Key of the process-wide prom-client registry; re-exported for the tests that look it up. */
export { REGISTRY_KEY } from './registry.js';
export type { NodeMetricsHandler, Telemetry, WebMetricsHandler } from './telemetry-api.js';

/**
 * Builds a telemetry instance. Throws `EliteError('INVALID_OPTIONS')` on bad options.
 * @example
 * const telemetry = createTelemetry({ alerts: { errorRate: 0.02 } });
 * await telemetry.init({ serviceName: 'chat-api', otlp: { endpoint: 'http://localhost:4318' } });
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const logger = toSafeLogger(options.logger);
  const resolved = resolveTelemetryOptions(options);
  const { now } = resolved;
  const tracer = getTracer();
  const { metrics: families, all: llmFamilies, epoch } = createMetricFamilies(resolved.maxSeries, resolved.seriesPolicy);
  const counts = createTelemetryCounts();
  const warnOnce = createWarnOnce(logger);
  const { idleMs, now: policyNow } = resolved.seriesPolicy.forLabel(0, 'model');
  const attributionOptions = resolveAttributionOptions(options.attribution);
  const attribution = createAttributionMetrics(attributionOptions, {
    maxSeries: resolved.maxSeries,
    policy: { idleMs, now: policyNow, epoch },
    warnOnce,
  });
  const experimentEvents = createExperimentEvents(options.experimentEvents, (error) => {
    counts.failedExperimentEvents++;
    warnOnce(
      'experiment-events',
      `elite/telemetry: experimentEvents.client.track() threw (${error instanceof Error ? error.message : String(error)}); the completion's experiment events are lost (counted in elite_telemetry_dropped_total{reason="experiment_event_failed"})`,
    );
  });
  const variantRequests = createVariantRequestMetrics(attributionOptions.flags, resolved.maxSeries, { idleMs, now: policyNow, epoch });
  const allFamilies = [...llmFamilies, ...attribution.families, ...variantRequests.families];
  const alerting = createAlerting({ options, config: resolved.alertConfig, enabled: resolved.alertsEnabled, now, logger, warnOnce });
  // A `defaultMetrics: false` for the process-wide registry takes effect now, not at the next load.
  dropGlobalDefaultsIfUnwanted(options);
  // The per-user family is exported through its window (TopSpenders closes a finished one first).
  const exported = [
    ...llmFamilies,
    ...attribution.metrics,
    ...variantRequests.families,
    ...createSelfMetrics(counts, allFamilies, alerting.flagTotals),
    ...createAnomalyMetrics(alerting.watches),
  ];
  const registry = createRegistryLoader(options, exported);
  const discordNotifiers = new Set<DiscordNotifier>();
  const recording = { families, epoch, now, window: alerting.window, counts, warnOnce };

  if (options.onAlert) alerting.startTimer();

  const instance: Telemetry = {
    ready: () => Promise.resolve(instance),
    // init() loads the registry through the instance, as every other caller does.
    ...createLifecycle(logger, resolved.shutdownTimeoutMs, () => instance.registry(), alerting, discordNotifiers, exported, counts),
    trace: (name, fn, attributes) => runInSpan(tracer, name, fn, attributes),
    recordCompletion: createCompletionRecorder(recording, resolved.prices, attribution, experimentEvents),
    withAttribution,
    recordRequest: createRequestRecorder(recording, variantRequests),
    instrumentOpenAI: (client, instrumentOptions = {}) =>
      instrumentOpenAIClient(client, {
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider ?? 'openai',
        captureContent: instrumentOptions.captureContent ?? resolved.captureContent,
      }),
    instrumentAnthropic: (client, instrumentOptions = {}) =>
      instrumentAnthropicClient(client, {
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider ?? 'anthropic',
        captureContent: instrumentOptions.captureContent ?? resolved.captureContent,
      }),
    instrumentGemini: (client, instrumentOptions = {}) =>
      instrumentGeminiClient(client, {
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider ?? geminiProviderName(client),
        captureContent: instrumentOptions.captureContent ?? resolved.captureContent,
      }),
    aiSdkMiddleware: (instrumentOptions = {}) =>
      createAiSdkMiddleware({
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider,
        captureContent: instrumentOptions.captureContent ?? resolved.captureContent,
      }),
    aiSdkEmbeddingMiddleware: (instrumentOptions = {}) =>
      createAiSdkEmbeddingMiddleware({
        tracer,
        record: instance.recordCompletion,
        provider: instrumentOptions.provider,
        captureContent: instrumentOptions.captureContent ?? resolved.captureContent,
      }),
    observeFlags: (source) => alerting.observeFlags(source),
    registry,
    metrics: async () => (await instance.registry()).metrics(),
    metricsHandler: () => createNodeMetricsHandler(() => instance.registry(), logger),
    webMetricsHandler: () => createWebMetricsHandler(() => instance.registry(), logger),
    snapshot: () => alerting.snapshot(),
    evaluateAlerts: () => alerting.evaluate(),
    activeAlerts: () => alerting.active(),
    addNotifier: (notifier) => alerting.addNotifier(notifier),
    watchAnomalies: (watchOptions) => alerting.watchAnomalies(watchOptions),
    discord(discordOptions) {
      const notifier = createDiscordNotifier(discordOptions, instance.snapshot, logger);
      discordNotifiers.add(notifier);
      if (discordOptions.alerts !== false) instance.addNotifier(notifier);
      return notifier;
    },
    stats: () => telemetryStats(counts, allFamilies),
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
