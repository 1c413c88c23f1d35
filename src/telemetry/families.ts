/**
 * The metric families of a telemetry instance (HTTP, LLM usage, GenAI conventions) and the policy
 * that decides which of their series survive the per-metric cap.
 */

import { coarseNow } from '../internal/clock.js';
import { EliteError } from '../internal/errors.js';
import { Family, type SeriesPolicy } from './capped-family.js';
import { HTTP_DURATION_BUCKETS, routeLabel } from './http-labels.js';
import { OPERATION_DURATION_BUCKETS, TOKEN_USAGE_BUCKETS } from './llm.js';
import type { TelemetryOptions } from './types.js';

/** Bucket boundaries (seconds) of `llm_time_to_first_token_seconds`. */
export const TTFT_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16];

/** Default of `TelemetryOptions.seriesIdleMs`: 10 minutes, many scrapes at any usual interval. */
export const DEFAULT_SERIES_IDLE_MS = 600_000;

/** The series-cap policy of an instance: which series are kept (`keepSeries`) and when one counts as idle. */
export function resolveSeriesPolicy(options: TelemetryOptions) {
  const idleMs = options.seriesIdleMs ?? DEFAULT_SERIES_IDLE_MS;
  if (typeof idleMs !== 'number' || !(idleMs >= 0)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: seriesIdleMs must be a number of ms ≥ 0 (Infinity: never evict), got ${String(idleMs)}`,
      {
        field: 'seriesIdleMs',
      },
    );
  }
  const list = (field: 'routes' | 'models'): Set<string> => {
    const values = options.keepSeries?.[field] ?? [];
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) {
      throw new EliteError('INVALID_OPTIONS', `elite/telemetry: keepSeries.${field} must be an array of strings`, {
        field: `keepSeries.${field}`,
      });
    }
    // Routes are kept as recorded, so the configured ones are normalised the same way.
    return new Set(field === 'routes' ? values.map(routeLabel) : values);
  };
  if (options.keepSeries !== undefined && (options.keepSeries === null || typeof options.keepSeries !== 'object')) {
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: keepSeries must be an object { routes?, models? }', { field: 'keepSeries' });
  }
  const kept = { route: list('routes'), model: list('models') };
  const epoch = { value: 0 };
  const now = options.now ?? coarseNow;
  return {
    epoch,
    forLabel: (index: number, kind: 'route' | 'model'): SeriesPolicy => ({
      idleMs,
      now,
      epoch,
      pinned: kept[kind].size === 0 ? undefined : (values) => kept[kind].has(values[index] as string),
    }),
  };
}

/** The series-cap policy of an instance, per label position. */
export type ResolvedSeriesPolicy = ReturnType<typeof resolveSeriesPolicy>;

/** Builds the instance's metric families; `all` lists them for the registry and the drop counters. */
export function createMetricFamilies(maxSeries: number, policy: ResolvedSeriesPolicy) {
  const byRoute = policy.forLabel(1, 'route');
  const byModel = policy.forLabel(1, 'model');
  const byGenAiModel = policy.forLabel(2, 'model');
  const llmLabels = ['provider', 'model'] as const;
  const genAiLabels = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const;
  const metrics = {
    httpDuration: new Family(
      'http_server_request_duration_seconds',
      'Duration of HTTP requests served, seconds.',
      'histogram',
      ['method', 'route', 'status_code'],
      maxSeries,
      HTTP_DURATION_BUCKETS,
      byRoute,
    ),
    httpErrors: new Family(
      'http_server_errors_total',
      'HTTP requests that failed (5xx or a thrown handler).',
      'counter',
      ['method', 'route', 'status_code'],
      maxSeries,
      [],
      byRoute,
    ),
    completions: new Family(
      'llm_chat_completions_total',
      'LLM calls (chat, embeddings) by outcome.',
      'counter',
      [...llmLabels, 'status'],
      maxSeries,
      [],
      byModel,
    ),
    tokens: new Family(
      'llm_tokens_total',
      'LLM tokens by type: input (cache reads and writes included), output (reasoning included), cached_input, cache_creation_input, reasoning.',
      'counter',
      [...llmLabels, 'type'],
      maxSeries,
      [],
      byModel,
    ),
    cost: new Family(
      'llm_cost_usd_total',
      'Estimated LLM cost in USD from the price table.',
      'counter',
      [...llmLabels],
      maxSeries,
      [],
      byModel,
    ),
    unpriced: new Family(
      'llm_unpriced_completions_total',
      'Completions of models missing from the price table (cost counted as 0).',
      'counter',
      [...llmLabels],
      maxSeries,
      [],
      byModel,
    ),
    tokenUsage: new Family(
      'gen_ai_client_token_usage',
      'Tokens per GenAI operation (OpenTelemetry gen_ai.client.token.usage).',
      'histogram',
      [...genAiLabels, 'gen_ai_token_type'],
      maxSeries,
      TOKEN_USAGE_BUCKETS,
      byGenAiModel,
    ),
    opDuration: new Family(
      'gen_ai_client_operation_duration_seconds',
      'Duration of GenAI operations, seconds (OpenTelemetry gen_ai.client.operation.duration).',
      'histogram',
      [...genAiLabels, 'error_type'],
      maxSeries,
      OPERATION_DURATION_BUCKETS,
      byGenAiModel,
    ),
    ttft: new Family(
      'llm_time_to_first_token_seconds',
      'Time to the first streamed chunk, seconds.',
      'histogram',
      [...llmLabels],
      maxSeries,
      TTFT_BUCKETS,
      byModel,
    ),
  };
  return { metrics, all: Object.values(metrics) as Family<'counter' | 'histogram'>[], epoch: policy.epoch };
}

/** The families by name, as `createMetricFamilies` returns them. */
export type MetricFamilies = ReturnType<typeof createMetricFamilies>['metrics'];
