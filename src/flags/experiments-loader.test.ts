import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { loadExperiments as loadStatsEdge } from './experiments-loader.edge.js';
import { loadExperiments as loadStats } from './experiments-loader.js';

describe('stats loader', () => {
  it('loads the statistics on demand in the main build', async () => {
    const { computeResults } = await loadStats();
    const results = computeResults(
      [
        { variant: 'control', exposures: 10, conversions: 1, valueSum: 0, conversionEvents: 1 },
        { variant: 'variant-a', exposures: 10, conversions: 2, valueSum: 0, conversionEvents: 2 },
      ],
      { control: 50, 'variant-a': 50 },
    );
    expect(results.variants.map((v) => v.variant)).toEqual(['control', 'variant-a']);
  });

  it('rejects with UNSUPPORTED_RUNTIME in the Edge build, saying where to call results()', async () => {
    const error = await loadStatsEdge().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EliteError);
    expect(error).toMatchObject({ name: 'EliteError', code: 'UNSUPPORTED_RUNTIME' });
    expect((error as Error).message).toMatch(/edge-light.*Node\.js runtime/);
  });
});
