import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { normalCdf, normalQuantile } from '../normal.js';
import { traffic } from '../traffic.js';
import { decide, type LoadForecastStep, probabilityAtMost, toLoadForecast, trainScalingPolicy } from './index.js';

const T0 = Date.UTC(2026, 2, 2);
const HOUR = 3_600_000;

/** A forecast of `hours` steps with normal-shaped bounds: mean m, sd s. */
function normalSteps(means: number[], sd: number): LoadForecastStep[] {
  return means.map((mean, i) => ({
    timestamp: T0 + i * HOUR,
    mean,
    lower: { 80: mean - 1.2816 * sd, 95: mean - 1.96 * sd },
    upper: { 80: mean + 1.2816 * sd, 95: mean + 1.96 * sd },
  }));
}

describe('normal helpers', () => {
  it('match textbook values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.281552)).toBeCloseTo(0.1, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.281552, 5);
  });
});

describe('probabilityAtMost', () => {
  const [step] = normalSteps([100], 10);
  it('reads the quantile knots, interpolates between them and has normal tails', () => {
    expect(probabilityAtMost(step!, 100)).toBeCloseTo(0.5, 7);
    expect(probabilityAtMost(step!, 100 + 12.816)).toBeCloseTo(0.9, 9);
    expect(probabilityAtMost(step!, 100 - 19.6)).toBeCloseTo(0.025, 9);
    expect(probabilityAtMost(step!, 106)).toBeGreaterThan(0.5);
    expect(probabilityAtMost(step!, 106)).toBeLessThan(0.9);
    // Beyond the 95% bound: the fitted normal tail, close to the true normal.
    expect(probabilityAtMost(step!, 130)).toBeCloseTo(normalCdf(3), 3);
    expect(probabilityAtMost(step!, 70)).toBeCloseTo(normalCdf(-3), 3);
  });

  it('treats a step without bounds as certain, and degenerate bounds as steps', () => {
    expect(probabilityAtMost({ timestamp: 0, mean: 5, lower: {}, upper: {} }, 4.9)).toBe(0);
    expect(probabilityAtMost({ timestamp: 0, mean: 5, lower: {}, upper: {} }, 5)).toBe(1);
    const flat = { timestamp: 0, mean: 5, lower: { 80: 5 }, upper: { 80: 5 } };
    expect(probabilityAtMost(flat, 4)).toBe(0);
    expect(probabilityAtMost(flat, 6)).toBe(1);
    // A lower bound above the mean is moved onto the mean instead of breaking monotonicity.
    expect(probabilityAtMost({ timestamp: 0, mean: 5, lower: { 80: 7 }, upper: { 80: 9 } }, 5)).toBeCloseTo(0.5, 7);
  });

  it('property: is a CDF (monotone, within [0, 1])', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 1e4, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (mean, sd, x, dx) => {
          const [step] = normalSteps([mean], sd);
          const a = probabilityAtMost(step!, x);
          const b = probabilityAtMost(step!, x + dx);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(1);
          expect(b).toBeGreaterThanOrEqual(a - 1e-12);
        },
      ),
    );
  });
});

describe('toLoadForecast', () => {
  it('accepts steps, objects holding steps/forecast/points, value instead of mean and string levels', () => {
    const steps = normalSteps([1, 2], 1);
    expect(toLoadForecast(steps).steps).toEqual(steps);
    expect(toLoadForecast({ steps }).steps).toEqual(steps);
    expect(toLoadForecast({ forecast: steps }).steps).toEqual(steps);
    const parsed = toLoadForecast({ points: [{ timestamp: '2026-03-02T00:00:00Z', value: 3, lower: { '80': 2 }, upper: { '80': 4 } }] });
    expect(parsed.steps[0]).toEqual({ timestamp: T0, mean: 3, lower: { 80: 2 }, upper: { 80: 4 } });
  });

  it('throws INVALID_OPTIONS for anything else', () => {
    const bad = [
      undefined,
      null,
      [],
      { steps: 'x' },
      [{ timestamp: 'nope', mean: 1 }],
      [{ timestamp: T0, mean: Number.NaN }],
      [{ timestamp: T0, mean: 1, lower: 3 }],
      [{ timestamp: T0, mean: 1, upper: { 120: 3 } }],
      [{ timestamp: T0, mean: 1, upper: { 80: 'x' } }],
      [null],
    ];
    for (const source of bad)
      expect(() => toLoadForecast(source)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', name: 'EliteError' }));
  });
});

/** Three weeks of hourly requests with a daily cycle peaking at 14:00 UTC (about 1,000 to 4,000). */
function requestHistory(weeks = 3) {
  return Array.from({ length: weeks * 168 }, (_, i) => ({
    timestamp: new Date(T0 + i * HOUR).toISOString(),
    value: 2500 + 1500 * Math.sin((((i % 24) - 8) / 24) * 2 * Math.PI) + 40 * Math.sin(i * 1.7),
  }));
}

describe('decide on a real traffic() forecast', () => {
  const history = requestHistory();
  const result = traffic(history, { horizon: '24h' });

  it('toLoadForecast reads traffic() output as it is (Date timestamps, bounds per level)', () => {
    const load = toLoadForecast(result);
    expect(load.steps).toHaveLength(result.steps.length);
    result.steps.forEach((step, i) => {
      expect(load.steps[i]).toEqual({
        timestamp: step.timestamp.getTime(),
        mean: step.mean,
        lower: { 80: step.bounds[80]!.lower, 95: step.bounds[95]!.lower },
        upper: { 80: step.bounds[80]!.upper, 95: step.bounds[95]!.upper },
      });
    });
    expect(() => toLoadForecast([{ timestamp: T0, mean: 1, bounds: 3 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'forecast[0].bounds' }),
    );
    expect(() => toLoadForecast([{ timestamp: T0, mean: 1, bounds: { 80: { lower: 'x', upper: 2 } } }])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('decides from it against capacity, with a summary line and reasons a CLI can print', () => {
    const peak = Math.max(...result.steps.map((s) => s.mean));
    // Capacity well under the daily peak: the load will exceed 80% of it.
    const busy = decide({ forecast: result, capacity: peak, metrics: { cpuPercent: 72 } });
    expect(busy.decision).toBe('SCALE_UP');
    expect(busy.confidence).toBeGreaterThan(0.5);
    expect(busy.summary).toBe(`Decision: SCALE_UP (confidence: ${Math.round(busy.confidence * 100)}%)`);
    expect(busy.reasons[0]).toMatch(/^Forecast peak: [\d,]+ \(100% of capacity\) at 2026-03-2\dT14:00:00.000Z$/);
    expect(busy.reasons.at(-1)).toBe('CPU: 72%');
    expect(busy.forecast?.steps).toHaveLength(24);
    expect(busy.traffic).toBeUndefined();
    // Capacity ten times the peak: load stays under 30% of it at every step.
    const idle = decide({ forecast: result, capacity: 10 * peak });
    expect(idle.decision).toBe('SCALE_DOWN');
    expect(idle.summary).toMatch(/^Decision: SCALE_DOWN \(confidence: \d+%\)$/);
  });

  it('runs traffic(history) itself when given a load history and no forecast', () => {
    const direct = decide({ forecast: result, capacity: 5000 });
    const fromHistory = decide({ history, capacity: 5000 });
    expect(fromHistory).toEqual({ ...direct, traffic: result });
    expect(fromHistory.traffic?.steps).toHaveLength(24);
    const sixHours = decide({ history }, { kind: 'thresholds', capacity: 5000, traffic: { horizon: '6h', levels: [90] } });
    expect(sixHours.forecast?.steps).toHaveLength(6);
    expect(Object.keys(sixHours.forecast!.steps[0]!.upper)).toEqual(['90']);
    expect(() => decide({ history: history.slice(0, 30), capacity: 5000 })).toThrow(expect.objectContaining({ code: 'SERIES_TOO_SHORT' }));
    const series = { startMs: T0, stepMs: HOUR, values: Float64Array.from(history, (p) => p.value) };
    expect(decide({ history: series, capacity: 5000 })).toEqual(fromHistory);
    expect(() => decide({ capacity: 5000 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'forecast' }));
  });
});

describe('decide with the threshold policy', () => {
  it('scales up when the window peak is likely above the threshold, with that probability as confidence', () => {
    // Peak mean 90 with sd 10 against 80: P(above) = Φ(1) ≈ 0.84.
    const forecast = { steps: normalSteps([50, 70, 90, 60], 10) };
    const result = decide({ forecast, capacity: 100, metrics: { cpuPercent: 72.4, memoryPercent: 68, latencyMs: 519.6 } });
    expect(result.decision).toBe('SCALE_UP');
    expect(result.confidence).toBeCloseTo(normalCdf(1), 2);
    expect(result.reasons).toContain('CPU: 72%');
    expect(result.reasons).toContain('Memory: 68%');
    expect(result.reasons).toContain('Latency: 520ms');
    expect(result.reasons[0]).toMatch(/^Forecast peak: 90 \(90% of capacity\)/);
    expect(result.reasons[1]).toBe(`P(load > 80% of capacity): ${result.probabilities.SCALE_UP.toFixed(2)}`);
    expect(result.featureImportance).toEqual({});
    expect(result.forecast?.steps).toHaveLength(4);
  });

  it('scales down only when every step is likely below the low threshold', () => {
    const low = decide({ forecast: normalSteps([10, 12, 15], 3) }, { kind: 'thresholds', capacity: 100 });
    expect(low.decision).toBe('SCALE_DOWN');
    expect(low.confidence).toBeCloseTo(normalCdf((30 - 15) / 3), 3);
    const oneBusy = decide({ forecast: normalSteps([10, 12, 45], 3) }, { kind: 'thresholds', capacity: 100 });
    expect(oneBusy.decision).toBe('MAINTAIN');
  });

  it('maintains in the comfortable band, confidence = 1 − P(up) − P(down)', () => {
    const result = decide({ forecast: normalSteps([55, 60], 5), capacity: 100, metrics: {} });
    expect(result.decision).toBe('MAINTAIN');
    expect(result.confidence).toBeCloseTo(1 - result.probabilities.SCALE_UP - result.probabilities.SCALE_DOWN, 12);
    expect(result.confidence).toBeGreaterThan(0.99);
    expect(result.reasons.some((r) => r.startsWith('CPU'))).toBe(false);
  });

  it('honours scaleUpAt, scaleDownAt, windowSteps and input.capacity over the policy', () => {
    const forecast = normalSteps([50, 50, 95], 2);
    expect(decide({ forecast }, { kind: 'thresholds', capacity: 100, windowSteps: 2 }).decision).toBe('MAINTAIN');
    expect(decide({ forecast }, { kind: 'thresholds', capacity: 100 }).decision).toBe('SCALE_UP');
    expect(decide({ forecast, capacity: 1000 }, { kind: 'thresholds', capacity: 100, windowSteps: 2 }).decision).toBe('SCALE_DOWN');
    expect(decide({ forecast }, { kind: 'thresholds', capacity: 100, scaleUpAt: 0.4, windowSteps: 2 }).decision).toBe('SCALE_UP');
  });

  it('property: more load never lowers P(up) nor raises P(down)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (means, extra) => {
          const a = decide({ forecast: normalSteps(means, 8), capacity: 100 });
          const b = decide({
            forecast: normalSteps(
              means.map((m) => m + extra),
              8,
            ),
            capacity: 100,
          });
          expect(b.probabilities.SCALE_UP).toBeGreaterThanOrEqual(a.probabilities.SCALE_UP - 1e-9);
          expect(b.probabilities.SCALE_DOWN).toBeLessThanOrEqual(a.probabilities.SCALE_DOWN + 1e-9);
          expect(a.confidence).toBeGreaterThanOrEqual(0);
          expect(a.confidence).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('throws INVALID_OPTIONS for missing capacity or forecast and bad thresholds', () => {
    const forecast = normalSteps([1], 1);
    const cases: Array<() => unknown> = [
      () => decide({ forecast }),
      () => decide({ forecast, capacity: 0 }),
      () => decide({ capacity: 10 }),
      () => decide({ forecast, capacity: 10 }, { kind: 'thresholds', scaleUpAt: 0.3, scaleDownAt: 0.5 }),
      () => decide({ forecast, capacity: 10 }, { kind: 'thresholds', windowSteps: 0 }),
      () => decide(null as never),
    ];
    for (const call of cases) expect(call).toThrow(EliteError);
    for (const call of cases) expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('decide with a learned policy', () => {
  // A toy table: SCALE_UP when feature a is high, SCALE_DOWN when low.
  const x: number[][] = [];
  const y: Array<'SCALE_UP' | 'SCALE_DOWN' | 'MAINTAIN'> = [];
  for (let i = 0; i < 300; i++) {
    const a = (i * 37) % 100;
    const b = (i * 11) % 13;
    x.push([a, b]);
    y.push(a > 70 ? 'SCALE_UP' : a < 30 ? 'SCALE_DOWN' : 'MAINTAIN');
  }
  const policy = trainScalingPolicy({ featureNames: ['a', 'b'], x, y }, { forest: { nEstimators: 20, minSamplesLeaf: 2 } });

  it('decides from a feature row with the class probability as confidence and permutation importance', () => {
    expect(policy.holdout.accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(policy.featureImportance)[0]).toBe('a');
    const up = decide({ features: { a: 90, b: 3 }, metrics: { cpuPercent: 91 } }, policy);
    expect(up.decision).toBe('SCALE_UP');
    expect(up.confidence).toBe(up.probabilities.SCALE_UP);
    expect(up.confidence).toBeGreaterThan(0.7);
    expect(up.reasons[0]).toMatch(/^P\(SCALE_UP\): [01]\.\d\d \(random forest, 20 trees\)$/);
    expect(up.reasons).toContain('CPU: 91%');
    expect(up.featureImportance).toBe(policy.featureImportance);
    expect(up.forecast).toBeUndefined();
    expect(decide({ features: { a: 5, b: 3 } }, policy).decision).toBe('SCALE_DOWN');
    expect(decide({ features: { a: 50, b: 3 } }, policy).decision).toBe('MAINTAIN');
  });

  it('throws for missing inputs and bad training data', () => {
    expect(() => decide({}, policy)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => decide({ features: { a: 1 } }, policy)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'features.b' }));
    const history = Array.from({ length: 400 }, (_, i) => ({ timestamp: T0 + i * HOUR, value: 1 }));
    expect(() => decide({ history: history.slice(0, 10) }, policy)).toThrow(
      expect.objectContaining({ code: 'SERIES_TOO_SHORT', name: 'EliteError', field: 'history' }),
    );
    const training: Array<() => unknown> = [
      () => trainScalingPolicy({ featureNames: ['a'], x, y }),
      () => trainScalingPolicy({ featureNames: ['a', 'b'], x, y: y.map(() => 'UP' as never) }),
      () => trainScalingPolicy({ featureNames: ['a', 'b'], x, y }, { holdoutFraction: 0.9 }),
      () => trainScalingPolicy({ featureNames: ['a', 'b'], x: x.slice(0, 2), y: y.slice(0, 2) }),
      () => trainScalingPolicy(history, { upThreshold: 0 }),
    ];
    for (const call of training) expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => trainScalingPolicy(history.map((p, i) => ({ ...p, timestamp: T0 + i * 2 * HOUR })))).toThrow(
      expect.objectContaining({ code: 'SERIES_IRREGULAR_STEP' }),
    );
  });

  it('rejects a history at another step than the training one', () => {
    const make = (stepMs: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: T0 + i * stepMs,
        value: 100 + 50 * Math.sin((i * stepMs * 2 * Math.PI) / (24 * HOUR)) + (i % 7),
      }));
    const hourly = trainScalingPolicy(make(HOUR, 24 * 21), { forest: { nEstimators: 5 } });
    expect(hourly.stepMs).toBe(HOUR);
    const points = make(HOUR, 24 * 21);
    const asSeries = { startMs: T0, stepMs: HOUR, values: Float64Array.from(points, (p) => p.value) };
    expect(trainScalingPolicy(asSeries, { forest: { nEstimators: 5 } }).holdout).toEqual(hourly.holdout);
    expect(decide({ history: make(HOUR, 24 * 8) }, hourly).decision).toMatch(/^(SCALE_UP|SCALE_DOWN|MAINTAIN)$/);
    expect(() => decide({ history: make(HOUR / 2, 48 * 8) }, hourly)).toThrow(expect.objectContaining({ code: 'SERIES_IRREGULAR_STEP' }));
  });
});
