// The default LLM price table against an independent, dated source: the @pydantic/genai-prices
// package (MIT, a dev dependency pinned to the version the table is dated from). For every entry, the
// package's price of the same model id (standard tier; the first tier of tiered prices) must equal
// ours for input, cache reads, cache writes and output, per million tokens.
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../src/telemetry/prices.js';

// Our provider names → the package's provider ids.
const PROVIDERS: Record<string, string | undefined> = { openai: 'openai', anthropic: 'anthropic', 'gcp.gemini': 'google' };
const FIELDS = [
  ['input', 'input_mtok'],
  ['cachedInput', 'cache_read_mtok'],
  ['cacheWrite', 'cache_write_mtok'],
  ['output', 'output_mtok'],
] as const;

function base(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'base' in value) return (value as { base: number }).base;
  return undefined;
}

describe('the default price table', () => {
  const entries = Object.entries(DEFAULT_PRICES);

  it('covers the three providers', () => {
    expect(new Set(entries.map(([, price]) => price.provider))).toEqual(new Set(Object.keys(PROVIDERS)));
  });

  it.each(entries)('%s matches the dated source', (model, price) => {
    const found = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: PROVIDERS[price.provider ?? ''] });
    expect(found, `${model}: the source has no price for it`).toBeTruthy();
    const theirs = found?.model_price as unknown as Record<string, unknown>;
    for (const [ours, field] of FIELDS) {
      const expected = base(theirs[field]);
      if (expected === undefined) continue;
      // Our cache rates default to the input rate; an embedding model's output rate is 0.
      const actual = price[ours] ?? (ours === 'output' ? 0 : price.input);
      expect(actual, `${model} ${ours}`).toBeCloseTo(expected, 9);
    }
  });
});
