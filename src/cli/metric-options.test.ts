import { describe, expect, it } from 'vitest';
import { parseAnalysisOptions, parseMetric, parseRatio } from './metric-options.js';

describe('metric options of tiqology results', () => {
  it('reads --metric with its options and --ratio with per-side counts', () => {
    expect(parseMetric('orders:mean:purchase:count:decrease:cuped')).toEqual({
      key: 'orders',
      kind: 'mean',
      source: { event: 'purchase', aggregate: 'count' },
      direction: 'decrease',
      cuped: true,
    });
    expect(parseRatio('order-value:purchase/purchase:den-count')).toEqual({
      key: 'order-value',
      kind: 'ratio',
      source: { event: 'purchase' },
      denominator: { event: 'purchase', aggregate: 'count' },
    });
    expect(() => parseMetric('signup:binomial:signup:cuped')).toThrow(/CUPED applies to mean and ratio metrics only/);
    expect(() => parseMetric('aov:ratio:purchase')).toThrow(/ratio metrics take --ratio KEY:NUMERATOR\/DENOMINATOR/);
  });

  it('builds the analysis: goal first by default, guardrails, the rest secondary, --cuped on mean and ratio metrics', () => {
    const analysis = parseAnalysisOptions({
      metric: ['revenue:mean:purchase', 'signup:binomial:signup', 'latency:mean:page:decrease'],
      ratio: ['aov:purchase/purchase:den-count'],
      guardrail: ['latency'],
      correction: 'bh',
      cuped: true,
    });
    expect(analysis).toMatchObject({
      goal: 'revenue',
      secondary: ['signup', 'aov'],
      guardrails: ['latency'],
      engine: 'frequentist',
      correction: 'benjamini-hochberg',
    });
    expect(analysis?.metrics.map((m) => [m.key, m.cuped])).toEqual([
      ['revenue', true],
      ['signup', undefined],
      ['latency', true],
      ['aov', true],
    ]);
    expect(parseAnalysisOptions({ metric: ['a:mean:x', 'b:mean:y'], goal: ['b'] })).toMatchObject({ goal: 'b', secondary: ['a'] });
    expect(parseAnalysisOptions({ event: 'purchase' })).toBeUndefined();
    expect(() => parseAnalysisOptions({ metric: ['a:mean:x'], guardrail: ['a'] })).toThrow(/it is the goal/);
  });
});
