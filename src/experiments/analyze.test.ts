import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import type { AnalyzeExperimentOptions } from './analysis-types.js';
import { analyzeExperiment } from './analyze.js';
import type { MetricStats, VariantMetricStats } from './metric-stats.js';

const mean = (units: number, sum: number, sumSquares: number): MetricStats => ({ kind: 'mean', units, sum, sumSquares });
const binomial = (units: number, sum: number): MetricStats => ({ kind: 'binomial', units, sum, sumSquares: sum });
const variants = (rows: [string, Record<string, MetricStats>][]): VariantMetricStats[] =>
  rows.map(([variant, metrics]) => ({ variant, units: Object.values(metrics)[0]?.units ?? 0, metrics }));
const options: AnalyzeExperimentOptions = {
  metrics: [
    { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
    { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
  ],
  goal: 'revenue',
  guardrails: ['errors'],
};

/** True when no number anywhere in the value is NaN. */
const noNaN = (value: unknown): boolean =>
  typeof value === 'number' ? !Number.isNaN(value) : typeof value === 'object' && value !== null ? Object.values(value).every(noNaN) : true;

describe('analyzeExperiment', () => {
  it('ships a variant that wins the goal without harming a guardrail, and says so', () => {
    const a = analyzeExperiment(
      variants([
        ['control', { revenue: mean(5000, 50000, 2.1e6), errors: binomial(5000, 100) }],
        ['b', { revenue: mean(5000, 56000, 2.3e6), errors: binomial(5000, 98) }],
      ]),
      options,
    );
    expect(a.decision).toBe('SHIP');
    expect(a.winner).toBe('b');
    expect(a.summary).toBe('Ship b: revenue +12.0% against control, with no guardrail harmed.');
    expect(a.metrics.map((m) => m.variants[1]?.comparison?.outcome)).toEqual(['BETTER', 'NO_HARM']);
    // One goal and one variant: no correction by default.
    expect(a.correction).toBe('none');
  });

  it('keeps control when the winner harms a guardrail (one-sided: more errors is harm)', () => {
    const a = analyzeExperiment(
      variants([
        ['control', { revenue: mean(5000, 50000, 2.1e6), errors: binomial(5000, 100) }],
        ['b', { revenue: mean(5000, 56000, 2.3e6), errors: binomial(5000, 150) }],
      ]),
      options,
    );
    const errors = a.metrics[1]?.variants[1]?.comparison;
    expect(errors?.outcome).toBe('HARM');
    expect(errors?.relative?.interval[1]).toBe(Number.POSITIVE_INFINITY);
    // Its only variant harms a guardrail: nothing can ship.
    expect(a.decision).toBe('KEEP_CONTROL');
    expect(a.summary).toBe('Keep control: b harms errors.');
  });

  it('corrects by Holm–Bonferroni by default when several variants are compared', () => {
    const rows = variants([
      ['control', { revenue: mean(1000, 10000, 4e5) }],
      ['b', { revenue: mean(1000, 10500, 4.2e5) }],
      ['c', { revenue: mean(1000, 9900, 3.9e5) }],
    ]);
    const a = analyzeExperiment(rows, { metrics: [options.metrics[0] as never], goal: 'revenue' });
    expect(a.correction).toBe('holm-bonferroni');
    for (const v of a.metrics[0]?.variants.slice(1) ?? []) {
      expect(v.comparison?.relative?.adjustedPValue).toBeGreaterThanOrEqual(v.comparison?.relative?.pValue ?? 1);
    }
  });

  it('reports a sample ratio mismatch instead of a decision', () => {
    const a = analyzeExperiment(
      variants([
        ['control', { revenue: mean(5000, 50000, 2.1e6) }],
        ['b', { revenue: mean(4000, 56000, 2.3e6) }],
      ]),
      { metrics: [options.metrics[0] as never], goal: 'revenue' },
    );
    expect(a.srm.mismatch).toBe(true);
    expect(a.decision).toBe('SAMPLE_RATIO_MISMATCH');
  });

  it('gives NOT_ENOUGH_DATA, never NaN, for 0 users, zero variance and a zero baseline', () => {
    for (const [control, variant, problem] of [
      [mean(0, 0, 0), mean(100, 50, 80), 'NO_UNITS'],
      [mean(100, 0, 0), mean(100, 50, 80), 'ZERO_VARIANCE'],
      [binomial(100, 100), binomial(100, 90), 'ZERO_VARIANCE'],
      // A zero baseline leaves the relative effect without a variance: gbstats reports it the same way.
      [mean(80, 0, 300), mean(70, 12, 250), 'ZERO_VARIANCE'],
    ] as const) {
      for (const engine of ['frequentist', 'bayesian'] as const) {
        const kind = control.kind;
        const a = analyzeExperiment(
          [
            { variant: 'control', units: control.units, metrics: { m: control } },
            { variant: 'b', units: variant.units, metrics: { m: variant } },
          ],
          { metrics: [{ key: 'm', kind, source: { event: 'm' } }], goal: 'm', engine, minimumDetectableEffect: 0.05 },
        );
        expect(a.metrics[0]?.variants[1]?.comparison).toEqual({ outcome: 'NOT_ENOUGH_DATA', problem });
        // 0 users against 100 is also a sample ratio mismatch, which takes precedence.
        expect(a.decision).toBe(problem === 'NO_UNITS' ? 'SAMPLE_RATIO_MISMATCH' : 'NOT_ENOUGH_DATA');
        expect(noNaN(a)).toBe(true);
      }
    }
  });

  it('refuses impossible statistics with INVALID_STATS', () => {
    const bad: [MetricStats, string][] = [
      [mean(-5, 0, 0), 'stats[1].metrics.revenue.units'],
      [mean(10.5, 1, 1), 'stats[1].metrics.revenue.units'],
      [mean(100, 50, 10), 'stats[1].metrics.revenue.sumSquares'],
      [mean(100, Number.NaN, 10), 'stats[1].metrics.revenue.sum'],
      [binomial(100, 120), 'stats[1].metrics.revenue.sum'],
      [
        { kind: 'ratio', units: 10, numerator: { sum: 5, sumSquares: 5 }, denominator: { sum: 5, sumSquares: 5 }, sumProducts: 50 },
        'stats[1].metrics.revenue.sumProducts',
      ],
    ];
    for (const [stats, field] of bad) {
      const run = () =>
        analyzeExperiment(
          [
            { variant: 'control', units: 100, metrics: { revenue: mean(100, 50, 80) } },
            { variant: 'b', units: 100, metrics: { revenue: stats } },
          ],
          { metrics: [{ key: 'revenue', kind: stats.kind, source: { event: 'p' } }], goal: 'revenue' },
        );
      if (stats.kind !== 'mean') {
        // A kind mismatch with control would be reported first: give control the same kind.
        continue;
      }
      expect(run).toThrow(EliteError);
      try {
        run();
      } catch (error) {
        expect((error as EliteError).code).toBe('INVALID_STATS');
        expect((error as EliteError).field).toBe(field);
      }
    }
    const kindMismatch = () =>
      analyzeExperiment(
        [
          { variant: 'control', units: 100, metrics: { revenue: mean(100, 50, 80) } },
          { variant: 'b', units: 100, metrics: { revenue: binomial(100, 120) } },
        ],
        { metrics: [{ key: 'revenue', kind: 'mean', source: { event: 'p' } }], goal: 'revenue' },
      );
    expect(kindMismatch).toThrow(/is "binomial" but metric "revenue" is mean/);
  });

  it('refuses bad options with INVALID_OPTIONS', () => {
    const rows = variants([
      ['control', { revenue: mean(100, 50, 80) }],
      ['b', { revenue: mean(100, 55, 90) }],
    ]);
    const base = { metrics: [options.metrics[0] as never], goal: 'revenue' };
    for (const bad of [
      { ...base, goal: 'nope' },
      { ...base, alpha: 0.7 },
      { ...base, engine: 'magic' as never },
      { ...base, correction: 'bonferroni' as never },
      { ...base, sequential: { tuning: -1 } },
      { ...base, engine: 'bayesian' as const, sequential: true },
      { ...base, control: 'zzz' },
    ]) {
      expect(() => analyzeExperiment(rows, bad)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
  });
});
