import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { detector } from './detector.js';

const STEP = 5 * 60_000;
/** A seeded daily-seasonal noisy series (5-minute steps). */
function series(n: number, seed = 1): number[] {
  let s = seed;
  const rand = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 288) + 4 * (rand() + rand() + rand() - 1.5));
}
const run = (values: number[], options = {}) => {
  const d = detector(options);
  return values.map((v, i) => d.update(i * STEP, v));
};

describe('detector', () => {
  it('never fires on a constant series after warm-up', () => {
    const results = run(new Array(3000).fill(42));
    expect(results.some((r) => r.anomaly)).toBe(false);
    expect(Math.max(...results.map((r) => r.score))).toBeLessThan(0.1);
    expect(results.at(-1)?.expected.mean).toBe(42);
  });

  it('fires on an injected spike at once, with an expected range that excludes it', () => {
    const values = series(3000);
    values[2500] = (values[2500] as number) + 120;
    const results = run(values);
    const hit = results[2500];
    expect(hit?.anomaly).toBe(true);
    expect(hit?.observed).toBeGreaterThan(hit?.expected.upper as number);
    expect(hit?.expected.lower).toBeLessThan(hit?.expected.mean as number);
    expect(hit?.probability).toBeGreaterThan(0.999999999999);
    // One incident, one alert: the points after it are suppressed.
    expect(results[2501]?.reason).toBe('SUPPRESSED');
  });

  it('fires within a few points of a level drop', () => {
    const values = series(3000).map((v, i) => (i >= 2400 ? v - 80 : v));
    const first = run(values).findIndex((r, i) => i >= 2400 && r.anomaly);
    expect(first).toBeGreaterThanOrEqual(2400);
    expect(first).toBeLessThanOrEqual(2403);
  });

  it('alerts rarely on a stationary noisy series: only on levels past the range seen so far', () => {
    for (const seed of [1, 2, 3, 4]) {
      const alerts = run(series(6000, seed)).filter((r) => r.anomaly);
      expect(alerts.length).toBeLessThanOrEqual(3);
    }
  });

  it('fires on a gradual move to a new level that the residual alone never flags (value novelty)', () => {
    // +1 per point for 100 points: the level follows, so no single residual is extreme.
    const values = series(3000, 7).map((v, i) => v + Math.min(Math.max(i - 2000, 0), 100));
    const hits = (options: object) => run(values, options).filter((r, i) => i >= 2000 && i < 2200 && r.anomaly).length;
    expect(hits({ noveltyBins: 0 })).toBe(0);
    expect(hits({})).toBeGreaterThan(0);
  });

  it('fires on a rise at the bottom of a spiky non-negative series (log-scale novelty)', () => {
    // Idle CPU near 0.1 % with a busy spike to ~90 % every 200 points; from 3050 it idles at 0.7 %. The
    // linear bins (width ≈ 1.1) see nothing new, nor does the residual against the spikes' wide scale.
    let s = 3;
    const rand = () => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647;
    };
    const values = Array.from({ length: 3500 }, (_, i) => (i % 200 === 199 ? 85 + 10 * rand() : (i >= 3050 ? 0.7 : 0.1) + 0.02 * rand()));
    const hits = (options: object) => run(values, options).filter((r, i) => i >= 3050 && i < 3060 && r.anomaly).length;
    expect(hits({ noveltyLogOffset: 0 })).toBe(0);
    expect(hits({})).toBe(1);
  });

  it('suppresses further alerts for suppressPoints points after one, then fires again', () => {
    const values = series(1500, 11);
    for (const i of [1000, 1010, 1040]) values[i] = (values[i] as number) + 300;
    // The recurrence discount off: the same spike three times is what this test is about.
    const results = run(values, { suppressPoints: 20, residualRepeats: 0 });
    expect(results[1000]?.anomaly).toBe(true);
    // The second spike falls in the suppression: score 0, reason SUPPRESSED, though as unusual.
    expect(results[1010]).toMatchObject({ anomaly: false, score: 0, reason: 'SUPPRESSED' });
    expect(results[1010]?.probability).toBeGreaterThan(0.999999999999);
    expect(results.slice(1001, 1021).every((r) => r.reason === 'SUPPRESSED')).toBe(true);
    expect(results[1021]?.reason).toBeUndefined();
    expect(results[1040]?.anomaly).toBe(true);
    // Without suppression both spikes alert.
    const unsuppressed = run(values, { suppressPoints: 0, residualRepeats: 0 });
    expect([1000, 1010, 1040].map((i) => unsuppressed[i]?.anomaly)).toEqual([true, true, true]);
  });

  it('stops alerting on a spike the series keeps producing, but not on a larger one (residual recurrence)', () => {
    // A nightly job: the same +60 spike once a day (288 five-minute points), novelty off so only the residual scores.
    const values = series(4000, 13);
    const spikes = [1000, 1288, 1576, 1864, 2152, 2440];
    for (const i of spikes) values[i] = (values[i] as number) + 60;
    values[3000] = (values[3000] as number) + 600;
    const fired = (options: object) => {
      const results = run(values, { noveltyBins: 0, ...options });
      return [...spikes, 3000].map((i) => results[i]?.anomaly);
    };
    // The first spikes are news; once as large a residual has recurred twice the spike is a pattern.
    const discounted = fired({});
    expect(discounted.slice(0, 2)).toEqual([true, true]);
    expect(discounted.slice(3, 6)).toEqual([false, false, false]);
    // Ten times larger: past every residual seen, so it alerts.
    expect(discounted[6]).toBe(true);
    expect(fired({ residualRepeats: 0 })).toEqual([true, true, true, true, true, true, true]);
  });

  it('is online: the result of a point does not depend on later points', () => {
    const a = series(1200, 3);
    const b = a.map((v, i) => (i >= 800 ? v * 3 - 50 : v));
    const ra = run(a);
    const rb = run(b);
    expect(rb.slice(0, 800)).toEqual(ra.slice(0, 800));
    expect(rb[800]).not.toEqual(ra[800]);
  });

  it('skips bad points with a reason, never throws, and learns nothing from them', () => {
    const values = series(600, 5);
    const clean = detector();
    const noisy = detector();
    const bad: [number | Date, number, string][] = [
      [Number.NaN, 1, 'INVALID_TIMESTAMP'],
      [0, Number.NaN, 'NON_FINITE_VALUE'],
      [0, Number.POSITIVE_INFINITY, 'NON_FINITE_VALUE'],
      [-STEP * 1000, 5, 'OUT_OF_ORDER'],
      [0, 1e200, 'OUT_OF_RANGE'],
    ];
    values.forEach((v, i) => {
      clean.update(i * STEP, v);
      if (i === 300)
        for (const [t, x, reason] of bad)
          expect(noisy.update(t === 0 ? i * STEP : t, x)).toMatchObject({ score: 0, anomaly: false, reason });
      noisy.update(new Date(i * STEP), v);
    });
    expect(noisy.state()).toEqual(clean.state());
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.double(), fc.integer()), fc.double()), { maxLength: 80 }), (points) => {
        const d = detector({ warmupPoints: 2 });
        for (const [t, v] of points) {
          const r = d.update(t, v);
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('resumes from a saved state with identical results', () => {
    const values = series(1500, 9);
    const whole = run(values);
    const first = detector();
    for (const [i, v] of values.slice(0, 700).entries()) first.update(i * STEP, v);
    const resumed = detector({ state: JSON.parse(JSON.stringify(first.state())) });
    const rest = values.slice(700).map((v, i) => resumed.update((i + 700) * STEP, v));
    expect(rest).toEqual(whole.slice(700));
  });

  it('throws INVALID_OPTIONS for out-of-range or unknown options and foreign state', () => {
    for (const bad of [
      { levelAlpha: 0 },
      { alertProbability: 1 },
      { shortWindow: 1.5 },
      { seasonMs: -1 },
      { noveltyBins: 2.5 },
      { noveltyAnchorPoints: 0 },
      { noveltyLogOffset: -0.01 },
      { noveltyLogOffset: 2 },
      { noveltyDecades: -1 },
      { residualWeight: 0 },
      { residualRepeats: -1 },
      { residualRepeats: 1.5 },
      { nope: 1 },
    ]) {
      try {
        detector(bad as never);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(EliteError);
        expect((error as EliteError).code).toBe('INVALID_OPTIONS');
        expect((error as EliteError).field).toBe(Object.keys(bad)[0]);
      }
    }
    expect(() => detector({ state: { version: 4 } as never })).toThrow(/state/);
    // States of earlier versions (1: no novelty, 2: no log-scale novelty, 3: no recurrence) are refused, not half-read.
    const current = JSON.parse(JSON.stringify(detector().state()));
    const { logNovelty: _dropped, ...v2 } = { ...current, version: 2 };
    const { recurrence: _gone, ...v3 } = { ...current, version: 3 };
    for (const old of [{ ...current, version: 1 }, v2, v3]) {
      try {
        detector({ state: old });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(EliteError);
        expect((error as EliteError).code).toBe('INVALID_OPTIONS');
        expect((error as EliteError).message).toMatch(/version 4/);
      }
    }
    // A current version without the log-scale or recurrence memory is not half-read either.
    expect(() => detector({ state: { ...current, logNovelty: undefined } })).toThrow(EliteError);
    expect(() => detector({ state: { ...current, recurrence: undefined } })).toThrow(EliteError);
  });
});
