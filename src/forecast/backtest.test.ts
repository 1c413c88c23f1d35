import { describe, expect, it } from 'vitest';
import { backtestModel, combineForecasts, meanAbsoluteError, planOrigins, residualHalfWidths, selectWeights } from './backtest.js';
import { recentCoverageFactors, weekAheadWidening } from './interval-drift.js';
import { seasonalNaiveDay } from './models/seasonal-naive.js';
import { HOUR_MS } from './series.js';
import type { Forecaster } from './types.js';

describe('planOrigins', () => {
  it('spaces origins a day apart so every step is scored from `count` origins', () => {
    expect(planOrigins(1000, 24, 24, 3, 48).origins).toEqual([928, 952, 976]);
    expect(planOrigins(1000, 48, 24, 3, 48).origins).toEqual([904, 928, 952, 976]);
    expect(planOrigins(100, 24, 24, 7, 48).origins).toEqual([52, 76]);
  });
});

describe('backtestModel', () => {
  it('scores each origin on the steps that exist and forecasts from the end', () => {
    const values = Float64Array.from({ length: 96 }, (_, i) => i);
    const plan = planOrigins(96, 30, 24, 2, 24);
    const run = backtestModel(seasonalNaiveDay, values, plan, { startMs: 0, stepMs: HOUR_MS, periods: [24] });
    expect(plan.origins).toEqual([24, 48, 72]);
    expect(run.forecasts.map((f) => f.length)).toEqual([30, 30, 24]);
    // Steps past one day wrap to two days back: error 48 on 6 + 6 steps, 24 on the other 72.
    expect(run.mae).toBeCloseTo((72 * 24 + 12 * 48) / 84, 12);
    expect(run.final.mean).toHaveLength(30);
  });

  it('uses forecast() per origin when the model has no fast path', () => {
    const seen: number[] = [];
    const model: Forecaster = {
      name: 'probe',
      minLength: () => 1,
      forecast: (v, h) => {
        seen.push(v.length);
        return { mean: new Float64Array(h).fill(v[v.length - 1]!) };
      },
    };
    backtestModel(model, new Float64Array(50), { origins: [10, 20], horizon: 5 }, { startMs: 0, stepMs: 1, periods: [] });
    expect(seen).toEqual([10, 20, 50]);
  });
});

describe('selection and intervals', () => {
  const values = Float64Array.from([0, 0, 0, 0, 10, 10, 10, 10]);
  const origins = [4];
  const run = (name: string, level: number) => ({
    name,
    forecasts: [new Float64Array(4).fill(level)],
    mae: Math.abs(10 - level),
    final: { mean: new Float64Array(4) },
  });

  it('averages the best three by MAE, leaving out those over maxRatio × the best', () => {
    const runs = [run('a', 4), run('b', 9), run('c', 12), run('d', 10)];
    // MAEs 6, 1, 2, 0: b and c are far behind d.
    expect(selectWeights(values, origins, runs).weights).toEqual([0, 0, 0, 1]);
    const s = selectWeights(values, origins, runs, 3, Number.POSITIVE_INFINITY);
    expect(s.weights).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
    expect(s.forecasts[0]![0]).toBeCloseTo((9 + 12 + 10) / 3, 12);
    expect(s.mae).toBeCloseTo(Math.abs(10 - 31 / 3), 12);
    expect(selectWeights(values, origins, [run('a', 4)]).weights).toEqual([1]);
    // MAEs 1, 1.1, 1.14: all within 15% of the best.
    const close = [run('a', 9), run('b', 11.1), run('c', 8.86)];
    expect(selectWeights(values, origins, close).weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(selectWeights(values, origins, close, 2).weights).toEqual([1 / 2, 1 / 2, 0]);
    expect(combineForecasts([run('a', 2), run('b', 4)], [0.5, 0.5])[0]![0]).toBe(3);
    expect(meanAbsoluteError(values, [], [])).toBeNaN();
  });

  it('ranks on the origins from rankFrom on, and reports the MAE over all of them', () => {
    // Two origins on a flat series at 10: `old` is exact at the first origin and off by 4 at the second;
    // `recent` the other way round but off by 6 at the first, so it is worse over both.
    const flat = new Float64Array(12).fill(10);
    const two = [2, 6];
    const make = (name: string, first: number, second: number) => {
      const forecasts = [new Float64Array(4).fill(first), new Float64Array(4).fill(second)];
      return { name, forecasts, mae: meanAbsoluteError(flat, two, forecasts), final: { mean: new Float64Array(4) } };
    };
    const runs = [make('old', 10, 14), make('recent', 16, 10)];
    expect(selectWeights(flat, two, runs, 1).weights).toEqual([1, 0]);
    const newest = selectWeights(flat, two, runs, 1, 1.15, 1);
    expect(newest.weights).toEqual([0, 1]);
    expect(newest.mae).toBe(3);
    expect(newest.forecasts).toHaveLength(2);
  });

  it('takes the ⌈(N + 1)·level⌉-th absolute residual of the pooled steps', () => {
    const v = Float64Array.from({ length: 30 }, () => 0);
    // Residuals 1..10 at step 0 across ten origins; nothing at step 1.
    const origins10 = Array.from({ length: 10 }, (_, j) => j);
    const forecasts = origins10.map((j) => Float64Array.from([-(j + 1)]));
    const [w80, w50] = residualHalfWidths(v, origins10, forecasts, 2, [80, 50], 0);
    expect(w80![0]).toBe(9); // ⌈11 · 0.8⌉ = 9
    expect(w50![0]).toBe(6); // ⌈11 · 0.5⌉ = 6
    expect(w80![1]).toBe(9); // no residual at step 1: the nearest step's
    const [none] = residualHalfWidths(v, [], [], 2, [80], 1);
    expect(Array.from(none!)).toEqual([0, 0]);
  });
});

describe('recentCoverageFactors', () => {
  // Eight origins one step apart on a zero series, each forecasting 4 steps; forecast j is off by err(j).
  const values = new Float64Array(40);
  const origins = [0, 4, 8, 12, 16, 20, 24, 28];
  const offBy = (err: (j: number) => number) => origins.map((_, j) => new Float64Array(4).fill(err(j)));

  it('is the rank of the newer residuals over the older half-widths', () => {
    // Older origins off by 1, newer by 3: the older quantile (1) must stretch 3×.
    expect(
      recentCoverageFactors(
        values,
        origins,
        offBy((j) => (j < 4 ? 1 : 3)),
        4,
        [80],
        0,
      ),
    ).toEqual([3]);
    expect(
      weekAheadWidening(
        values,
        origins,
        offBy((j) => (j < 4 ? 1 : 4)),
        4,
        [80],
        0,
      ),
    ).toEqual([2]);
    // Errors that shrank: c below 1, and the widening never narrows.
    expect(
      recentCoverageFactors(
        values,
        origins,
        offBy((j) => (j < 4 ? 2 : 1)),
        4,
        [80],
        0,
      ),
    ).toEqual([0.5]);
    expect(
      weekAheadWidening(
        values,
        origins,
        offBy((j) => (j < 4 ? 2 : 1)),
        4,
        [80, 95],
        0,
      ),
    ).toEqual([1, 1]);
  });

  it('is 1 with too few origins or older half-widths of zero under nonzero errors', () => {
    expect(recentCoverageFactors(values, [0, 4, 8], offBy(() => 1).slice(0, 3), 4, [80], 0)).toEqual([1]);
    expect(
      recentCoverageFactors(
        values,
        origins,
        offBy((j) => (j < 4 ? 0 : 1)),
        4,
        [80],
        0,
      ),
    ).toEqual([1]);
  });
});
