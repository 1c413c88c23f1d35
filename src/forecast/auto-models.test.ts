import { describe, expect, it } from 'vitest';
import {
  DAY_AHEAD_BACKTEST_ORIGINS,
  DAY_AHEAD_MODELS,
  DAY_AHEAD_WIDENING,
  MIN_AUTO_HISTORY_DAYS,
  WEEK_AHEAD_BACKTEST_ORIGINS,
  WEEK_AHEAD_MODELS,
} from './auto-models.js';
import { seasonalMeanForecast } from './models/seasonal-mean.js';
import { seasonalMedian, seasonalMedianForecast, seasonalMedianLevel } from './models/seasonal-median.js';
import { HOUR_MS } from './series.js';
import { traffic } from './traffic.js';
import type { RegularSeries } from './types.js';

const T0 = Date.UTC(2026, 0, 5);
const series = (values: ArrayLike<number>): RegularSeries => ({ startMs: T0, stepMs: HOUR_MS, values: Float64Array.from(values) });
const noise = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
};
/** Daily peak, quieter weekends, noise: `hours` hourly points. */
const trafficLike = (hours: number) =>
  Array.from({ length: hours }, (_, i) => {
    const weekend = Math.floor(i / 24) % 7 >= 5;
    return 100 * (1 + 0.6 * Math.sin((2 * Math.PI * ((i % 24) - 6)) / 24)) * (weekend ? 0.7 : 1) + 8 * noise(i);
  });

describe('auto on short histories', () => {
  it('falls back to seasonal-naive-day under three weeks of history, with the reason in the result', () => {
    const history = trafficLike(14 * 24);
    const result = traffic(series(history), { horizon: '24h' });
    expect(result.fallback).toEqual({
      model: 'seasonal-naive-day',
      reason: 'short-history',
      message: expect.stringContaining('14 days of history'),
    });
    expect(result.fallback!.message).toContain(`${MIN_AUTO_HISTORY_DAYS} days`);
    expect(result.model).toBe('seasonal-naive-day');
    expect(result.weights).toEqual({ 'seasonal-naive-day': 1 });
    // Yesterday repeated.
    expect(result.steps.map((s) => s.mean)).toEqual(history.slice(-24));
    expect(Object.keys(result.backtest.models)).toEqual(['seasonal-naive-day']);
    for (const s of result.steps) expect(s.bounds[95]!.upper).toBeGreaterThan(s.bounds[95]!.lower);
  });

  it('does not fall back with three weeks of history, nor when a model is forced', () => {
    const full = traffic(series(trafficLike(MIN_AUTO_HISTORY_DAYS * 24)), { horizon: '24h' });
    expect(full.fallback).toBeUndefined();
    expect(Object.keys(full.backtest.models).length).toBeGreaterThan(1);
    const justShort = traffic(series(trafficLike(MIN_AUTO_HISTORY_DAYS * 24 - 1)), { horizon: '24h' });
    expect(justShort.fallback?.reason).toBe('short-history');
    const forced = traffic(series(trafficLike(14 * 24)), { horizon: '24h', model: 'mstl-ets' });
    expect(forced.fallback).toBeUndefined();
    expect(forced.model).toBe('mstl-ets');
  });

  it('reports models-failed when the forced model cannot be backtested', () => {
    // Ten days: the backtest origins see less than a week, so seasonal-naive-week has nothing to repeat.
    const result = traffic(series(trafficLike(10 * 24)), { horizon: '24h', model: 'seasonal-naive-week' });
    expect(result.fallback).toMatchObject({ model: 'seasonal-naive-day', reason: 'models-failed' });
    expect(result.model).toBe('seasonal-naive-day');
  });
});

describe('auto for the week ahead', () => {
  const history = trafficLike(8 * 168);

  it('backtests the week-ahead models for horizons past a day, the day-ahead ones up to a day', () => {
    const week = traffic(series(history), { horizon: '7d' });
    expect(week.steps).toHaveLength(168);
    expect(Object.keys(week.backtest.models).sort()).toEqual(WEEK_AHEAD_MODELS.map((m) => m.name).sort());
    for (const name of Object.keys(week.weights)) expect(WEEK_AHEAD_MODELS.map((m) => m.name)).toContain(name);
    expect(week.fallback).toBeUndefined();
    // Every step is scored from fourteen origins: 14 + 6 origins one day apart.
    expect(week.backtest.origins).toBe(20);
    const day = traffic(series(history), { horizon: '24h' });
    expect(Object.keys(day.backtest.models).sort()).toEqual(DAY_AHEAD_MODELS.map((m) => m.name).sort());
    expect(Object.keys(traffic(series(history), { horizon: 25 }).backtest.models).sort()).toEqual(
      WEEK_AHEAD_MODELS.map((m) => m.name).sort(),
    );
  });

  it('takes the week-ahead intervals from 14 origins, widened only by the history’s own drift; the day ahead from 7 by 1.2', () => {
    expect([WEEK_AHEAD_BACKTEST_ORIGINS, DAY_AHEAD_BACKTEST_ORIGINS, DAY_AHEAD_WIDENING]).toEqual([14, 7, 1.2]);
    const bounds = (r: ReturnType<typeof traffic>) => r.steps.map((s) => [s.bounds[80]!.lower, s.bounds[80]!.upper, s.bounds[95]!.upper]);
    const half = (r: ReturnType<typeof traffic>, level: number) => r.steps.map((s) => s.bounds[level]!.upper - s.mean);
    // Steady noise: the newer origins' errors are like the older ones', so no widening.
    const week = traffic(series(history), { horizon: '7d' });
    expect(week.backtest.origins).toBe(20);
    expect(bounds(week)).toEqual(bounds(traffic(series(history), { horizon: '7d', backtestOrigins: 14, intervalWidening: 1 })));
    // Noise that grows over the last three weeks: the week-ahead intervals widen past the raw quantiles.
    const growing = history.map((v, i) => v + (i > history.length - 3 * 168 ? 0.02 * (i - history.length + 3 * 168) * noise(i * 7) : 0));
    const auto = half(traffic(series(growing), { horizon: '7d' }), 80);
    const raw = half(traffic(series(growing), { horizon: '7d', intervalWidening: 1 }), 80);
    const ratio = auto[100]! / raw[100]!;
    expect(ratio).toBeGreaterThan(1.05);
    for (let h = 0; h < 168; h++) expect(auto[h]! / raw[h]!).toBeCloseTo(ratio, 9);
    const day = traffic(series(history), { horizon: '24h' });
    expect(day.backtest.origins).toBe(7);
    expect(bounds(day)).toEqual(bounds(traffic(series(history), { horizon: '24h', backtestOrigins: 7, intervalWidening: 1.2 })));
  });

  it('seasonal-median-level: the median shape at the level of the eight-week mean', () => {
    const values = Float64Array.from({ length: 5 * 168 }, (_, i) => (i % 168) + 1);
    values[4 * 168 + 10] = 1e4 + 11; // a spike in the last week, hour 10
    const context = { startMs: T0, stepMs: HOUR_MS, periods: [24, 168] };
    const out = seasonalMedianLevel.forecast(values, 200, context).mean;
    // The spike's 1e4 spread over the week and the five weeks the mean sees: every hour up by 1e4 / 168 / 5.
    const shift = 1e4 / 168 / 5;
    for (let h = 0; h < 168; h++) expect(out[h]).toBeCloseTo(h + 1 + shift, 9);
    // The week's total equals the mean profile's; the forecast cut short keeps the same shift.
    const mean = seasonalMeanForecast(values, 168, 168, 24, { cycles: 8, decay: 1, levelShift: 0 });
    expect(out.subarray(0, 168).reduce((a, b) => a + b, 0)).toBeCloseTo(
      mean.reduce((a, b) => a + b, 0),
      6,
    );
    expect(Array.from(seasonalMedianLevel.forecast(values, 24, context).mean)).toEqual(Array.from(out.subarray(0, 24)));
  });

  it('keeps the weekly shape a week out: weekend hours low, within 10% of the pattern', () => {
    const week = traffic(series(history), { horizon: '7d' });
    week.steps.forEach((s, h) => {
      const i = history.length + h;
      const weekend = Math.floor(i / 24) % 7 >= 5;
      const truth = 100 * (1 + 0.6 * Math.sin((2 * Math.PI * ((i % 24) - 6)) / 24)) * (weekend ? 0.7 : 1);
      expect(Math.abs(s.mean - truth)).toBeLessThan(10);
      expect(s.bounds[80]!.lower).toBeLessThanOrEqual(s.mean);
      expect(s.bounds[95]!.upper).toBeGreaterThanOrEqual(s.bounds[80]!.upper);
    });
  });

  it('seasonal-median ignores a spike in one past week', () => {
    const values = Float64Array.from({ length: 5 * 168 }, (_, i) => (i % 168) + 1);
    values[4 * 168 + 10] = 1e6; // last week, hour 10
    const out = seasonalMedianForecast(values, 168, 168);
    expect(out[10]).toBe(11);
    expect(Array.from(out)).toEqual(Array.from({ length: 168 }, (_, h) => h + 1));
    // With less than two weeks it takes the median of past days: the odd first day is outvoted.
    const days = Float64Array.from({ length: 3 * 24 }, (_, i) => (i < 24 ? 50 : i % 24));
    expect(seasonalMedian.forecast(days, 24, { startMs: T0, stepMs: HOUR_MS, periods: [24] }).mean[5]).toBe(5);
  });
});
