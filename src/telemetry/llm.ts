/**
 * OpenTelemetry GenAI semantic conventions (the names we emit, semconv 1.37 and later: `gen_ai.provider.name`
 * replaced `gen_ai.system`), and the price table re-exported from prices.ts.
 * @see https://opentelemetry.io/docs/specs/semconv/gen-ai/
 */

/** Span and metric attribute names of the OpenTelemetry GenAI semantic conventions, kept here so they are spelled once. */
export const GEN_AI = {
  /** Span attribute: the operation (`chat`, `embeddings`). */
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
  /** Span attribute: input tokens written to the prompt cache (Anthropic's cache creation). */
  USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  /** Span attribute: the number of dimensions of the embeddings returned. */
  EMBEDDINGS_DIMENSION_COUNT: 'gen_ai.embeddings.dimension.count',
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

/** `gen_ai.operation.name` value for chat completions (and the Responses API, Anthropic messages, AI SDK text). */
export const GEN_AI_OPERATION_CHAT = 'chat';

/** `gen_ai.operation.name` value for embeddings. */
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';

/** Bucket boundaries the GenAI conventions advise for `gen_ai.client.token.usage`. */
export const TOKEN_USAGE_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Bucket boundaries (seconds) the GenAI conventions advise for `gen_ai.client.operation.duration`. */
export const OPERATION_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

export type { ModelPrice, PriceSource, PriceTable, TokenCounts } from './prices.js';
export {
  computeCostUsd,
  DEFAULT_PRICES,
  findPrice,
  findPriceKey,
  PRICE_SOURCES,
  PRICES_AS_OF,
  priceTableProblem,
} from './prices.js';
