/**
 * The LLM price table: dated list prices per provider, the rules that match a model id to its
 * entry, and the cost of one call. Pure: no clock, network or state beyond the caller's table.
 */

/** USD per 1 million tokens. The cache rates default to `input` when the provider has no cache discount. */
export interface ModelPrice {
  /** USD per 1M input tokens (not read from or written to the prompt cache). */
  input: number;
  /** USD per 1M input tokens read from the prompt cache; default `input`. */
  cachedInput?: number;
  /** USD per 1M input tokens written to the prompt cache (Anthropic's 5-minute cache writes); default `input`. */
  cacheWrite?: number;
  /** USD per 1M output tokens (reasoning included). */
  output: number;
  /** The provider whose list price this is (`openai`, `anthropic`, `gcp.gemini`); shown by `tiqology prices`. */
  provider?: string;
}

/** Model id (or id prefix, see {@link findPrice}) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** When and where each provider's default prices were read. */
export interface PriceSource {
  /** The day the prices were read from the page, `YYYY-MM-DD`. */
  asOf: string;
  /** The provider's pricing page. */
  url: string;
}

/** The date the default price table was last compiled (the newest of {@link PRICE_SOURCES}). */
export const PRICES_AS_OF = '2026-09-23';

/**
 * Each provider's pricing page and the day its default prices were read. Every entry was
 * cross-checked against the dated price data of the `@pydantic/genai-prices` package (0.1.8,
 * published 2026-09-23); `asOf` is that data's date.
 */
export const PRICE_SOURCES: Readonly<Record<string, PriceSource>> = {
  openai: { asOf: '2026-09-23', url: 'https://platform.openai.com/docs/pricing' },
  anthropic: { asOf: '2026-09-23', url: 'https://docs.anthropic.com/en/docs/about-claude/pricing' },
  'gcp.gemini': { asOf: '2026-09-23', url: 'https://ai.google.dev/gemini-api/docs/pricing' },
};

const openai = (input: number, output: number, cachedInput?: number): ModelPrice =>
  cachedInput === undefined ? { provider: 'openai', input, output } : { provider: 'openai', input, cachedInput, output };
// Anthropic: cache reads cost 0.1 × input, 5-minute cache writes 1.25 × input (Claude 3 Haiku's are listed apart).
const anthropic = (input: number, output: number, cachedInput = input / 10, cacheWrite = input * 1.25): ModelPrice => ({
  provider: 'anthropic',
  input,
  cachedInput,
  cacheWrite,
  output,
});
// Gemini: the ≤ 200k-token prompt tier (the long-prompt tier is not modelled).
const gemini = (input: number, output: number, cachedInput?: number): ModelPrice =>
  cachedInput === undefined ? { provider: 'gcp.gemini', input, output } : { provider: 'gcp.gemini', input, cachedInput, output };

/**
 * Standard-tier list prices in USD per 1M tokens for the common OpenAI, Anthropic and Gemini
 * models (chat and embeddings), as of each provider's {@link PRICE_SOURCES} date. Prices change:
 * override or extend them with `createTelemetry({ prices })` or a JSON file (`loadPriceFile`).
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5.2': openai(1.75, 14, 0.175),
  'gpt-5.1': openai(1.25, 10, 0.125),
  'gpt-5': openai(1.25, 10, 0.125),
  'gpt-5-mini': openai(0.25, 2, 0.025),
  'gpt-5-nano': openai(0.05, 0.4, 0.005),
  'gpt-5-chat-latest': openai(1.25, 10, 0.125),
  'gpt-4.1': openai(2, 8, 0.5),
  'gpt-4.1-mini': openai(0.4, 1.6, 0.1),
  'gpt-4.1-nano': openai(0.1, 0.4, 0.025),
  'gpt-4o': openai(2.5, 10, 1.25),
  'gpt-4o-mini': openai(0.15, 0.6, 0.075),
  'gpt-4-turbo': openai(10, 30),
  'gpt-3.5-turbo': openai(0.5, 1.5),
  o1: openai(15, 60, 7.5),
  'o1-mini': openai(1.1, 4.4, 0.55),
  o3: openai(2, 8, 0.5),
  'o3-mini': openai(1.1, 4.4, 0.55),
  'o4-mini': openai(1.1, 4.4, 0.275),
  'text-embedding-3-small': openai(0.02, 0),
  'text-embedding-3-large': openai(0.13, 0),
  'text-embedding-ada-002': openai(0.1, 0),
  'claude-opus-4-6': anthropic(5, 25),
  'claude-sonnet-4-6': anthropic(3, 15),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-3-5-sonnet': anthropic(3, 15),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-3-haiku': anthropic(0.25, 1.25, 0.03, 0.3),
  'claude-3-opus': anthropic(15, 75),
  'gemini-3-pro-preview': gemini(2, 12, 0.2),
  'gemini-3-flash-preview': gemini(0.5, 3, 0.05),
  'gemini-2.5-pro': gemini(1.25, 10, 0.125),
  'gemini-2.5-flash': gemini(0.3, 2.5, 0.03),
  'gemini-2.5-flash-lite': gemini(0.1, 0.4, 0.01),
  'gemini-2.0-flash': gemini(0.1, 0.4, 0.025),
  'gemini-2.0-flash-lite': gemini(0.075, 0.3),
  'gemini-embedding-001': gemini(0.15, 0),
};

// What may follow a table key and `-` for a model id to match it: a part starting with a digit
// (a date 2024-08-06 or 20241022, a version 001, a size 7b), `v` and a digit, `latest`, `preview`
// or `exp`, each with whatever follows.
const VERSION_SUFFIX = /^-(?:\d|v\d|latest|preview|exp)/;

/**
 * The table key that prices `model`, by these rules in order:
 * 1. a `vendor/` prefix (`openai/gpt-4o`, `models/gemini-2.5-flash`) and an `@version` suffix
 *    (`claude-3-5-sonnet-v2@20241022`) are removed;
 * 2. an exact key wins;
 * 3. else the longest key that the id starts with, followed by `-` and a version: a part that
 *    starts with a digit (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`,
 *    `gemini-2.0-flash-001`), `v` and a digit (`claude-3-5-sonnet-v2`), `latest`, `preview` or
 *    `exp`. So `gpt-4o-mini-2024-07-18` finds `gpt-4o-mini`, and `gpt-4o-audio-preview` or
 *    `o1-pro` find nothing (counted as unpriced) rather than another model's price.
 * Undefined when nothing matches.
 */
export function findPriceKey(model: string, table: PriceTable = DEFAULT_PRICES): string | undefined {
  let name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const at = name.indexOf('@');
  if (at > 0) name = name.slice(0, at);
  if (Object.hasOwn(table, name)) return name;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (
      name.startsWith(key) &&
      name.charCodeAt(key.length) === 45 /* - */ &&
      (best === undefined || key.length > best.length) &&
      VERSION_SUFFIX.test(name.slice(key.length))
    ) {
      best = key;
    }
  }
  return best;
}

/** The price of `model` by the rules of {@link findPriceKey}; undefined when nothing matches. */
export function findPrice(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const key = findPriceKey(model, table);
  return key === undefined ? undefined : table[key];
}

/** Token counts the cost is computed from; see {@link computeCostUsd}. */
export interface TokenCounts {
  /** All input tokens: uncached, read from the cache and written to it. */
  inputTokens: number;
  /** All output tokens, reasoning ones included. */
  outputTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cachedInputTokens?: number | undefined;
  /** The part of `inputTokens` written to the provider's prompt cache (Anthropic's cache creation). */
  cacheCreationInputTokens?: number | undefined;
  /** The part of `outputTokens` spent on reasoning (priced as output, never added again). */
  reasoningTokens?: number | undefined;
}

/**
 * Cost in USD of one call at `price`: uncached input at the input rate, cache reads at the
 * cached rate, cache writes at the cache-write rate, output (reasoning included) at the output
 * rate. Cache reads and writes are parts of `inputTokens` and reasoning tokens a part of
 * `outputTokens`, so none is counted twice. Parts above `inputTokens` are clamped to it.
 *
 * @example
 * // gpt-4o, 10,000 input of which 4,000 cached, 500 output:
 * // 6,000 × 2.50 + 4,000 × 1.25 + 500 × 10 = 25,000 per 1M → 0.025 USD
 * computeCostUsd({ inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 500 }, DEFAULT_PRICES['gpt-4o']);
 */
export function computeCostUsd(tokens: TokenCounts, price: ModelPrice): number {
  const cached = Math.min(tokens.cachedInputTokens ?? 0, tokens.inputTokens);
  const written = Math.min(tokens.cacheCreationInputTokens ?? 0, tokens.inputTokens - cached);
  const micro =
    (tokens.inputTokens - cached - written) * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    tokens.outputTokens * price.output;
  return micro / 1_000_000;
}

/** Checks a user-supplied price table; returns a problem description or undefined. */
export function priceTableProblem(table: unknown): string | undefined {
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    return 'prices must be an object of model → { input, output, cachedInput?, cacheWrite? }';
  for (const [model, price] of Object.entries(table)) {
    if (typeof price !== 'object' || price === null) return `prices["${model}"] must be { input, output, cachedInput?, cacheWrite? }`;
    for (const field of ['input', 'output', 'cachedInput', 'cacheWrite'] as const) {
      const value = (price as Record<string, unknown>)[field];
      if (value === undefined && (field === 'cachedInput' || field === 'cacheWrite')) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return `prices["${model}"].${field} must be a finite number ≥ 0 (USD per 1M tokens), got ${String(value)}`;
      }
    }
    const provider = (price as Record<string, unknown>).provider;
    if (provider !== undefined && typeof provider !== 'string') return `prices["${model}"].provider must be a string`;
  }
  return undefined;
}
