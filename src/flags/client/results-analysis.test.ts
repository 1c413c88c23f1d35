import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../adapters/memory.js';
import type { MetricStatsQuery, StorageAdapter } from '../../adapters/types.js';
import type { MetricDefinition, VariantMetricStats } from '../../experiments/index.js';
import { createFlags } from '../create-flags.js';
import type { FlagDefinition } from '../types.js';

const experiment: FlagDefinition = {
  key: 'checkout',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'b', weight: 50 },
  ],
};
const quiet = { warn: () => {}, error: () => {} };
const metrics: MetricDefinition[] = [
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
  { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
];
const known: VariantMetricStats[] = [
  {
    variant: 'control',
    units: 5000,
    metrics: {
      revenue: { kind: 'mean', units: 5000, sum: 50000, sumSquares: 2.1e6 },
      errors: { kind: 'binomial', units: 5000, sum: 100, sumSquares: 100 },
    },
  },
  {
    variant: 'b',
    units: 5000,
    metrics: {
      revenue: { kind: 'mean', units: 5000, sum: 56000, sumSquares: 2.3e6 },
      errors: { kind: 'binomial', units: 5000, sum: 98, sumSquares: 98 },
    },
  },
];

/** The memory store, with a queryMetricStats that records its query and answers known statistics. */
function stubStore(): { storage: StorageAdapter; queries: MetricStatsQuery[] } {
  const inner = createMemoryStorage({ flags: [experiment] });
  const queries: MetricStatsQuery[] = [];
  const storage: StorageAdapter = {
    metadata: inner.metadata,
    getFlag: (...a) => inner.getFlag(...a),
    listFlags: (...a) => inner.listFlags(...a),
    writeFlag: (...a) => inner.writeFlag(...a),
    deleteFlag: (...a) => inner.deleteFlag(...a),
    appendEvents: (...a) => inner.appendEvents(...a),
    queryResults: (...a) => inner.queryResults(...a),
    queryMetricStats: async (query) => {
      queries.push(query);
      return known;
    },
  };
  return { storage, queries };
}

describe('results() with metric analysis', () => {
  it('asks the store for the metrics’ statistics and returns the analysis beside the conversion results', async () => {
    const { storage, queries } = stubStore();
    const client = createFlags({ storage, logger: quiet });
    const results = await client.results('checkout', {
      since: '2026-01-01',
      analysis: { metrics, goal: 'revenue', guardrails: ['errors'], sequential: true },
    });
    expect(queries).toEqual([{ flagKey: 'checkout', environment: 'production', since: '2026-01-01T00:00:00.000Z', metrics }]);
    expect(results.variants.map((v) => v.variant)).toEqual(['control', 'b']);
    const analysis = results.analysis;
    expect(analysis?.sequentialTuning).toBe(5000);
    expect(analysis?.metrics.map((m) => [m.key, m.role, m.variants[1]?.comparison?.outcome])).toEqual([
      ['revenue', 'goal', 'BETTER'],
      ['errors', 'guardrail', 'NO_HARM'],
    ]);
    expect(analysis?.decision).toBe('SHIP');
    expect(analysis?.summary).toBe('Ship b: revenue +12.0% against control, with no guardrail harmed.');
  });

  it('leaves analysis out without the option, and rejects it for a store without queryMetricStats', async () => {
    const { storage, queries } = stubStore();
    const plain = await createFlags({ storage, logger: quiet }).results('checkout');
    expect(plain.analysis).toBeUndefined();
    expect(queries).toEqual([]);
    const { queryMetricStats: _, ...without } = storage;
    // A JavaScript adapter written before the method was required.
    const limited = createFlags({ storage: without as unknown as StorageAdapter, logger: quiet });
    await expect(limited.results('checkout', { analysis: { metrics, goal: 'revenue' } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
