import type { Attributes } from '@opentelemetry/api';
import type { Logger } from '../internal/logger.js';
import type { Attribution } from './attribution.js';
import type { PriceTable } from './llm.js';
import type { PromRegistryLike } from './registry.js';

/** Outcome of an LLM call, the `status` label of `llm_chat_completions_total`. */
export type CompletionStatus = 'ok' | 'error' | 'rate_limited' | 'cancelled';

/**
 * One LLM completion, as `telemetry.recordCompletion()` takes it. Token counts follow OpenAI's usage.
 * The attribution fields (`userId`, `sessionId`, `feature`, `flags`) override those of the
 * enclosing `telemetry.withAttribution()` scope.
 */
export interface CompletionRecord extends Attribution {
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `gcp.gemini`, … */
  provider: string;
  /** `gen_ai.operation.name`: `chat` (default) or `embeddings`. */
  operation?: string | undefined;
  /** The model asked for (or answered with); priced by {@link PriceTable} prefix match. */
  model: string;
  /** All prompt tokens: uncached, read from the prompt cache and written to it (for Anthropic, `input_tokens` plus both cache counts). */
  inputTokens: number;
  /** All completion tokens, reasoning ones included. */
  outputTokens: number;
  /** The part of `inputTokens` read from the prompt cache. */
  cachedInputTokens?: number | undefined;
  /** The part of `inputTokens` written to the prompt cache (priced at the model's `cacheWrite` rate). */
  cacheCreationInputTokens?: number | undefined;
  /** The part of `outputTokens` spent reasoning. */
  reasoningTokens?: number | undefined;
  /** Duration of the call, ms (to the last chunk for a stream). */
  durationMs: number;
  /** Time from the request to the first streamed chunk. */
  timeToFirstTokenMs?: number | undefined;
  /** How the call ended. */
  status: CompletionStatus;
  /** Why it failed (`error.type`): the HTTP status, the provider's error type, `timeout`, `cancelled`, or the error class. */
  errorType?: string | undefined;
  /** The cost when you know it; otherwise computed from the price table (an unknown model is counted as unpriced, its cost 0, and warned about once). */
  costUsd?: number | undefined;
}

/** One HTTP request served, as `telemetry.recordRequest()` takes it. */
export interface RequestRecord {
  /** HTTP method; default `GET`. Methods outside the standard set are labelled `_OTHER`. */
  method?: string | undefined;
  /** A route template (`/api/chat/[id]`) or a path; ids in paths are replaced by `:id`. */
  route: string;
  /** HTTP status sent; 5xx counts as an error. */
  status: number;
  /** Time to serve the request, ms. */
  durationMs: number;
  /** Set when the handler threw (counted as an error whatever the status). */
  error?: boolean | undefined;
  /**
   * The LLM cost this request incurred, USD (the sum of its calls' costs): with `flags`, it feeds
   * `http_variant_cost_usd_sum` and `http_variant_cost_usd_squares_sum`, which a `cost_per_request`
   * guardrail reads. A request without it counts as costing 0 there.
   */
  costUsd?: number | undefined;
  /**
   * Flag key → variant served to the request's user (default: the `withAttribution` scope's). The
   * flags listed in `attribution.flags` label `http_variant_requests_total` and the latency and
   * cost sums, which guarded rollouts read from Prometheus; other flags are ignored.
   */
  flags?: Readonly<Record<string, string>> | undefined;
}

/** What `telemetry.observeFlags()` reads: the flags client's `stats()` counters. */
export interface FlagStatsSource {
  /** Cumulative cache counters since the client started. */
  stats(): {
    /** Evaluations answered from a fresh cache entry. */
    cacheHits: number;
    /** Evaluations that read the store. */
    cacheMisses: number;
    /** Evaluations served stale because the store failed. */
    staleServes: number;
  };
}

/** Thresholds of the in-process alerts; every number has a default. */
export interface AlertOptions {
  /** Sliding window of every rule, ms. Default 300_000 (5 min). */
  windowMs?: number;
  /** How often the timer evaluates the rules, ms. Default 15_000. */
  evaluateIntervalMs?: number;
  /** Error ratio that fires `HighErrorRate`. Default 0.05. Resolves below 80 % of it. */
  errorRate?: number;
  /** Requests needed in the window before `HighErrorRate` or `HighLatencyP95` can fire. Default 20. */
  minRequests?: number;
  /** p95 request latency that fires `HighLatencyP95`, ms. Default 500. Resolves below 90 % of it. */
  p95LatencyMs?: number;
  /** Flag cache-hit ratio under which `LowFlagCacheHitRatio` fires. Default 0.8. Resolves above it + 0.05. */
  cacheHitRatio?: number;
  /** Flag lookups needed in the window before `LowFlagCacheHitRatio` can fire. Default 50. */
  minFlagLookups?: number;
}

/**
 * Names of the shipped alerts (the same names as the Prometheus rules, prefixed `Elite` there): the
 * three threshold rules, and the anomaly alerts of `telemetry.watchAnomalies()` (one per watched series).
 */
export type AlertName =
  | 'HighErrorRate'
  | 'HighLatencyP95'
  | 'LowFlagCacheHitRatio'
  | 'TrafficAnomaly'
  | 'ErrorsAnomaly'
  | 'LlmCostAnomaly'
  | 'TokensAnomaly'
  | 'MetricAnomaly';

/** A change of an alert's state, delivered once per transition (deduplicated). */
export interface AlertEvent {
  /** Which rule. */
  name: AlertName;
  /** The state the alert moved to. */
  state: 'firing' | 'resolved';
  /** The measured value: a ratio (0–1) or milliseconds for latency. */
  value: number;
  /** The firing threshold, same unit as `value`. */
  threshold: number;
  /** When the alert started firing, ms since the epoch. */
  since: number;
  /** When this transition happened, ms since the epoch. */
  at: number;
  /** One human line: "error rate 12.0 % over 5 min (threshold 5.0 %, 240 requests)". */
  summary: string;
  /** Anomaly alerts: the forecast of the point and its expected range (`value` is the observed point, `threshold` the bound it crossed). */
  expected?: {
    /** The forecast of the point. */
    mean: number;
    /** Lower end of the expected range. */
    lower: number;
    /** Upper end of the expected range. */
    upper: number;
  };
  /** Anomaly alerts: how unusual the point is, 0–1. */
  probability?: number;
}

/** Receives alert transitions; `telemetry.discord()` returns one. */
export interface AlertNotifier {
  /** Called once per transition; a rejection or throw is logged, never rethrown. */
  notify(event: AlertEvent): unknown;
}

/** The window numbers the Discord summary and `telemetry.snapshot()` report. */
export interface TelemetrySnapshot {
  /** Length of the sliding window, ms. */
  windowMs: number;
  /** HTTP requests recorded in the window. */
  requests: number;
  /** Of those, the failed ones (5xx or `error: true`). */
  errors: number;
  /** errors / requests, 0 when there were no requests. */
  errorRate: number;
  /** p95 request latency in ms, interpolated within the histogram bucket; 0 without requests. */
  p95Ms: number;
  /** LLM completions recorded in the window. */
  completions: number;
  /** Input plus output tokens in the window. */
  tokens: number;
  /** Cost of the window's completions, USD. */
  costUsd: number;
  /** Cost over the window scaled to one hour. */
  costUsdPerHour: number;
  /** Flag evaluations in the window (cache hits plus misses). */
  flagLookups: number;
  /** Flag cache hits / lookups over the window; 1 when there were no lookups. */
  cacheHitRatio: number;
  /** Copies of the alerts firing now. */
  activeAlerts: AlertEvent[];
}

/** Counters about telemetry itself (also exported as `elite_telemetry_dropped_total{reason}`). */
export interface TelemetryStats {
  /** Records dropped because a field was invalid (negative or non-finite number, missing model). */
  invalidRecords: number;
  /** Completions of models missing from the price table (cost counted as 0). */
  unknownModelCompletions: number;
  /** New label sets mapped to `_overflow` because a metric reached its series cap and no series was idle. */
  overflowedSeries: number;
  /** Idle series folded into `_overflow` to make room for a new label set (see `seriesIdleMs`). */
  evictedSeries: number;
  /** Records dropped by the root entry's `telemetry` before the module loaded: its queue of 1,000 was full. */
  queueOverflows: number;
  /** Spans in OTLP exports that failed (collector down or refusing), after the exporter's retries. */
  droppedSpans: number;
  /** OTLP metric exports that failed; the next export carries the totals again (cumulative). */
  failedMetricExports: number;
  /** Completions whose experiment events (`experimentEvents`) could not be tracked: the client's `track` threw. */
  failedExperimentEvents: number;
}

/**
 * How attribution (`userId`, `feature`, `flags`) becomes metric labels. Every label set stays
 * bounded: `feature` values and variants by the series cap, users by the top-spenders sketch.
 */
export interface AttributionOptions {
  /**
   * Flag keys whose variants label `llm_variant_cost_usd_total` and `llm_variant_completions_total`,
   * and, for requests, `http_variant_requests_total{flag,variant,status_class}`,
   * `http_variant_latency_ms_sum`, `http_variant_latency_ms_squares_sum`, `http_variant_cost_usd_sum`
   * and `http_variant_cost_usd_squares_sum` (list the flags under a
   * rollout plan); other flags stay on spans only. Default none.
   */
  flags?: readonly string[];
  /**
   * Users kept per window in `llm_user_cost_usd_total` (a Space-Saving sketch of this many
   * counters). A listed user's amount is at most (window cost / `topUsers`) below what they spent,
   * never above; every user who spent more than that is listed; the rest is `user="_other"`.
   * Default 20; 0 for no per-user metric.
   */
  topUsers?: number;
  /** Length of a top-spenders window, ms; a window's amounts are exported when it ends. Default 60_000. */
  topUsersWindowMs?: number;
}

/** The events a completion can become (`TelemetryOptions.experimentEvents`). */
export type ExperimentEventKind = 'cost' | 'tokens' | 'latency';

/** What receives experiment events: a flags client, or anything with its `track`. */
export interface ExperimentEventSink {
  /** Records one conversion event for a user (the flags client's `track`). */
  track(eventName: string, user: string, options?: { value?: number }): void;
}

/** `TelemetryOptions.experimentEvents`: which flags client sees LLM usage, and which events it gets. */
export interface ExperimentEventsOptions {
  /** The flags client whose experiments should see LLM usage. */
  client: ExperimentEventSink;
  /** Which events each attributed completion sends: `llm.cost_usd`, `llm.tokens`, `llm.latency_ms`. Default `['cost']`. */
  events?: readonly ExperimentEventKind[];
}

/** Options of `createTelemetry`. All optional. */
export interface TelemetryOptions {
  /** Prices that replace or extend the dated default table (`DEFAULT_PRICES` in `@tiqology/elite/telemetry`) (USD per 1M tokens). Checked at once. */
  prices?: PriceTable;
  /** Record prompt and completion text on spans (`gen_ai.input.messages`/`gen_ai.output.messages`). Default false: text may hold personal data. */
  captureContent?: boolean;
  /**
   * Most series per metric family. Default 200. At the cap a new label set replaces the least
   * recently used series idle for `seriesIdleMs` (its counts are folded into `_overflow`, so sums
   * stay monotonic); when none is that idle, the new label set goes to `_overflow`.
   */
  maxSeriesPerMetric?: number;
  /**
   * A series written within this many ms is never evicted. Default 600_000 (10 min). Shorter: room
   * for new routes and models sooner, at the price of churn; `Infinity`: the first series stay
   * for good (the behaviour before eviction).
   */
  seriesIdleMs?: number;
  /**
   * Routes and models whose series are always kept: never evicted, and created even past the cap
   * (up to `maxSeriesPerMetric` more), so a flood of junk labels cannot push out `/api/chat` or
   * `gpt-4o`. Routes are normalised as recorded (`/users/42` → `/users/:id`). Default none.
   * @example createTelemetry({ keepSeries: { routes: ['/api/chat'], models: ['gpt-4o', 'gpt-4o-mini'] } })
   */
  keepSeries?: {
    /** Route labels (or paths, normalised) whose series are kept. */
    routes?: readonly string[];
    /** Model names whose series are kept. */
    models?: readonly string[];
  };
  /** Which attribution becomes metric labels, and how the top spenders are kept. Default: `feature` labels, top 20 users per minute, no flag labels. */
  attribution?: AttributionOptions;
  /** Alert thresholds, or `false` for no in-process alerts. */
  alerts?: AlertOptions | false;
  /** Called once per alert transition. Errors it throws are logged, never rethrown. */
  onAlert?: (event: AlertEvent) => void;
  /** A flags client whose cache counters are exported and alerted on. */
  flags?: FlagStatsSource;
  /**
   * LLM usage as experiment events: every completion with a `userId` (in the record or the
   * attribution scope) is tracked on this flags client as `llm.cost_usd` (and, when listed,
   * `llm.tokens` and `llm.latency_ms`), so `results()` can read LLM cost per exposed user as a
   * metric or a guardrail. Checked at once. Default: none.
   */
  experimentEvents?: ExperimentEventsOptions;
  /**
   * Add prom-client's process metrics (CPU, memory, event loop) to this instance's registry. Default: true for
   * the shared `telemetry`, false for `createTelemetry` and whenever `registry` is given. Never added twice:
   * skipped when the registry, or prom-client's default `register`, already holds them. `false` on the shared
   * instance (`telemetry.configure({ defaultMetrics: false })`) removes the ones it added earlier.
   */
  defaultMetrics?: boolean;
  /** Use the process-wide registry (kept under `Symbol.for`). Default: true for the shared `telemetry` (unless `registry` is given), false for `createTelemetry`. */
  globalRegistry?: boolean;
  /**
   * Your own prom-client `Registry` (prom-client's `register`, or one you created): the SDK's metrics are
   * registered in it, so one scrape serves yours and ours. Process metrics are left to you (`defaultMetrics`
   * defaults to false here). Not with `globalRegistry: true`.
   * @example
   * import { register } from 'prom-client';
   * telemetry.configure({ registry: register });
   */
  registry?: PromRegistryLike;
  /** Where warnings and errors go. Default: `console`. A logger that throws is contained. */
  logger?: Logger;
  /**
   * Longest wait of `shutdown()`, ms. Default 10_000. Discord messages still queued at the
   * deadline are dropped and counted (the notifiers' `stats().dropped`); a tracer shutdown still
   * running is left to finish unobserved (its exporter has its own `timeoutMs`).
   */
  shutdownTimeoutMs?: number;
  /**
   * Clock in ms since the epoch, for tests: it times the alert window, the alerts' `since`/`at`,
   * and the series cap's idle times. Default: `Date.now()` read at most once per millisecond (a
   * cached reading that a 1 ms timer clears; see `internal/clock.ts`). Span times, the Discord
   * summary's timestamp and the `shutdown()` deadline read the system clock, not this one.
   */
  now?: () => number;
}

/** A span exporter, typed by the methods the batch processor calls. */
export interface SpanExporterLike {
  /** Exports a batch and reports the outcome through `resultCallback` (OpenTelemetry's `SpanExporter.export`). */
  export(spans: unknown[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  /** Flushes and releases the exporter. */
  shutdown(): Promise<void>;
  /** Exports anything buffered now. */
  forceFlush?(): Promise<void>;
}

/** Options of `telemetry.init()`. Every field falls back to the standard `OTEL_*` environment variable. */
export interface InitOptions {
  /** `service.name` (else `OTEL_SERVICE_NAME`, else the SDK's default). */
  serviceName?: string;
  /**
   * OTLP/HTTP (JSON) export. `endpoint` is the collector's base URL (`http://localhost:4318`,
   * `/v1/traces` is appended) or a full traces URL ending in `/v1/traces`; else
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`/`OTEL_EXPORTER_OTLP_ENDPOINT`. `headers` are sent with
   * every export (Honeycomb: `{ 'x-honeycomb-team': key }`); else `OTEL_EXPORTER_OTLP_HEADERS`.
   */
  otlp?: {
    /** The collector's base URL or full traces URL. */
    endpoint?: string;
    /** Headers sent with every export. */
    headers?: Record<string, string>;
    /** Deadline of one export request, retries included, ms (the exporter's `timeoutMillis`). */
    timeoutMs?: number;
    /**
     * Deadline of the last export at `shutdown()`, ms: one attempt, no retry (the retries of a running
     * export wait 1 s, 1.5 s, … and would hold the exit when no collector is listening). Default 500.
     */
    finalExportTimeoutMs?: number;
  };
  /**
   * Also export the metric families over OTLP/HTTP to the same collector (`/v1/metrics`), with the same names,
   * labels as attributes, units and histogram buckets; the Prometheus exposition stays available. `true`, or
   * `{ intervalMs, timeoutMs }`; else on when `OTEL_METRICS_EXPORTER` lists `otlp`. Needs the optional peers
   * `@opentelemetry/sdk-metrics` 2 and `@opentelemetry/exporter-metrics-otlp-http` 0.2xx.
   */
  otlpMetrics?:
    | boolean
    | {
        /** Time between two exports, ms (`OTEL_METRIC_EXPORT_INTERVAL`, default 60_000). */
        intervalMs?: number;
        /** Deadline of one export, ms (`OTEL_METRIC_EXPORT_TIMEOUT`, default 30_000, at most `intervalMs`). */
        timeoutMs?: number;
      };
  /** Sample this share of new traces (0–1), parent-based. Else `OTEL_TRACES_SAMPLER`/`_ARG`, else all. */
  sampleRatio?: number;
  /** Batch processor tuning; else `OTEL_BSP_*`. */
  batch?: {
    /** Delay between two exports, ms (`OTEL_BSP_SCHEDULE_DELAY`). */
    scheduledDelayMs?: number;
    /** Spans held before new ones are dropped (`OTEL_BSP_MAX_QUEUE_SIZE`). */
    maxQueueSize?: number;
    /** Spans per export at most (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`). */
    maxExportBatchSize?: number;
    /** Deadline of one export, ms (`OTEL_BSP_EXPORT_TIMEOUT`). */
    exportTimeoutMs?: number;
  };
  /** Export to this exporter instead of OTLP/HTTP (still batched). */
  exporter?: SpanExporterLike;
  /** Extra resource attributes. */
  resourceAttributes?: Attributes;
}

/** What `init()` did. */
export interface InitResult {
  /** `registered`: our provider is the global one; `attached`: the app's provider was already registered and is used as is; `disabled`: `OTEL_SDK_DISABLED=true`. */
  tracing: 'registered' | 'attached' | 'disabled';
  /** prom-client loaded and the registry ready. */
  metrics: boolean;
  /** The metric families are exported over OTLP (`otlpMetrics`, `OTEL_METRICS_EXPORTER=otlp`). */
  otlpMetrics: boolean;
}

/** Options of `instrumentOpenAI`. */
export interface InstrumentOpenAIOptions {
  /** `gen_ai.provider.name`; default `openai` for `instrumentOpenAI`, `anthropic` for `instrumentAnthropic`, `gcp.gemini` (`gcp.vertex_ai` for a Vertex AI client) for `instrumentGemini`, taken from the model for the AI SDK middlewares (set it for OpenAI-compatible providers). */
  provider?: string;
  /** Overrides the telemetry instance's `captureContent`. */
  captureContent?: boolean;
}

/** Options of `telemetry.discord()`. */
export interface DiscordOptions {
  /** `https://discord.com/api/webhooks/{id}/{token}`. Never logged: errors show it as `…/webhooks/{id}/***`. */
  webhookUrl: string;
  /** Summary period, ms. Default 300_000 (5 min); 0 for alerts only. */
  intervalMs?: number;
  /** Post alert transitions too. Default true. */
  alerts?: boolean;
  /** Ask Discord to answer with the message (`?wait=true`). Default false (204 No Content). */
  wait?: boolean;
  /** Display name of the webhook's messages. */
  username?: string;
  /** Attempts per message on 429 and 5xx. Default 3. */
  maxAttempts?: number;
  /** Longest wait for a 429's `retry_after`, ms; a longer one drops the message. Default 60_000. */
  maxRetryAfterMs?: number;
  /** Messages kept while Discord is slow; more are dropped and counted. Default 50. */
  maxQueue?: number;
  /**
   * Deadline of each request, body included, ms. Default 5_000. A webhook that accepts the
   * connection and never answers counts as a network error at this deadline (retried up to
   * `maxAttempts`), instead of holding the queue for the runtime's own timeout (minutes).
   */
  requestTimeoutMs?: number;
  /**
   * Longest wait of `close()` (and of `telemetry.shutdown()` for this notifier), ms. Default 10_000.
   * What is still queued then is dropped and counted in `stats().dropped`, with one warning.
   */
  closeTimeoutMs?: number;
  /** Called when a message cannot be delivered, with an `EliteError` (code `DELIVERY_FAILED`). */
  onError?: (error: Error) => void;
  /** `fetch` to use. Default the global one. */
  fetch?: typeof fetch;
}
