import { analyzeExperiment, type MetricDefinition, type VariantMetricStats } from '@tiqology/elite/experiments';
import { describe, expect, it } from 'vitest';
import { metricChart, renderAnalysis } from './experiment-text.js';
import { renderIntervalChart } from './interval-chart.js';

const metrics: MetricDefinition[] = [
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
  { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
];
const stats: VariantMetricStats[] = [
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

describe('renderAnalysis', () => {
  it('prints', () => {
    const analysis = analyzeExperiment(stats, { metrics, goal: 'revenue', guardrails: ['errors'], sequential: true });
    console.log(renderAnalysis(analysis));
    const b = analyzeExperiment(stats, { metrics, goal: 'revenue', guardrails: ['errors'], engine: 'bayesian' });
    console.log(renderAnalysis(b));
    const thin = stats.map((s) => ({
      ...s,
      units: 0,
      metrics: {
        revenue: { kind: 'mean' as const, units: 0, sum: 0, sumSquares: 0 },
        errors: { kind: 'binomial' as const, units: 0, sum: 0, sumSquares: 0 },
      },
    }));
    console.log(renderAnalysis(analyzeExperiment(thin, { metrics, goal: 'revenue', guardrails: ['errors'] })));
  });
});
