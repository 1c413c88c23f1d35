/**
 * An options argument that is `null` or not an object is a typed `INVALID_OPTIONS` error naming
 * the argument, from every public forecast function that takes one: never a raw `TypeError`.
 */
import { describe, expect, it } from 'vitest';
import { EliteError, isEliteError } from '../internal/errors.js';
import {
  autoscale,
  cost,
  decide,
  detector,
  MAX_HORIZON_STEPS,
  MAX_TIMESTAMP_MS,
  parseCsvSeries,
  scalingFeatures,
  scoreNab,
  toSeries,
  toSVG,
  traffic,
  trainScalingPolicy,
  trees,
} from './index.js';
import { checkOptionsObject } from './options.js';
import type { SeriesPoint } from './types.js';

const T0 = Date.UTC(2026, 0, 5);
/** Three weeks of hourly load with a daily cycle. */
const points: SeriesPoint[] = Array.from({ length: 21 * 24 }, (_, i) => ({
  timestamp: T0 + i * 3_600_000,
  value: 100 + 40 * Math.sin((2 * Math.PI * (i % 24)) / 24),
}));
const forecast = traffic(points, { horizon: 24 });

/** Each function called with `bad` in place of its options argument, and the field it should name. */
const calls: Array<[string, (bad: never) => unknown, string]> = [
  ['traffic', (bad) => traffic(points, bad), 'options'],
  ['cost', (bad) => cost(points, bad), 'options'],
  ['decide (policy)', (bad) => decide({ forecast, capacity: 200 }, bad), 'policy'],
  ['detector', (bad) => detector(bad), 'options'],
  ['autoscale', (bad) => autoscale(bad), 'options'],
  ['trainScalingPolicy', (bad) => trainScalingPolicy(points, bad), 'options'],
  ['scalingFeatures', (bad) => scalingFeatures(points, bad), 'options'],
  ['toSVG', (bad) => toSVG(forecast, bad), 'options'],
  ['toSeries', (bad) => toSeries(points, bad), 'options'],
  ['parseCsvSeries', (bad) => parseCsvSeries('timestamp,value\n2026-01-01T00:00:00Z,1\n', bad), 'options'],
  ['scoreNab', (bad) => scoreNab([], bad), 'options'],
  ['trees.fitGradientBoosting', (bad) => trees.fitGradientBoosting([[1], [2]], [1, 2], bad), 'options'],
  ['trees.fitRandomForest', (bad) => trees.fitRandomForest([[1], [2]], [0, 1], bad), 'options'],
  ['trees.permutationImportance', (bad) => trees.permutationImportance([[1], [2]], () => 1, bad), 'options'],
];

describe('options that are not an object', () => {
  for (const [name, call, field] of calls) {
    it(`${name}: null and a number are INVALID_OPTIONS naming ${field}`, () => {
      for (const bad of [null, 42] as never[]) {
        let thrown: unknown;
        try {
          call(bad);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(EliteError);
        expect(isEliteError(thrown, 'INVALID_OPTIONS')).toBe(true);
        expect((thrown as EliteError).name).toBe('EliteError');
        expect((thrown as EliteError).field).toBe(field);
        expect((thrown as EliteError).message).toBe(`elite/forecast: ${field} must be an object, got ${String(bad)}`);
      }
    });
  }

  it('checkOptionsObject passes objects through and names a function without printing its source', () => {
    const options = { horizon: 24 };
    expect(checkOptionsObject(options)).toBe(options);
    expect(() => checkOptionsObject((() => 1) as never, 'policy')).toThrow('elite/forecast: policy must be an object, got a function');
  });
});

describe('documented limits', () => {
  it('are exported with the values the docs give', () => {
    expect(MAX_HORIZON_STEPS).toBe(10_000);
    expect(MAX_TIMESTAMP_MS).toBe(8.64e15);
    expect(() => traffic(points, { horizon: MAX_HORIZON_STEPS + 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
