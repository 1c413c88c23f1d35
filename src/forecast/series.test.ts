import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { parseCsv, parseCsvSeries } from './csv.js';
import {
  autocorrelation,
  calendarPeriods,
  DAY_MS,
  detectSeasonality,
  detectStep,
  fillGaps,
  fromColumns,
  HOUR_MS,
  horizonSteps,
  resample,
  toEpochMs,
  toSeries,
} from './series.js';

const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
const hourly = (values: number[], start = T0) => values.map((value, i) => ({ timestamp: start + i * HOUR_MS, value }));

function expectCode(fn: () => unknown, code: string): EliteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EliteError);
    expect((error as EliteError).name).toBe('EliteError');
    expect((error as EliteError).code).toBe(code);
    return error as EliteError;
  }
  throw new Error(`expected ${code}`);
}

describe('toEpochMs', () => {
  it('reads Date, ISO strings (UTC when no offset) and epoch ms', () => {
    expect(toEpochMs(new Date(T0))).toBe(T0);
    expect(toEpochMs('2026-01-05T00:00:00Z')).toBe(T0);
    expect(toEpochMs('2026-01-05T00:00:00')).toBe(T0);
    expect(toEpochMs('2026-01-05 01:00')).toBe(T0 + HOUR_MS);
    expect(toEpochMs('2026-01-05T02:00:00+01:00')).toBe(T0 + HOUR_MS);
    expect(toEpochMs(T0)).toBe(T0);
  });

  it('throws INVALID_TIMESTAMP for anything else', () => {
    expectCode(() => toEpochMs('yesterday'), 'INVALID_TIMESTAMP');
    expectCode(() => toEpochMs(Number.NaN), 'INVALID_TIMESTAMP');
    expectCode(() => toEpochMs({} as unknown as string), 'INVALID_TIMESTAMP');
  });
});

describe('toSeries validation', () => {
  it('builds a regular series', () => {
    const s = toSeries(hourly([1, 2, 3]));
    expect(s.startMs).toBe(T0);
    expect(s.stepMs).toBe(HOUR_MS);
    expect(Array.from(s.values)).toEqual([1, 2, 3]);
    expect(s.imputed).toBeUndefined();
  });

  it('throws typed errors for each kind of bad input', () => {
    expectCode(() => toSeries(hourly([1])), 'SERIES_TOO_SHORT');
    const nan = expectCode(() => toSeries(hourly([1, Number.NaN, 3])), 'SERIES_NON_FINITE');
    expect(nan.field).toBe('[1].value');
    expectCode(() => toSeries(hourly([1, Number.POSITIVE_INFINITY])), 'SERIES_NON_FINITE');
    expectCode(() => toSeries([...hourly([1, 2]), { timestamp: T0, value: 3 }]), 'SERIES_UNSORTED');
    expectCode(() => toSeries([...hourly([1, 2]), { timestamp: T0 + HOUR_MS, value: 3 }]), 'SERIES_DUPLICATE_TIMESTAMP');
    expectCode(
      () =>
        toSeries([
          { timestamp: T0, value: 1 },
          { timestamp: T0 + HOUR_MS, value: 1 },
          { timestamp: T0 + 2.5 * HOUR_MS, value: 1 },
          { timestamp: T0 + 3.5 * HOUR_MS, value: 1 },
        ]),
      'SERIES_IRREGULAR_STEP',
    );
    expectCode(() => toSeries('x' as never), 'INVALID_OPTIONS');
    expectCode(() => toSeries([null as never, null as never]), 'INVALID_OPTIONS');
    expectCode(() => fromColumns([T0], [1, 2]), 'INVALID_OPTIONS');
    expectCode(() => fromColumns([T0, T0 + 1], [1, 2], { stepMs: -1 }), 'INVALID_OPTIONS');
  });

  it('fills short gaps and rejects long ones', () => {
    const points = hourly([1, 2, 3, 4, 5, 6]).filter((_, i) => i !== 2 && i !== 3);
    const s = toSeries(points);
    expect(Array.from(s.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.imputed!)).toEqual([0, 0, 1, 1, 0, 0]);
    expectCode(() => toSeries(points, { maxGapSteps: 1 }), 'SERIES_IRREGULAR_STEP');
  });
});

describe('fillGaps', () => {
  it('takes a week earlier, else a day earlier, else interpolates', () => {
    const n = 8 * 24 + 3;
    const values = Float64Array.from({ length: n }, (_, i) => i);
    const imputed = new Uint8Array(n);
    imputed[7 * 24 + 5] = 1; // a week earlier exists
    imputed[1 * 24 + 2] = 1; // only a day earlier
    imputed[3] = 1; // neither: interpolation
    imputed[4] = 1;
    values[7 * 24 + 5] = -1;
    const out = fillGaps({ startMs: T0, stepMs: HOUR_MS, values, imputed });
    expect(out.values[7 * 24 + 5]).toBe(5);
    expect(out.values[24 + 2]).toBe(2);
    expect(out.values[3]).toBe(3);
    expect(out.values[4]).toBe(4);
    expect(values[7 * 24 + 5]).toBe(-1); // input untouched
  });

  it('copies the nearest value at the ends and refuses an all-missing series', () => {
    const out = fillGaps({ startMs: 0, stepMs: HOUR_MS, values: Float64Array.from([0, 5, 0]), imputed: Uint8Array.from([1, 0, 1]) });
    expect(Array.from(out.values)).toEqual([5, 5, 5]);
    expect(Array.from(fillGaps({ startMs: 0, stepMs: 1, values: Float64Array.from([1]) }).values)).toEqual([1]);
    expectCode(
      () => fillGaps({ startMs: 0, stepMs: 7, values: new Float64Array(2), imputed: Uint8Array.from([1, 1]) }),
      'SERIES_TOO_SHORT',
    );
  });
});

describe('resample', () => {
  const s = toSeries(Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + 30 * 60_000 * (i + 1), value: i + 1 })));

  it('sums or averages full buckets aligned to the epoch, dropping partial ones', () => {
    const sum = resample(s, HOUR_MS, 'sum');
    expect(sum.startMs).toBe(T0 + HOUR_MS);
    expect(Array.from(sum.values)).toEqual([2 + 3, 4 + 5, 6 + 7, 8 + 9]);
    expect(Array.from(resample(s, HOUR_MS, 'mean').values)).toEqual([2.5, 4.5, 6.5, 8.5]);
  });

  it('carries imputed flags and rejects bad steps', () => {
    const r = resample({ ...s, imputed: Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]) }, HOUR_MS, 'sum');
    expect(Array.from(r.imputed!)).toEqual([1, 0, 0, 0]);
    expectCode(() => resample(s, 45 * 60_000, 'sum'), 'INVALID_OPTIONS');
    expectCode(() => resample(s, HOUR_MS, 'max' as never), 'INVALID_OPTIONS');
    expectCode(() => resample(s, DAY_MS, 'sum'), 'SERIES_TOO_SHORT');
  });
});

describe('step and seasonality', () => {
  it('detects the most common step', () => {
    expect(detectStep([0, 5, 10, 20, 25])).toBe(5);
    expectCode(() => detectStep([1]), 'SERIES_TOO_SHORT');
  });

  it('finds daily and weekly periods from the data', () => {
    const weekly = Array.from({ length: 24 * 21 }, (_, i) => Math.sin((2 * Math.PI * i) / 24) + (Math.floor(i / 24) % 7 >= 5 ? 3 : 0));
    expect(detectSeasonality(toSeries(hourly(weekly)))).toEqual({ daily: 24, weekly: 168 });
    const noise = Array.from(
      { length: 24 * 21 },
      (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453),
    );
    expect(detectSeasonality(toSeries(hourly(noise)))).toEqual({});
    expect(autocorrelation([1, 1, 1], 1)).toBe(0);
    expect(autocorrelation([1, 2], 5)).toBe(0);
    expect(calendarPeriods(24 * 15, HOUR_MS)).toEqual([24, 168]);
    expect(calendarPeriods(24 * 3, HOUR_MS)).toEqual([24]);
    expect(calendarPeriods(100, 7 * 60_000)).toEqual([]);
  });

  it('parses horizons', () => {
    expect(horizonSteps('24h', HOUR_MS)).toBe(24);
    expect(horizonSteps(24, HOUR_MS)).toBe(24);
    expect(horizonSteps('7d', HOUR_MS)).toBe(168);
    expect(horizonSteps('1w', DAY_MS)).toBe(7);
    expect(horizonSteps('90m', HOUR_MS)).toBe(2);
    expectCode(() => horizonSteps('soon', HOUR_MS), 'INVALID_OPTIONS');
    expectCode(() => horizonSteps(0, HOUR_MS), 'INVALID_OPTIONS');
    // An object that cannot become a string is refused with the typed error, not a TypeError.
    expectCode(() => horizonSteps({ toString: 0 } as unknown as string, HOUR_MS), 'INVALID_OPTIONS');
  });
});

describe('CSV', () => {
  it('parses quoted fields, CRLF and blank lines', () => {
    expect(parseCsv('a,b\r\n"x,1","he said ""hi"""\n\n3,\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'he said "hi"'],
      ['3', ''],
    ]);
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expectCode(() => parseCsv('a,"b'), 'INVALID_CSV');
  });

  it('reads a series from named columns', () => {
    const s = parseCsvSeries('ts,y\n2026-01-05T00:00:00Z,1\n2026-01-05T01:00:00Z,2\n', { timestampColumn: 'ts', valueColumn: 'y' });
    expect(Array.from(s.values)).toEqual([1, 2]);
    expect(s.startMs).toBe(T0);
    expectCode(() => parseCsvSeries('ts,y\n'), 'INVALID_CSV');
    expectCode(() => parseCsvSeries(''), 'INVALID_CSV');
    expectCode(() => parseCsvSeries('timestamp,value\n2026-01-05T00:00:00Z\n'), 'INVALID_CSV');
    expectCode(() => parseCsvSeries('timestamp,value\n2026-01-05T00:00:00Z,\n2026-01-05T01:00:00Z,1\n'), 'SERIES_NON_FINITE');
  });
});
