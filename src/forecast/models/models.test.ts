import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../series.js';
import type { ModelContext } from '../types.js';
import { lagRegression, lagRegressionForecast } from './lag-regression.js';
import { createMstlEts, mstlEts } from './mstl-ets.js';
import { createProphet, prophet } from './prophet.js';
import { createSeasonalMean, seasonalMean, seasonalMeanForecast } from './seasonal-mean.js';
import { seasonalNaiveDay, seasonalNaiveForecast, seasonalNaiveWeek } from './seasonal-naive.js';

const T0 = Date.UTC(2026, 0, 5); // Monday
const context = (n: number): ModelContext => ({ startMs: T0, stepMs: HOUR_MS, periods: n >= 336 ? [24, 168] : n >= 48 ? [24] : [] });
/** Daily sine plus a weekend drop: the weekly pattern every model should learn. */
const pattern = (i: number) => 100 + 30 * Math.sin((2 * Math.PI * i) / 24) - (Math.floor(i / 24) % 7 >= 5 ? 40 : 0);
const make = (n: number, f = pattern) => Float64Array.from({ length: n }, (_, i) => f(i));
const maxError = (forecast: Float64Array, n: number, f = pattern) => Math.max(...Array.from(forecast, (v, h) => Math.abs(v - f(n + h))));

describe('seasonal naive', () => {
  it('repeats the last day or week, wrapping past one season', () => {
    const v = make(400);
    expect(Array.from(seasonalNaiveForecast(v, 30, 24))).toEqual([...Array.from(v.slice(376)), ...Array.from(v.slice(376, 382))]);
    expect(maxError(seasonalNaiveWeek.forecast(v, 168, context(400)).mean, 400)).toBeLessThan(1e-9);
    expect(seasonalNaiveDay.minLength(context(1))).toBe(24);
    expect(seasonalNaiveWeek.minLength({ ...context(1), stepMs: 11 * 60_000 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('seasonal mean', () => {
  it('reproduces an exact weekly pattern and follows a level shift', () => {
    const v = make(24 * 28);
    expect(maxError(seasonalMean.forecast(v, 48, context(v.length)).mean, v.length)).toBeLessThan(1e-9);
    const shifted = Float64Array.from(v, (x, i) => x + (i >= v.length - 24 ? 10 : 0));
    const f = seasonalMeanForecast(shifted, 24, 168, 24, { levelShift: 1, cycles: 4, decay: 1 });
    expect(f[0]! - pattern(v.length)).toBeCloseTo(10, 9);
    const noShift = createSeasonalMean({ levelShift: 0 }).forecast(shifted, 24, context(v.length)).mean;
    expect(maxError(noShift, v.length)).toBeLessThan(1e-9);
  });
});

describe('Prophet-style model', () => {
  it('learns the weekly pattern and reports additive components', () => {
    const n = 24 * 28;
    const out = prophet.forecast(make(n), 48, context(n));
    expect(maxError(out.mean, n)).toBeLessThan(3);
    const c = out.components!;
    out.mean.forEach((m, h) => {
      expect(c.trend[h]! + c.daily[h]! + c.weekly[h]!).toBeCloseTo(m, 9);
    });
    // The daily component carries the sine.
    expect(Math.max(...c.daily) - Math.min(...c.daily)).toBeGreaterThan(40);
  });

  it('follows a trend', () => {
    const f = (i: number) => 10 + 0.5 * i;
    const n = 24 * 10;
    expect(maxError(prophet.forecast(make(n, f), 24, context(n)).mean, n, f)).toBeLessThan(1);
  });

  it('gives the same forecast from the last origin of a backtest pass as from a plain fit', () => {
    const n = 24 * 21;
    const v = Float64Array.from({ length: n }, (_, i) => pattern(i) + Math.sin(i * 7.1) * 5);
    const all = prophet.forecastAtOrigins!(v, [n - 48, n - 24, n], 24, context(n));
    const plain = prophet.forecast(v, 24, context(n));
    all[2]!.mean.forEach((m, h) => {
      expect(m).toBeCloseTo(plain.mean[h]!, 9);
    });
    // An earlier origin sees only its prefix: changing later values leaves it alone.
    const changed = Float64Array.from(v, (x, i) => (i >= n - 24 ? x * 3 : x));
    const again = prophet.forecastAtOrigins!(changed, [n - 48, n - 24, n], 24, context(n));
    again[1]!.mean.forEach((m, h) => {
      expect(m).toBeCloseTo(all[1]!.mean[h]!, 9);
    });
  });

  it('drops terms the history cannot support', () => {
    const short = createProphet({ changepoints: 0, weekendOrder: 0 });
    const n = 24 * 3;
    expect(
      maxError(
        short.forecast(
          make(n, (i) => 5 + Math.sin((2 * Math.PI * i) / 24)),
          24,
          context(n),
        ).mean,
        n,
        (i) => 5 + Math.sin((2 * Math.PI * i) / 24),
      ),
    ).toBeLessThan(0.05);
    expect(prophet.minLength({ ...context(1), stepMs: 11 * 60_000 })).toBe(8);
  });
});

describe('MSTL + ETS', () => {
  it('separates daily and weekly shapes and forecasts them', () => {
    const n = 24 * 35;
    const out = mstlEts.forecast(make(n), 168, context(n));
    expect(maxError(out.mean, n)).toBeLessThan(2);
    expect(Math.max(...out.components!.weekly) - Math.min(...out.components!.weekly)).toBeGreaterThan(30);
    expect(Math.max(...out.components!.daily) - Math.min(...out.components!.daily)).toBeGreaterThan(50);
  });

  it('works with a daily season only, and with none', () => {
    const f = (i: number) => 20 + 3 * Math.sin((2 * Math.PI * i) / 24);
    expect(maxError(createMstlEts({ cycles: 2 }).forecast(make(96, f), 24, context(96)).mean, 96, f)).toBeLessThan(0.5);
    const flat = mstlEts.forecast(Float64Array.from([5, 5, 5, 5, 5, 5, 5, 5]), 3, { startMs: 0, stepMs: 11 * 60_000, periods: [] });
    expect(Array.from(flat.mean)).toEqual([5, 5, 5]);
  });
});

describe('lag regression', () => {
  it('learns to repeat the week when that is what the data does', () => {
    const n = 24 * 28;
    expect(maxError(lagRegression.forecast(make(n), 48, context(n)).mean, n)).toBeLessThan(5);
    const f = (i: number) => 10 + Math.sin((2 * Math.PI * i) / 24);
    expect(maxError(lagRegressionForecast(make(24 * 5, f), 24, HOUR_MS), 24 * 5, f)).toBeLessThan(0.1);
    expect(lagRegression.minLength({ ...context(1), stepMs: 11 * 60_000 })).toBe(Number.POSITIVE_INFINITY);
  });
});
