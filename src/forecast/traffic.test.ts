import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { DAY_AHEAD_MODELS } from './auto-models.js';
import { HOUR_MS } from './series.js';
import { traffic } from './traffic.js';
import type { RegularSeries } from './types.js';

const T0 = Date.UTC(2026, 0, 5);
const series = (values: ArrayLike<number>): RegularSeries => ({ startMs: T0, stepMs: HOUR_MS, values: Float64Array.from(values) });

/** Deterministic noise in [-0.5, 0.5). */
const noise = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
};
/** Traffic-like: daily peak, quieter weekends, slow growth, noise. */
const trafficLike = (weeks: number) =>
  Array.from({ length: weeks * 168 }, (_, i) => {
    const hour = i % 24;
    const weekend = Math.floor(i / 24) % 7 >= 5;
    return (100 + 0.02 * i) * (1 + 0.6 * Math.sin((2 * Math.PI * (hour - 6)) / 24)) * (weekend ? 0.7 : 1) + 8 * noise(i);
  });

describe('forecast.traffic', () => {
  const history = trafficLike(4);
  const result = traffic(series(history), { horizon: '24h', levels: [80, 95] });

  it('returns one step per horizon hour, on the grid after the history', () => {
    expect(result.steps).toHaveLength(24);
    expect(result.steps[0]!.timestamp.getTime()).toBe(T0 + history.length * HOUR_MS);
    expect(result.steps[23]!.timestamp.getTime()).toBe(T0 + (history.length + 23) * HOUR_MS);
    expect(result.stepMs).toBe(HOUR_MS);
    expect(result.levels).toEqual([80, 95]);
  });

  it('nests the intervals around the mean', () => {
    for (const s of result.steps) {
      expect(s.bounds[95]!.lower).toBeLessThanOrEqual(s.bounds[80]!.lower);
      expect(s.bounds[80]!.lower).toBeLessThanOrEqual(s.mean);
      expect(s.mean).toBeLessThanOrEqual(s.bounds[80]!.upper);
      expect(s.bounds[80]!.upper).toBeLessThanOrEqual(s.bounds[95]!.upper);
    }
  });

  it('reports the models, weights, components and backtest', () => {
    const weights = Object.values(result.weights);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(weights.length).toBeGreaterThanOrEqual(1);
    expect(weights.length).toBeLessThanOrEqual(3);
    for (const w of weights) expect(w).toBeCloseTo(1 / weights.length, 12);
    expect(result.model).toBe(weights.length === 1 ? Object.keys(result.weights)[0] : `ensemble(${Object.keys(result.weights).join('+')})`);
    // Only models within 15% of the best backtest MAE are averaged.
    const best = Math.min(...Object.values(result.backtest.models));
    for (const name of Object.keys(result.weights)) expect(result.backtest.models[name]!).toBeLessThanOrEqual(1.15 * best + 1e-12);
    expect(Object.keys(result.backtest.models).sort()).toEqual(DAY_AHEAD_MODELS.map((m) => m.name).sort());
    expect(result.backtest.origins).toBe(7);
    expect(result.backtest.mase).toBeGreaterThan(0);
    expect(result.backtest.mase).toBeLessThan(1);
    expect(result.backtest.smape).toBeGreaterThan(0);
    for (const key of ['trend', 'daily', 'weekly'] as const) expect(result.components[key]).toHaveLength(24);
    expect(result.history.values).toHaveLength(336);
    expect(result.history.startMs).toBe(T0 + (history.length - 336) * HOUR_MS);
    expect(result.warnings).toEqual([]);
  });

  it('is close to the truth on a clean pattern', () => {
    const truth = trafficLike(5).slice(history.length, history.length + 24);
    const mae = truth.reduce((s, v, i) => s + Math.abs(v - result.steps[i]!.mean), 0) / 24;
    expect(mae).toBeLessThan(10);
  });

  it('accepts points with ISO timestamps, a forced model and a week horizon', () => {
    const points = history.map((value, i) => ({ timestamp: new Date(T0 + i * HOUR_MS).toISOString(), value }));
    const week = traffic(points, { horizon: '7d', model: 'prophet', levels: [90] });
    expect(week.steps).toHaveLength(168);
    expect(week.model).toBe('prophet');
    expect(week.weights).toEqual({ prophet: 1 });
    expect(Object.keys(week.steps[0]!.bounds)).toEqual(['90']);
    const naive = traffic(points, { model: 'seasonal-naive-week' });
    expect(naive.steps.map((s) => s.mean)).toEqual(history.slice(-168, -144));
    expect(naive.components.trend).toHaveLength(24);
  });

  it('clips at zero when the history is never negative, not otherwise', () => {
    const spiky = Array.from({ length: 24 * 8 }, (_, i) => (i % 24 === 3 ? 1000 : 0) + (i % 5));
    const clipped = traffic(series(spiky));
    for (const s of clipped.steps) expect(s.bounds[95]!.lower).toBeGreaterThanOrEqual(0);
    const shifted = traffic(series(spiky.map((v) => v - 500)));
    expect(Math.min(...shifted.steps.map((s) => s.bounds[95]!.lower))).toBeLessThan(-500);
  });

  it('throws typed errors for bad input and options', () => {
    const bad: [() => unknown, string][] = [
      [() => traffic(series(history.slice(0, 71))), 'SERIES_TOO_SHORT'],
      [() => traffic(series(history.slice(0, 90)), { model: 'lag-regression' }), 'SERIES_TOO_SHORT'],
      [() => traffic(series([...history.slice(0, 99), Number.NaN])), 'SERIES_NON_FINITE'],
      [() => traffic(series(history), { levels: [100] }), 'INVALID_OPTIONS'],
      [() => traffic(series(history), { model: 'arima' as never }), 'INVALID_OPTIONS'],
      [() => traffic(series(history), { backtestOrigins: 0 }), 'INVALID_OPTIONS'],
      [() => traffic(series(history), { intervalWidening: 0 }), 'INVALID_OPTIONS'],
      [() => traffic(series(history), { horizon: 'tomorrow' }), 'INVALID_OPTIONS'],
      [() => traffic(series(history), null as never), 'INVALID_OPTIONS'],
    ];
    for (const [fn, code] of bad) {
      expect(fn).toThrow(EliteError);
      try {
        fn();
      } catch (error) {
        expect((error as EliteError).code).toBe(code);
      }
    }
  });

  it('works on steps that do not divide a day', () => {
    const s = { startMs: T0, stepMs: 7 * 60_000, values: Float64Array.from({ length: 60 }, (_, i) => 10 + (i % 4)) };
    const r = traffic(s, { horizon: '1h' });
    expect(r.steps).toHaveLength(9);
    for (const st of r.steps) expect(Number.isFinite(st.mean)).toBe(true);
  });
});

describe('forecast.traffic properties', () => {
  const opts = { numRuns: 25 };

  it('forecasts a constant series as that constant, with zero-width intervals', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 3, max: 28 }), (c, days) => {
        const r = traffic(series(new Array(days * 24).fill(c)));
        for (const s of r.steps) {
          expect(Math.abs(s.mean - c)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c)));
          expect(Math.abs(s.bounds[95]!.upper - s.bounds[95]!.lower)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(c)));
        }
      }),
      opts,
    );
  });

  it('recovers a pure sine of period 24', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.integer({ min: 3, max: 28 }),
        (amplitude, phase, offset, days) => {
          const f = (i: number) => offset + amplitude * Math.sin((2 * Math.PI * i) / 24 + phase);
          const n = days * 24;
          const r = traffic(series(Array.from({ length: n }, (_, i) => f(i))));
          r.steps.forEach((s, h) => {
            expect(Math.abs(s.mean - f(n + h))).toBeLessThanOrEqual(1e-6 * amplitude);
          });
        },
      ),
      opts,
    );
  });

  it('the Prophet-style model alone recovers the sine within 1% of its amplitude', () => {
    const f = (i: number) => 50 + 20 * Math.sin((2 * Math.PI * i) / 24);
    const r = traffic(series(Array.from({ length: 24 * 21 }, (_, i) => f(i))), { model: 'prophet' });
    r.steps.forEach((s, h) => {
      expect(Math.abs(s.mean - f(24 * 21 + h))).toBeLessThan(0.2);
    });
  });

  it('scales with the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 24 * 4, maxLength: 24 * 4 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (values, k) => {
          const a = traffic(series(values));
          const b = traffic(series(values.map((v) => k * v)));
          expect(b.model).toBe(a.model);
          a.steps.forEach((s, h) => {
            const t = b.steps[h]!;
            const tol = 1e-9 * k * (1 + Math.max(...values));
            expect(Math.abs(t.mean - k * s.mean)).toBeLessThanOrEqual(tol);
            expect(Math.abs(t.bounds[80]!.upper - k * s.bounds[80]!.upper)).toBeLessThanOrEqual(tol);
          });
        },
      ),
      opts,
    );
  });
});

describe('forecast.traffic robustness', () => {
  /** Any finite hourly history of 3 to 16 days (zeros and small counts mixed in), and a horizon up to 60 steps. */
  const historyAndHorizon = [
    fc.array(fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.constant(0), fc.integer({ min: 0, max: 5 })), {
      minLength: 72,
      maxLength: 24 * 16,
    }),
    fc.integer({ min: 1, max: 60 }),
  ] as const;

  it('keeps the 95 % interval around the 80 % one when their week-ahead widening factors differ (a run that broke it)', () => {
    // This seed once generated a 149-step history, 58 steps ahead, whose 80 % factor came out above the 95 % one.
    fc.assert(
      fc.property(...historyAndHorizon, (values, horizon) => {
        for (const s of traffic(series(values), { horizon }).steps) {
          expect(s.bounds[95]!.lower).toBeLessThanOrEqual(s.bounds[80]!.lower);
          expect(s.bounds[80]!.upper).toBeLessThanOrEqual(s.bounds[95]!.upper);
        }
      }),
      { numRuns: 8, seed: -1430554723, endOnFailure: true },
    );
  });

  it('returns finite, ordered forecasts for any finite history of three days or more', () => {
    fc.assert(
      fc.property(...historyAndHorizon, (values, horizon) => {
        const r = traffic(series(values), { horizon });
        expect(r.steps).toHaveLength(horizon);
        for (const s of r.steps) {
          expect(Number.isFinite(s.mean)).toBe(true);
          expect(s.bounds[95]!.lower).toBeLessThanOrEqual(s.bounds[80]!.lower);
          expect(s.bounds[80]!.upper).toBeLessThanOrEqual(s.bounds[95]!.upper);
        }
      }),
      { numRuns: 40 },
    );
  });
});
