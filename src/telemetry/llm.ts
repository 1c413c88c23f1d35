/**
 * OpenTelemetry GenAI semantic conventions (the names we emit) and the LLM price table.
 * Pure: no clock, network or state beyond the caller's price table.
 * @see https://opentelemetry.io/docs/specs/semconv/gen-ai/
 */

/** Span and metric attribute names of the OpenTelemetry GenAI semantic conventions, kept here so they are spelled once. */
export const GEN_AI = {
  /** Span attribute: the operation (`chat`). */
  OPERATION_NAME: 'gen_ai.operation.name',
  /** Span attribute: the provider (`openai`, `anthropic`, …). */
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Span attribute: the model asked for. */
  REQUEST_MODEL: 'gen_ai.request.model',
  /** Span attribute: the request's token limit. */
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  /** Span attribute: the request's temperature. */
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  /** Span attribute: the request's top_p. */
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  /** Span attribute: whether the answer was streamed. */
  REQUEST_STREAM: 'gen_ai.request.stream',
  /** Span attribute: the model that answered. */
  RESPONSE_MODEL: 'gen_ai.response.model',
  /** Span attribute: the completion's id. */
  RESPONSE_ID: 'gen_ai.response.id',
  /** Span attribute: why each choice ended (`stop`, `length`, …). */
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  /** Span attribute: input tokens, cached ones included. */
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  /** Span attribute: output tokens, reasoning ones included. */
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  /** Span attribute: input tokens read from the prompt cache. */
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  /** Span attribute: output tokens spent reasoning. */
  USAGE_REASONING_OUTPUT_TOKENS: 'gen_ai.usage.reasoning.output_tokens',
  /** Metric attribute: `input` or `output`. */
  TOKEN_TYPE: 'gen_ai.token.type',
  /** Span attribute: the prompt messages, only with `captureContent`. */
  INPUT_MESSAGES: 'gen_ai.input.messages',
  /** Span attribute: the answer messages, only with `captureContent`. */
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  /** Time to the first streamed chunk, seconds (span attribute). */
  RESPONSE_TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  /** Span and metric attribute: the error's class or HTTP status. */
  ERROR_TYPE: 'error.type',
  /** Span attribute: the API host. */
  SERVER_ADDRESS: 'server.address',
  /** Span attribute: the API port. */
  SERVER_PORT: 'server.port',
  /** Metric: histogram of tokens per operation, split by `gen_ai.token.type` (`input`/`output`). */
  METRIC_TOKEN_USAGE: 'gen_ai.client.token.usage',
  /** Metric: histogram of operation duration in seconds. */
  METRIC_OPERATION_DURATION: 'gen_ai.client.operation.duration',
} as const;

/** `gen_ai.operation.name` value for chat completions. */
export const GEN_AI_OPERATION_CHAT = 'chat';

/** Bucket boundaries the GenAI conventions advise for `gen_ai.client.token.usage`. */
export const TOKEN_USAGE_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Bucket boundaries (seconds) the GenAI conventions advise for `gen_ai.client.operation.duration`. */
export const OPERATION_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** USD per 1 million tokens. `cachedInput` defaults to `input` when the provider has no cache discount. */
export interface ModelPrice {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M input tokens read from the prompt cache; default `input`. */
  cachedInput?: number;
  /** USD per 1M output tokens (reasoning included). */
  output: number;
}

/** Model name (or name prefix, see {@link findPrice}) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The date the default price table was compiled from the providers' published list prices. */
export const PRICES_AS_OF = '2025-11-24';

/**
 * Standard-tier list prices in USD per 1M tokens for the common OpenAI and Anthropic chat models,
 * as of {@link PRICES_AS_OF}. Anthropic's "cachedInput" is the cache-read price; cache writes are
 * not priced here (pass `costUsd` yourself if you use them). Prices change: override or extend
 * with `createTelemetry({ prices })`.
 */
export const DEFAULT_PRICES: PriceTable = {
  // OpenAI
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  // Anthropic
  'claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-1': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-opus-4': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-5-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, output: 4 },
  'claude-3-haiku': { input: 0.25, cachedInput: 0.03, output: 1.25 },
  'claude-3-opus': { input: 15, cachedInput: 1.5, output: 75 },
};

/**
 * The price of `model`: an exact entry, else the longest entry that is a prefix followed by `-`
 * (so dated snapshots such as `gpt-4o-2024-08-06` or `claude-sonnet-4-5-20250929` find their
 * family, and `gpt-4o-mini-…` finds `gpt-4o-mini`, not `gpt-4o`). A `vendor/` prefix is ignored.
 * Undefined when nothing matches.
 */
export function findPrice(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  if (Object.hasOwn(table, name)) return table[name];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (name.startsWith(key) && name.charCodeAt(key.length) === 45 /* - */ && (best === undefined || key.length > best.length)) {
      best = key;
    }
  }
  return best === undefined ? undefined : table[best];
}

/** Token counts the cost is computed from; see {@link computeCostUsd}. */
export interface TokenCounts {
  /** All prompt tokens, cached ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  /** All completion tokens, reasoning ones included. */
  outputTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cachedInputTokens?: number | undefined;
  /** The part of `outputTokens` spent on reasoning (priced as output, never added again). */
  reasoningTokens?: number | undefined;
}

/**
 * Cost in USD of one completion at `price`: uncached input at the input rate, cached input at the
 * cached rate, output (reasoning included) at the output rate. Cached tokens are a part of
 * `inputTokens` and reasoning tokens a part of `outputTokens`, so neither is counted twice.
 * A `cachedInputTokens` above `inputTokens` is clamped to it.
 *
 * @example
 * // gpt-4o, 10,000 input of which 4,000 cached, 500 output:
 * // 6,000 × 2.50 + 4,000 × 1.25 + 500 × 10 = 25,000 per 1M → 0.025 USD
 * computeCostUsd({ inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 500 }, DEFAULT_PRICES['gpt-4o']);
 */
export function computeCostUsd(tokens: TokenCounts, price: ModelPrice): number {
  const cached = Math.min(tokens.cachedInputTokens ?? 0, tokens.inputTokens);
  const micro =
    (tokens.inputTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + tokens.outputTokens * price.output;
  return micro / 1_000_000;
}

/** Checks a user-supplied price table; returns a problem description or undefined. */
export function priceTableProblem(table: unknown): string | undefined {
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    return 'prices must be an object of model → { input, output, cachedInput? }';
  for (const [model, price] of Object.entries(table)) {
    if (typeof price !== 'object' || price === null) return `prices["${model}"] must be { input, output, cachedInput? }`;
    for (const field of ['input', 'output', 'cachedInput'] as const) {
      const value = (price as Record<string, unknown>)[field];
      if (value === undefined && field === 'cachedInput') continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return `prices["${model}"].${field} must be a finite number ≥ 0 (USD per 1M tokens), got ${String(value)}`;
      }
    }
  }
  return undefined;
}
