import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { traffic } from '../traffic.js';
import { createRandom } from '../trees/index.js';
import { cost, type DriverForecaster, seasonalNaiveDriver, trafficDriver } from './index.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 5); // a Monday

/** Hourly requests with daily and weekly seasonality, and cost = $0.002 per request + noise. */
function hourly(days: number, seed = 1) {
  const random = createRandom(seed);
  const requests: { timestamp: number; value: number }[] = [];
  const spend: { timestamp: number; value: number }[] = [];
  for (let i = 0; i < days * 24; i++) {
    const timestamp = START + i * HOUR;
    const hour = i % 24;
    const weekend = Math.floor(i / 24) % 7 >= 5;
    const r = (1000 + 600 * Math.sin(((hour - 6) / 24) * 2 * Math.PI)) * (weekend ? 0.6 : 1) * (0.9 + 0.2 * random.next());
    requests.push({ timestamp, value: r });
    spend.push({ timestamp, value: 0.002 * r + 0.1 * random.next() });
  }
  return { requests, spend };
}

describe('cost', () => {
  it('forecasts 7 daily costs from hourly history with drivers, intervals, total and summary', () => {
    const { requests, spend } = hourly(35);
    const result = cost(spend, { drivers: { requests } });
    expect(result.days).toHaveLength(7);
    expect(result.stepMs).toBe(HOUR);
    expect(result.days[0]!.date).toBe('2026-02-09');
    expect(result.days[6]!.timestamp - result.days[0]!.timestamp).toBe(6 * 24 * HOUR);
    // A stationary series: the next week (drivers forecast by traffic()) should cost about what the last one did.
    const lastWeek = spend.slice(-168).reduce((a, p) => a + p.value, 0);
    expect(result.total).toBeGreaterThan(lastWeek * 0.95);
    expect(result.total).toBeLessThan(lastWeek * 1.05);
    expect(result.total).toBeCloseTo(
      result.days.reduce((a, d) => a + d.costUsd, 0),
      9,
    );
    expect(result.averagePerDay).toBeCloseTo(result.total / 7, 9);
    for (const day of result.days) {
      expect(day.lower[95]).toBeLessThanOrEqual(day.lower[80]!);
      expect(day.lower[80]).toBeLessThanOrEqual(day.costUsd);
      expect(day.upper[80]).toBeGreaterThanOrEqual(day.costUsd);
      expect(day.upper[95]).toBeGreaterThanOrEqual(day.upper[80]!);
    }
    expect(result.totalLower[95]).toBeLessThan(result.total);
    expect(result.totalUpper[95]).toBeGreaterThan(result.total);
    expect(Object.keys(result.featureImportance)[0]).toBe('requests');
    expect(Object.values(result.featureImportance).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(result.backtest.folds).toBe(4);
    expect(result.backtest.days).toBe(28);
    expect(result.warnings).toEqual([]);
    const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(result.summary).toBe(`7-Day Forecast: $${money(result.total)} (avg $${money(result.averagePerDay)}/day)`);
    expect(result.summary).toMatch(/^7-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)$/);
  });

  it('uses the pluggable driver forecaster: doubling future requests roughly doubles the cost', () => {
    const { requests, spend } = hourly(28);
    const calls: number[] = [];
    const doubled: DriverForecaster = (values, steps, context) => {
      calls.push(steps);
      expect(context.stepMs).toBe(HOUR);
      return seasonalNaiveDriver(values, steps, context).map((v) => v * 1.5);
    };
    const base = cost(spend, { drivers: { requests }, horizonDays: 3 });
    const more = cost(spend, { drivers: { requests }, horizonDays: 3, forecastDriver: doubled });
    expect(calls.every((s) => s === 72)).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // Trees do not extrapolate past the largest request count seen, so the rise is capped.
    expect(more.total).toBeGreaterThan(base.total * 1.2);
    expect(more.days).toHaveLength(3);
    expect(more.summary.startsWith('3-Day Forecast: $')).toBe(true);
  });

  it('works on daily history without drivers, using the calendar and a trend', () => {
    const daily = Array.from({ length: 60 }, (_, i) => ({
      timestamp: new Date(START + i * 24 * HOUR).toISOString(),
      value: 20 + (i % 7 >= 5 ? -8 : 0) + (i >= 40 ? 5 : 0),
    }));
    const result = cost(daily, { levels: [90] });
    expect(result.stepMs).toBe(24 * HOUR);
    expect(Object.keys(result.featureImportance).sort()).toEqual(['dayOfMonth', 'dayOfWeek', 'trend']);
    const byWeekday = result.days.map((d) => d.costUsd);
    // Day 60 is a Friday (START is a Monday): weekend days forecast lower, around 17; weekdays around 25.
    expect(byWeekday[1]).toBeLessThan(19);
    expect(byWeekday[2]).toBeLessThan(19);
    expect(byWeekday[0]).toBeGreaterThan(23);
    expect(byWeekday[3]).toBeGreaterThan(23);
    expect(result.days[0]!.lower[90]).toBeLessThanOrEqual(result.days[0]!.costUsd);
  });

  it('falls back to normal intervals with a warning when few out-of-sample days exist', () => {
    const { spend } = hourly(9);
    const result = cost(spend, { horizonDays: 2 });
    expect(result.backtest.days).toBe(2);
    expect(result.warnings.join(' ')).toMatch(/out-of-sample days/);
    expect(result.days[0]!.upper[95]).toBeGreaterThan(result.days[0]!.costUsd);
  });

  it('does not clip negative costs and warns about them', () => {
    const daily = Array.from({ length: 30 }, (_, i) => ({ timestamp: START + i * 24 * HOUR, value: i % 2 ? -1 : 3 }));
    const result = cost(daily, { horizonDays: 1 });
    expect(result.warnings.join(' ')).toMatch(/negative/);
  });

  it('validates histories and drivers as toSeries does, with the SERIES_* codes and the argument named', () => {
    const { requests, spend } = hourly(8);
    const cases: Array<[() => unknown, string, string]> = [
      [() => cost(spend.slice(0, 100)), 'SERIES_TOO_SHORT', 'at least 7 days'],
      [() => cost('x' as never), 'INVALID_OPTIONS', 'history must be an array'],
      [() => cost([{ timestamp: START, value: 1 }]), 'SERIES_TOO_SHORT', 'history needs at least 2 points'],
      [() => cost(spend.map((p, i) => (i === 5 ? { ...p, value: Number.NaN } : p))), 'SERIES_NON_FINITE', 'history: value at 5'],
      [() => cost(spend.map((p, i) => (i === 5 ? { ...p, timestamp: 'not a date' } : p))), 'INVALID_TIMESTAMP', 'history[5].timestamp'],
      [() => cost(spend.map((p, i) => (i === 5 ? { ...p, timestamp: spend[4]!.timestamp } : p))), 'SERIES_DUPLICATE_TIMESTAMP', 'repeats'],
      [() => cost(spend.map((p, i) => (i === 5 ? { ...p, timestamp: START } : p))), 'SERIES_UNSORTED', 'Sort the points'],
      [
        () => cost(spend.map((p, i) => (i > 5 ? { ...p, timestamp: (p.timestamp as number) + 60_000 } : p))),
        'SERIES_IRREGULAR_STEP',
        'off the',
      ],
      [() => cost(spend.map((p, i) => ({ ...p, timestamp: START + i * 7 * HOUR }))), 'SERIES_IRREGULAR_STEP', 'divide a day'],
      [
        () => cost(spend, { drivers: { requests: requests.slice(1) } }),
        'SERIES_IRREGULAR_STEP',
        "drivers.requests must have exactly the history's",
      ],
      [
        () => cost(spend, { drivers: { requests: requests.map((p) => ({ ...p, timestamp: (p.timestamp as number) + HOUR })) } }),
        'SERIES_IRREGULAR_STEP',
        "history's timestamps",
      ],
      [
        () => cost(spend, { drivers: { requests: requests.map((p, i) => (i === 3 ? { ...p, value: Number.POSITIVE_INFINITY } : p)) } }),
        'SERIES_NON_FINITE',
        'drivers.requests: value at 3',
      ],
      [() => cost([null as never, ...spend]), 'INVALID_OPTIONS', 'history[0] must be an object'],
    ];
    for (const [call, code, text] of cases) {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EliteError);
      expect((caught as EliteError).name).toBe('EliteError');
      expect((caught as EliteError).code).toBe(code);
      expect((caught as EliteError).message).toContain(text);
      expect((caught as EliteError).field ?? 'history').toMatch(/^(history|drivers\.requests)/);
    }
  });

  it('takes RegularSeries (from parseCsvSeries, resample…) for the history and drivers, validated the same way', () => {
    const { requests, spend } = hourly(9);
    const grid = (points: { timestamp: number; value: number }[]) => ({
      startMs: points[0]!.timestamp,
      stepMs: HOUR,
      values: Float64Array.from(points, (p) => p.value),
    });
    const options = { horizonDays: 1, forecastDriver: seasonalNaiveDriver };
    expect(cost(grid(spend), { ...options, drivers: { requests: grid(requests) } })).toEqual(
      cost(spend, { ...options, drivers: { requests } }),
    );
    const bad = grid(spend);
    bad.values[7] = Number.NaN;
    expect(() => cost(bad)).toThrow(expect.objectContaining({ code: 'SERIES_NON_FINITE', field: 'history[7].value' }));
  });

  it('fills a short gap in the history by the toSeries rule instead of failing', () => {
    const { spend } = hourly(9);
    const gappy = spend.filter((_, i) => i !== 100);
    const filled = cost(gappy, { horizonDays: 1 });
    const full = cost(spend, { horizonDays: 1 });
    expect(filled.days[0]!.costUsd).toBeGreaterThan(full.days[0]!.costUsd * 0.9);
    expect(filled.days[0]!.costUsd).toBeLessThan(full.days[0]!.costUsd * 1.1);
  });

  it('throws INVALID_OPTIONS for bad options and a misbehaving driver forecaster', () => {
    const { requests, spend } = hourly(8);
    const cases: Array<() => unknown> = [
      () => cost(spend, { horizonDays: 0 }),
      () => cost(spend, { horizonDays: 1.5 }),
      () => cost(spend, { levels: [] }),
      () => cost(spend, { levels: [100] }),
      () => cost(spend, { forecastDriver: 3 as never }),
      () => cost(spend, { drivers: [] as never }),
      () => cost(spend, { drivers: { requests }, forecastDriver: () => [1, 2] }),
      () => cost(spend, { drivers: { requests }, forecastDriver: (_v, h) => new Array(h).fill(Number.NaN) }),
      () => cost(spend, { model: { nEstimators: -1 } }),
      () => cost(spend, { drivers: { trend: requests } }),
      () => cost(spend, { drivers: { '': requests } }),
    ];
    for (const call of cases) expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', name: 'EliteError' }));
  });

  it('seasonalNaiveDriver repeats last week, or last day, or the last value', () => {
    const ctx = { stepMs: HOUR, endMs: 0 };
    const week = Array.from({ length: 200 }, (_, i) => i);
    expect(seasonalNaiveDriver(week, 3, ctx)).toEqual([32, 33, 34]);
    const day = Array.from({ length: 30 }, (_, i) => i);
    expect(seasonalNaiveDriver(day, 25, ctx)[0]).toBe(6);
    expect(seasonalNaiveDriver(day, 25, ctx)[24]).toBe(6);
    expect(seasonalNaiveDriver([4, 5], 2, ctx)).toEqual([5, 5]);
  });

  it('trafficDriver (the default) is the traffic() mean, or the seasonal naive on histories too short for traffic()', () => {
    const { requests } = hourly(21);
    const values = requests.map((p) => p.value);
    const endMs = requests.at(-1)!.timestamp;
    const ctx = { stepMs: HOUR, endMs };
    expect(trafficDriver(values, 30, ctx)).toEqual(traffic(requests, { horizon: 30 }).steps.map((s) => s.mean));
    const short = values.slice(-40);
    expect(trafficDriver(short, 5, ctx)).toEqual(seasonalNaiveDriver(short, 5, ctx));
    // Daily steps: traffic() needs 12 points.
    const day = { stepMs: 24 * HOUR, endMs };
    expect(trafficDriver([1, 2, 3, 4, 5, 6, 7, 8], 2, day)).toEqual(seasonalNaiveDriver([1, 2, 3, 4, 5, 6, 7, 8], 2, day));
    const flat = trafficDriver(
      Array.from({ length: 30 }, () => 7),
      2,
      day,
    );
    expect(flat).toHaveLength(2);
    for (const v of flat) expect(v).toBeCloseTo(7, 9);
  });

  it('forecasts drivers with traffic() by default: a growing driver grows the cost, unlike the weekly seasonal naive', () => {
    // Requests grow 2% a day for five weeks; cost follows them.
    const random = createRandom(3);
    const requests: { timestamp: number; value: number }[] = [];
    const spend: { timestamp: number; value: number }[] = [];
    for (let i = 0; i < 35 * 24; i++) {
      const r = 1000 * 1.02 ** (i / 24) * (1 + 0.3 * Math.sin(((i % 24) / 24) * 2 * Math.PI)) * (0.95 + 0.1 * random.next());
      requests.push({ timestamp: START + i * HOUR, value: r });
      spend.push({ timestamp: START + i * HOUR, value: 0.002 * r });
    }
    const byTraffic = cost(spend, { drivers: { requests } });
    const byNaive = cost(spend, { drivers: { requests }, forecastDriver: seasonalNaiveDriver });
    const lastWeek = spend.slice(-168).reduce((a, p) => a + p.value, 0);
    expect(byNaive.total).toBeLessThan(lastWeek * 1.03);
    expect(byTraffic.total).toBeGreaterThan(byNaive.total);
  });
});
