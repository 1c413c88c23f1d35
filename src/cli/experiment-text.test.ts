import { analyzeExperiment, type MetricDefinition, type VariantMetricStats } from '@tiqology/elite/experiments';
import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderAnalysis } from './experiment-text.js';
import { renderIntervalChart } from './interval-chart.js';

const metrics: MetricDefinition[] = [
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
  { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
];
const arm = (variant: string, units: number, revenue: number, squares: number, errors: number): VariantMetricStats => ({
  variant,
  units,
  metrics: {
    revenue: { kind: 'mean', units, sum: revenue, sumSquares: squares },
    errors: { kind: 'binomial', units, sum: errors, sumSquares: errors },
  },
});
const stats = [arm('control', 5000, 50000, 2.1e6, 100), arm('b', 5000, 56000, 2.3e6, 98), arm('c', 5000, 49000, 2.0e6, 160)];

describe('renderIntervalChart', () => {
  it('draws each interval on a shared scale with 0 marked, ends rounded outward, infinite ends as arrows', () => {
    // Data from −0.1 to +0.3: step 0.05, ends −0.15 and +0.35 (4 % of the span beyond the data, rounded out); 21 columns.
    const lines = renderIntervalChart(
      [
        { label: 'b', estimate: 0.1, interval: [-0.1, 0.3] },
        { label: 'long', estimate: -0.05, interval: [Number.NEGATIVE_INFINITY, 0] },
        { label: 'x', note: 'no interval: NO_UNITS' },
      ],
      21,
    );
    expect(lines).toEqual([
      'b       [---|---o-------]',
      // The upper end sits on 0 and is drawn over the 0 mark; the scale line still marks 0.
      'long  <---o-]',
      'x     no interval: NO_UNITS',
      '      −15%  0          +35%',
    ]);
  });

  it('prints no scale when no row has an interval', () => {
    expect(renderIntervalChart([{ label: 'b', note: 'no interval: NO_UNITS' }])).toEqual(['b  no interval: NO_UNITS']);
  });
});

describe('renderAnalysis', () => {
  it('prints every metric with effects, adjusted p-values, guardrail status, charts and the decision', () => {
    const analysis = analyzeExperiment(stats, { metrics, goal: 'revenue', guardrails: ['errors'], sequential: true });
    expect(renderAnalysis(analysis)).toBe(
      [
        'Metric analysis: frequentist, sequential (tuning 5000), correction holm-bonferroni, 95% intervals, control control',
        '',
        'revenue: goal, mean, higher is better',
        'Variant  Users   Mean   Effect [95% CI, adj.]  adj. p  Outcome',
        '───────  ─────  ─────  ──────────────────────  ──────  ────────────',
        'control   5000  10.00                       —       —  —',
        'b         5000  11.20  +12.0% [−1.5%, +25.5%]  0.0825  INCONCLUSIVE',
        'c         5000   9.80          −2.0% [−∞, +∞]  1.0000  INCONCLUSIVE',
        'Relative effect, 95% interval (adjusted), | is 0:',
        '  b      [-|------------o--------------]',
        '  c  <--o--|-------------------------------->',
        '     −5%   0                             +30%',
        '',
        'errors: guardrail, binomial, lower is better',
        'Variant  Users   Rate     Effect [95% CI]  p (one-sided)  Outcome',
        '───────  ─────  ─────  ──────────────────  ─────────────  ───────',
        'control   5000  2.00%                   —              —  —',
        'b         5000  1.96%  −2.0% [−40.6%, +∞]         0.4999  NO_HARM',
        'c         5000  3.20%  +60.0% [+3.6%, +∞]         0.0308  HARM',
        'Relative effect, 95% interval, | is 0:',
        '  b       [----------o|--------------------->',
        '  c                   |[--------------o----->',
        '     −60%             0                  +80%',
        '',
        'Guardrails: errors HARMED by c',
        'SRM: ok (p 1.0000)',
        'Decision: KEEP_RUNNING',
        'Keep running: no significant difference on revenue yet.',
      ].join('\n'),
    );
  });

  it('shows the chance to win with the Bayesian engine, CUPED and power lines, and colours the outcome', () => {
    const cupedStats = stats.slice(0, 2).map((s, i) => {
      const revenue = s.metrics.revenue as { kind: 'mean'; units: number; sum: number; sumSquares: number };
      return {
        ...s,
        metrics: { ...s.metrics, revenue: { ...revenue, pre: { sum: 48000 + i * 100, sumSquares: 1.9e6, sumProducts: 1.6e6 + i * 1e5 } } },
      };
    });
    const analysis = analyzeExperiment(cupedStats, {
      metrics: [{ ...metrics[0]!, cuped: true }, metrics[1]!],
      goal: 'revenue',
      guardrails: ['errors'],
      engine: 'bayesian',
      minimumDetectableEffect: 0.05,
    });
    const text = renderAnalysis(analysis, { colors: createColors(true) });
    expect(text).toContain('Chance to win');
    expect(text).not.toContain('p-value');
    expect(text).toMatch(/CUPED \(b\): θ [\d.]+, variance −\d+\.\d%/);
    expect(text).toMatch(/Power \(b\): \d+%, (POWERED|MORE_USERS)/);
    expect(text).toContain('\u001b[32mBETTER\u001b[39m');
    expect(text).toContain('>99.9%');
  });

  it('never prints NaN when a variant has no users (NOT_ENOUGH_DATA)', () => {
    const thin = [arm('control', 0, 0, 0, 0), arm('b', 0, 0, 0, 0)];
    const text = renderAnalysis(analyzeExperiment(thin, { metrics, goal: 'revenue', guardrails: ['errors'] }));
    expect(text).not.toMatch(/NaN|Infinity|undefined/);
    expect(text).toContain('b            0  0.0000                —        —  NOT_ENOUGH_DATA (NO_UNITS)');
    expect(text).toContain('  b  no interval: NO_UNITS');
    expect(text).toContain('Guardrails: errors not enough data (b)');
    expect(text).toContain('Decision: NOT_ENOUGH_DATA');
  });
});
