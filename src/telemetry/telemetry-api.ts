/**
 * The public surface of a telemetry instance: what `createTelemetry()` returns and the handler
 * types it serves metrics with. The implementation is telemetry.ts.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import type { AiSdkEmbeddingModelMiddleware, AiSdkLanguageModelMiddleware } from './ai-sdk.js';
import type { AnomalyWatch, AnomalyWatchOptions } from './anomaly-watch.js';
import type { AnthropicClientLike } from './anthropic.js';
import type { Attribution } from './attribution.js';
import type { DiscordNotifier } from './discord.js';
import type { GeminiClientLike } from './gemini.js';
import type { OpenAIClientLike } from './openai.js';
import type { PromRegistryLike } from './registry.js';
import type {
  AlertEvent,
  AlertNotifier,
  CompletionRecord,
  DiscordOptions,
  FlagStatsSource,
  InitOptions,
  InitResult,
  InstrumentOpenAIOptions,
  RequestRecord,
  TelemetrySnapshot,
  TelemetryStats,
} from './types.js';

/** The part of a Node `http` request the handler reads (nothing today; typed for the signature). */
export interface NodeRequestLike {
  /** The request method. */
  method?: string | undefined;
}

/** The part of a Node `http` response the handler writes. */
export interface NodeResponseLike {
  /** The status code to send. */
  statusCode: number;
  /** Sets one response header. */
  setHeader(name: string, value: string): unknown;
  /** Sends `body` and ends the response. */
  end(body?: string): unknown;
}

/** A Node `http` handler serving the Prometheus exposition. */
export type NodeMetricsHandler = (req: NodeRequestLike, res: NodeResponseLike) => Promise<void>;
/**
 * A Web `Request → Response` handler (Next.js route handlers, Hono, Bun, Deno). The request is
 * required in the type although unused: `next build` rejects a route export whose first
 * parameter is optional (`Request | undefined`).
 */
export type WebMetricsHandler = (request: Request) => Promise<Response>;

/**
 * A telemetry instance: spans, LLM usage and cost, HTTP metrics, alerts and notifiers.
 * Recording methods never throw: an invalid record is dropped, counted and warned about once.
 */
export interface Telemetry {
  /** This instance (for code written against the root entry's lazily loaded `telemetry`). */
  ready(): Promise<Telemetry>;
  /**
   * Registers tracing (OTLP/HTTP through a batch processor) unless the app already registered a
   * tracer provider, loads prom-client, starts the alert timer. Throws `INVALID_OPTIONS`
   * synchronously on bad options; rejects with `MISSING_DEPENDENCY` when an SDK piece is not
   * installed. A second call returns the first call's promise.
   */
  init(options?: InitOptions): Promise<InitResult>;
  /**
   * Flushes pending spans and notifier messages, stops timers, unregisters our provider. Never
   * rejects, and resolves within `shutdownTimeoutMs` (default 10 s): Discord messages still queued
   * then are dropped and counted in the notifier's `stats().dropped`.
   */
  shutdown(): Promise<void>;
  /** Exports pending spans and delivers queued notifier messages. Never rejects. */
  flush(): Promise<void>;
  /** Runs `fn` in a span named `name`: one span per call on every exit path (return, throw, rejected promise), exception recorded, status set. Returns what `fn` returns. */
  trace<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T;
  /** Records one LLM completion: counters, token and duration histograms, cost, the alert window. */
  recordCompletion(completion: CompletionRecord): void;
  /**
   * Runs `fn` with `attribution` (`userId`, `sessionId`, `feature`, `flags`) applying to every LLM
   * call and `recordCompletion` inside it, across `await`s; nested scopes add to the outer one.
   * Returns what `fn` returns. The scope is process-wide (shared by every instance).
   * @example
   * await telemetry.withAttribution({ userId: user.id, feature: 'search' }, () => answer(question));
   */
  withAttribution<T>(attribution: Attribution, fn: () => T): T;
  /** Records one HTTP request served: duration histogram, error counter, the alert window. */
  recordRequest(request: RequestRecord): void;
  /** Instruments an `openai` client in place (`chat.completions`, `responses`, `embeddings`) and returns it; see `instrumentOpenAIClient`. */
  instrumentOpenAI<T extends OpenAIClientLike>(client: T, options?: InstrumentOpenAIOptions): T;
  /** Instruments an `@anthropic-ai/sdk` client's `messages.create` in place and returns it; see `instrumentAnthropicClient`. */
  instrumentAnthropic<T extends AnthropicClientLike>(client: T, options?: InstrumentOpenAIOptions): T;
  /** Instruments a `@google/genai` client's `models.generateContent`, `generateContentStream` and `embedContent` in place and returns it; see `instrumentGeminiClient`. */
  instrumentGemini<T extends GeminiClientLike>(client: T, options?: InstrumentOpenAIOptions): T;
  /** A Vercel AI SDK language-model middleware: `wrapLanguageModel({ model, middleware: telemetry.aiSdkMiddleware() })`. */
  aiSdkMiddleware(options?: InstrumentOpenAIOptions): AiSdkLanguageModelMiddleware;
  /** A Vercel AI SDK embedding-model middleware: `wrapEmbeddingModel({ model, middleware: telemetry.aiSdkEmbeddingMiddleware() })`. */
  aiSdkEmbeddingMiddleware(options?: InstrumentOpenAIOptions): AiSdkEmbeddingModelMiddleware;
  /** Exports this flags client's cache counters and feeds the cache-hit alert. */
  observeFlags(source: FlagStatsSource): void;
  /** A Node `http` handler for `GET /metrics`. */
  metricsHandler(): NodeMetricsHandler;
  /** A Web handler for `GET /metrics` (`export const GET = telemetry.webMetricsHandler()`). */
  webMetricsHandler(): WebMetricsHandler;
  /** The Prometheus text exposition. Rejects with `MISSING_DEPENDENCY` when prom-client cannot load. */
  metrics(): Promise<string>;
  /** The prom-client registry this instance registers its metrics in (add your own metrics to it). */
  registry(): Promise<PromRegistryLike>;
  /** Window numbers: requests, error rate, p95, completions, tokens, cost per hour, cache-hit ratio, active alerts. */
  snapshot(): TelemetrySnapshot;
  /** Evaluates the alert rules now (the timer does it every `evaluateIntervalMs`); returns the transitions. */
  evaluateAlerts(): AlertEvent[];
  /** Copies of the alerts firing now. */
  activeAlerts(): AlertEvent[];
  /** Adds a notifier for alert transitions; returns a function that removes it. */
  addNotifier(notifier: AlertNotifier): () => void;
  /**
   * Predictive anomaly alerts on a series (requests per minute by default): each step is scored
   * against the forecast of a streaming detector (`forecast.detector()`), and a point outside the
   * expected range fires `TrafficAnomaly` (or the series' alert) through `onAlert`, the notifiers
   * and `activeAlerts()`, with the observed value, the expected range and the probability; the
   * last point is exported as `elite_anomaly_*` gauges. Throws `INVALID_OPTIONS` on bad options or
   * a series already watched.
   */
  watchAnomalies(options?: AnomalyWatchOptions): AnomalyWatch;
  /** A Discord notifier posting summaries every `intervalMs` and alert transitions. Throws `INVALID_OPTIONS`. */
  discord(options: DiscordOptions): DiscordNotifier;
  /** Counters about telemetry itself: dropped records, unpriced completions, folded series. */
  stats(): TelemetryStats;
  /**
   * Counts records dropped before this instance existed (the root entry's stand-in queue was full)
   * and warns once. Used by `@tiqology/elite`'s lazily loaded namespace.
   * @internal
   */
  countDropped(reason: 'queue_overflow', count: number): void;
}
