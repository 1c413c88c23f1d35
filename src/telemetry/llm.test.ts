import { describe, expect, it } from 'vitest';
import { computeCostUsd, DEFAULT_PRICES, findPrice, PRICES_AS_OF, priceTableProblem } from './llm.js';

const price = (model: string) => {
  const p = findPrice(model);
  if (p === undefined) throw new Error(`no price for ${model}`);
  return p;
};

// Each expected figure is worked out by hand in the comment above it (USD per 1M tokens).
describe('computeCostUsd against hand-computed examples', () => {
  it('gpt-4o with cached input: cached tokens are a part of the input, priced once', () => {
    // 6,000 × 2.50 + 4,000 × 1.25 + 500 × 10 = 15,000 + 5,000 + 5,000 = 25,000 / 1M = 0.025
    expect(computeCostUsd({ inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 500 }, price('gpt-4o'))).toBeCloseTo(0.025, 12);
  });

  it('o3-mini with reasoning: reasoning tokens are a part of the output, not added again', () => {
    // 2,000 × 1.10 + 3,000 × 4.40 = 2,200 + 13,200 = 15,400 / 1M = 0.0154 (0.0264 if reasoning were counted twice)
    expect(computeCostUsd({ inputTokens: 2_000, outputTokens: 3_000, reasoningTokens: 2_500 }, price('o3-mini'))).toBeCloseTo(0.0154, 12);
  });

  it('a dated Anthropic snapshot finds its family; cache reads at the cache-read price', () => {
    // claude-sonnet-4-5: 20,000 × 3 + 80,000 × 0.30 + 1,000 × 15 = 60,000 + 24,000 + 15,000 = 99,000 / 1M = 0.099
    expect(
      computeCostUsd({ inputTokens: 100_000, cachedInputTokens: 80_000, outputTokens: 1_000 }, price('claude-sonnet-4-5-20250929')),
    ).toBeCloseTo(0.099, 12);
  });

  it('one million tokens each way of gpt-4o-mini costs its list prices added', () => {
    // 0.15 + 0.60 = 0.75
    expect(computeCostUsd({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, price('gpt-4o-mini-2024-07-18'))).toBeCloseTo(0.75, 12);
  });

  it('a model without a cache discount prices cached tokens as input', () => {
    // gpt-3.5-turbo: 1,000 × 0.50 = 500 / 1M = 0.0005, whatever part was cached
    expect(computeCostUsd({ inputTokens: 1_000, cachedInputTokens: 500, outputTokens: 0 }, price('gpt-3.5-turbo'))).toBeCloseTo(0.0005, 12);
  });

  it('clamps a cached count above the input count', () => {
    // gpt-4o: all 1,000 input tokens cached: 1,000 × 1.25 = 1,250 / 1M
    expect(computeCostUsd({ inputTokens: 1_000, cachedInputTokens: 5_000, outputTokens: 0 }, price('gpt-4o'))).toBeCloseTo(0.00125, 12);
  });
});

describe('findPrice', () => {
  it('prefers the longest family prefix', () => {
    expect(findPrice('gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICES['gpt-4o-mini']);
    expect(findPrice('gpt-4o-2024-08-06')).toBe(DEFAULT_PRICES['gpt-4o']);
    expect(findPrice('claude-sonnet-4-20250514')).toBe(DEFAULT_PRICES['claude-sonnet-4']);
    expect(findPrice('openai/gpt-4.1-nano')).toBe(DEFAULT_PRICES['gpt-4.1-nano']);
  });

  it('does not match a name that only shares letters', () => {
    expect(findPrice('gpt-4omni')).toBeUndefined();
    expect(findPrice('llama-3')).toBeUndefined();
    expect(findPrice('o3x')).toBeUndefined();
  });

  it('reads a caller table', () => {
    expect(findPrice('my-model-v2', { 'my-model': { input: 1, output: 2 } })).toEqual({ input: 1, output: 2 });
  });
});

describe('price table', () => {
  it('is dated and every entry is sane', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(priceTableProblem(DEFAULT_PRICES)).toBeUndefined();
    for (const p of Object.values(DEFAULT_PRICES)) {
      // Embedding models have no output tokens.
      if (p.output > 0) expect(p.output).toBeGreaterThanOrEqual(p.input);
      expect(p.cachedInput ?? p.input).toBeLessThanOrEqual(p.input);
    }
  });

  it('reports bad user tables', () => {
    expect(priceTableProblem(null)).toMatch(/prices must be an object/);
    expect(priceTableProblem({ m: 3 })).toMatch(/prices\["m"\]/);
    expect(priceTableProblem({ m: { input: -1, output: 1 } })).toMatch(/prices\["m"\]\.input must be a finite number ≥ 0/);
    expect(priceTableProblem({ m: { input: 1, output: 1, cachedInput: 'x' } })).toMatch(/cachedInput/);
  });
});

describe('price matching rules and cache writes', () => {
  it('a version suffix finds its family; another word after the key does not', () => {
    expect(findPrice('claude-3-5-sonnet-20241022')).toBe(DEFAULT_PRICES['claude-3-5-sonnet']);
    expect(findPrice('claude-3-5-sonnet-v2@20241022')).toBe(DEFAULT_PRICES['claude-3-5-sonnet']);
    expect(findPrice('claude-3-5-sonnet-latest')).toBe(DEFAULT_PRICES['claude-3-5-sonnet']);
    expect(findPrice('gemini-2.0-flash-001')).toBe(DEFAULT_PRICES['gemini-2.0-flash']);
    expect(findPrice('models/gemini-2.5-flash-preview-09-2025')).toBe(DEFAULT_PRICES['gemini-2.5-flash']);
    expect(findPrice('gpt-4o-audio-preview')).toBeUndefined();
    expect(findPrice('o1-pro')).toBeUndefined();
  });

  it('Anthropic cache writes at 1.25 × input and reads at 0.1 × input, each a part of the input', () => {
    // claude-sonnet-4-5: 20 × 3 + 1,000 × 3.75 + 3,000 × 0.30 + 30 × 15 = 5,160 / 1M
    expect(
      computeCostUsd(
        { inputTokens: 4_020, cacheCreationInputTokens: 1_000, cachedInputTokens: 3_000, outputTokens: 30 },
        price('claude-sonnet-4-5'),
      ),
    ).toBeCloseTo(0.00516, 12);
  });

  it('Claude 3 Haiku cache writes at their listed 0.30, not 1.25 × input', () => {
    // 1,000 cache writes × 0.30 + 100 uncached × 0.25 = 325 / 1M
    expect(computeCostUsd({ inputTokens: 1_100, cacheCreationInputTokens: 1_000, outputTokens: 0 }, price('claude-3-haiku'))).toBeCloseTo(
      0.000325,
      12,
    );
  });

  it('prices the newer families by their own entries, dated snapshots and previews included', () => {
    expect(findPrice('gpt-5.1-2025-11-13')).toMatchObject({ input: 1.25, cachedInput: 0.125, output: 10 });
    expect(findPrice('gpt-5.2-2025-12-11')).toMatchObject({ input: 1.75, cachedInput: 0.175, output: 14 });
    expect(findPrice('claude-opus-4-6')).toMatchObject({ input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 });
    expect(findPrice('claude-sonnet-4-6')).toMatchObject({ input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 });
    expect(findPrice('gemini-3-pro-preview-11-2025')).toMatchObject({ input: 2, cachedInput: 0.2, output: 12 });
    expect(findPrice('models/gemini-3-flash-preview')).toMatchObject({ input: 0.5, cachedInput: 0.05, output: 3 });
    // Another model of the family is not priced as it.
    expect(findPrice('gemini-3-pro-image-preview')).toBeUndefined();
    expect(findPrice('gpt-5.1-codex')).toBeUndefined();
  });
});
