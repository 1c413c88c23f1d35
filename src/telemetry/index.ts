/**
 * Telemetry: OpenTelemetry spans, LLM usage and cost (GenAI conventions), Prometheus metrics,
 * in-process alerts and Discord summaries.
 *
 * Edge-safe to import: Node-only pieces (prom-client, the OpenTelemetry SDK) load on demand in
 * `init()` and the metrics handlers.
 * @packageDocumentation
 */

export type { EliteErrorCode } from '../internal/errors.js';
export { EliteError, isEliteError } from '../internal/errors.js';
export type { Logger } from '../internal/logger.js';
export type {
  AiSdkCallOptionsLike,
  AiSdkEmbeddingModelMiddleware,
  AiSdkLanguageModelMiddleware,
  AiSdkModelLike,
} from './ai-sdk.js';
export { aiSdkProviderName } from './ai-sdk.js';
export type { AlertConfig, WindowTotals } from './alerts.js';
export { quantileMs, resolveAlertConfig } from './alerts.js';
export type { AnomalyWatch, AnomalyWatchOptions, WatchDetectorOptions, WatchedSeries, WatchPoint } from './anomaly-watch.js';
export { WATCH_DETECTOR_DEFAULTS } from './anomaly-watch.js';
export type { AnthropicClientLike } from './anthropic.js';
export type { Attribution } from './attribution.js';
export { ATTRIBUTION_ATTRIBUTES, withAttribution } from './attribution.js';
export { DEFAULT_TOP_USERS, DEFAULT_TOP_USERS_WINDOW_MS, OTHER_USERS_LABEL } from './attribution-metrics.js';
export { OVERFLOW_LABEL } from './capped-family.js';
export { eliteEmbeddingMiddleware, eliteMiddleware } from './default-middleware.js';
export type { DiscordNotifier } from './discord.js';
export { alertPayload, summaryPayload } from './discord-messages.js';
export { redactWebhookUrl } from './discord-options.js';
export type { DiscordEmbed, DiscordEmbedField, DiscordPayload } from './discord-payload.js';
export { DISCORD_LIMITS, fitToDiscordLimits } from './discord-payload.js';
export type { DeliveryResult, DiscordStats } from './discord-sender.js';
export { EXPERIMENT_EVENT_NAMES } from './experiment-events.js';
export { TTFT_BUCKETS } from './families.js';
export type { GeminiClientLike, ModelsMethod } from './gemini.js';
export { HTTP_DURATION_BUCKETS, routeLabel } from './http-labels.js';
export {
  GEN_AI,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EMBEDDINGS,
  OPERATION_DURATION_BUCKETS,
  TOKEN_USAGE_BUCKETS,
} from './llm.js';
export type { CreateMethod, OpenAIClientLike } from './openai.js';
export { loadPriceFile } from './price-file.js';
export type { ModelPrice, PriceSource, PriceTable, TokenCounts } from './prices.js';
export { computeCostUsd, DEFAULT_PRICES, findPrice, findPriceKey, PRICE_SOURCES, PRICES_AS_OF } from './prices.js';
export type { PromRegistryLike, RegisteredMetric } from './registry.js';
export type { DefaultTelemetry } from './singleton.js';
export { telemetry } from './singleton.js';
export { createTelemetry } from './telemetry.js';
export type { NodeMetricsHandler, NodeRequestLike, NodeResponseLike, Telemetry, WebMetricsHandler } from './telemetry-api.js';
export { TRACER_NAME } from './tracing.js';
export type {
  AlertEvent,
  AlertName,
  AlertNotifier,
  AlertOptions,
  AttributionOptions,
  CompletionRecord,
  CompletionStatus,
  DiscordOptions,
  ExperimentEventKind,
  ExperimentEventSink,
  ExperimentEventsOptions,
  FlagStatsSource,
  InitOptions,
  InitResult,
  InstrumentOpenAIOptions,
  RequestRecord,
  SpanExporterLike,
  TelemetryOptions,
  TelemetrySnapshot,
  TelemetryStats,
} from './types.js';
