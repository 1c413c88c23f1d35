/**
 * Hostile input for every public forecast entry point: whatever the caller passes, a call either
 * returns or throws an `EliteError` (forecast input is a typed throw by contract, docs/errors.md),
 * within a time bound, and never leaves an unhandled rejection.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoscale, cost, decide, forecast, fromColumns, parseCsv, parseCsvSeries, toSeries, toSVG } from '../../src/forecast/index.js';
import { MAX_HORIZON_STEPS, MAX_TIMESTAMP_MS } from '../../src/forecast/series.js';
import { EliteError } from '../../src/internal/errors.js';

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
  expect(rejections).toEqual([]);
});

/** Runs `fn`; it may return or throw an EliteError, and must finish within `limitMs`. */
function bounded(limitMs: number, fn: () => unknown): unknown {
  const started = performance.now();
  let thrown: unknown;
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    thrown = error;
  }
  const elapsed = performance.now() - started;
  if (thrown !== undefined && !(thrown instanceof EliteError)) throw thrown;
  expect(elapsed).toBeLessThan(limitMs);
  return thrown ?? result;
}

const HOUR = 3_600_000;
const hourly = (hours: number, start = Date.UTC(2026, 0, 5)) =>
  Array.from({ length: hours }, (_, i) => ({ timestamp: start + i * HOUR, value: 100 + 40 * Math.sin((i / 24) * 2 * Math.PI) + (i % 5) }));
const FOUR_DAYS = hourly(96);
const EIGHT_DAYS = hourly(24 * 8);

const timestamp = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(MAX_TIMESTAMP_MS, MAX_TIMESTAMP_MS + 1, -MAX_TIMESTAMP_MS - 1, 1e300, Number.MAX_VALUE, -0),
  fc.date({ noInvalidDate: false }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('2026-01-01', '2026-01-01T00:00:00', '+275760-09-13T00:00:00Z', '+275760-09-13T00:00:01Z', '-271821-04-20'),
  fc.anything({ maxDepth: 1 }),
);
const value = fc.oneof({ weight: 4, arbitrary: fc.double() }, fc.anything({ maxDepth: 1 }));
const points = fc.array(fc.oneof({ weight: 5, arbitrary: fc.record({ timestamp, value }) }, fc.anything({ maxDepth: 1 })), {
  maxLength: 40,
});
const horizon = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e6, MAX_HORIZON_STEPS + 1, '1e6h', '10000000m', '999999w', '24h', '7d', -1, 0),
  fc.string({ maxLength: 8 }),
  fc.anything({ maxDepth: 1 }),
);
const options = fc.dictionary(
  fc.constantFrom(
    'horizon',
    'levels',
    'model',
    'backtestOrigins',
    'intervalWidening',
    'stepMs',
    'maxGapSteps',
    'minLength',
    'horizonDays',
    'capacity',
  ),
  fc.oneof(fc.anything({ maxDepth: 1 }), fc.double(), fc.array(fc.double(), { maxLength: 3 })),
);
const RUNS = { numRuns: 60 };

describe('forecast entry points on hostile input', () => {
  it('toSeries, fromColumns, parseCsv and parseCsvSeries return or throw EliteError within 200 ms', () => {
    fc.assert(
      fc.property(points, options, (p, o) => {
        bounded(200, () => toSeries(p as never, o as never));
        bounded(200, () =>
          fromColumns(
            p.map((x) => (x as { timestamp?: unknown })?.timestamp) as never,
            p.map((x) => (x as { value?: unknown })?.value) as never,
            o as never,
          ),
        );
      }),
      RUNS,
    );
    fc.assert(
      // Options are typed objects: `null` in their place is outside the contract (see the report).
      fc.property(fc.string({ maxLength: 400 }), fc.object({ maxDepth: 1 }), (text, o) => {
        bounded(200, () => parseCsv(text));
        bounded(200, () => parseCsvSeries(text, o as never));
        bounded(200, () => parseCsvSeries(`timestamp,value\n${text}`, o as never));
      }),
      RUNS,
    );
  });

  it('traffic with hostile points or hostile options on a small series: EliteError or a result, within 2 s', () => {
    fc.assert(
      fc.property(points, options, (p, o) => {
        bounded(2_000, () => forecast.traffic(p as never, o as never));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(horizon, options, (h, o) => {
        bounded(2_000, () => forecast.traffic(FOUR_DAYS, { ...o, horizon: h } as never));
      }),
      { numRuns: 30 },
    );
  });

  it('decide and cost on hostile input: EliteError or a result, within 2 s', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 2 }),
        fc.oneof(fc.object({ maxDepth: 2 }), fc.record({ kind: fc.constantFrom('thresholds', 'learned') })),
        (input, policy) => {
          bounded(2_000, () => decide(input as never, policy as never));
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(horizon, (h) => {
        bounded(2_000, () => decide({ history: FOUR_DAYS, capacity: 500 }, { kind: 'thresholds', traffic: { horizon: h } } as never));
      }),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(points, options, (p, o) => {
        bounded(2_000, () => cost(p as never, o as never));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.anything({ maxDepth: 1 })), (days) => {
        bounded(3_000, () => cost(EIGHT_DAYS, { horizonDays: days } as never));
      }),
      { numRuns: 10 },
    );
  });

  it('toSVG and autoscale options: EliteError or a result, within 200 ms', () => {
    const result = forecast.traffic(FOUR_DAYS, { horizon: '6h' });
    fc.assert(
      fc.property(fc.object({ maxDepth: 2 }), (o) => {
        bounded(200, () => toSVG(result, o as never));
        bounded(200, () => autoscale(o as never));
        bounded(200, () => autoscale({ decide: () => ({ decision: 'hold' }), execute: () => undefined, ...(o as object) } as never));
      }),
      RUNS,
    );
  });
});

describe('forecast: typed errors at the edges of time and horizon', () => {
  it.each([
    ['a number past the last Date', [MAX_TIMESTAMP_MS + 1, MAX_TIMESTAMP_MS + 2 + HOUR]],
    ['an Invalid Date', [new Date(Number.NaN), new Date(0)]],
    ['1e300', [1e300, 2e300]],
  ])('toSeries with %s throws INVALID_TIMESTAMP, not a RangeError', (_, stamps) => {
    const error = bounded(200, () => toSeries((stamps as unknown[]).map((t, i) => ({ timestamp: t, value: i })) as never));
    expect(error).toBeInstanceOf(EliteError);
    expect((error as EliteError).code).toBe('INVALID_TIMESTAMP');
  });

  it('traffic whose forecast would run past the last Date throws INVALID_TIMESTAMP', () => {
    const start = MAX_TIMESTAMP_MS - 96 * HOUR + HOUR;
    const error = bounded(2_000, () => forecast.traffic(hourly(96, start), { horizon: '24h' }));
    expect(error).toBeInstanceOf(EliteError);
    expect((error as EliteError).code).toBe('INVALID_TIMESTAMP');
  });

  it('a few points far apart throw SERIES_IRREGULAR_STEP instead of allocating a huge grid', () => {
    const error = bounded(200, () => toSeries([0, 1, 2, 8e15].map((timestamp) => ({ timestamp, value: 1 }))));
    expect((error as EliteError).code).toBe('SERIES_IRREGULAR_STEP');
  });

  it(`a horizon past ${MAX_HORIZON_STEPS} steps throws INVALID_OPTIONS at once, in traffic and in decide`, () => {
    for (const call of [
      () => forecast.traffic(FOUR_DAYS, { horizon: 1e6 }),
      () => forecast.traffic(FOUR_DAYS, { horizon: '999999w' }),
      () => decide({ history: FOUR_DAYS, capacity: 500 }, { kind: 'thresholds', traffic: { horizon: 1e6 } }),
    ]) {
      const error = bounded(200, call);
      expect(error).toBeInstanceOf(EliteError);
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS', field: 'horizon' });
      expect((error as Error).message).toMatch(/more than the 10000 allowed/);
    }
    expect(bounded(2_000, () => forecast.traffic(FOUR_DAYS, { horizon: MAX_HORIZON_STEPS }))).toMatchObject({
      steps: { length: MAX_HORIZON_STEPS },
    });
  });

  it('a RegularSeries with hostile values throws INVALID_OPTIONS, not a RangeError', () => {
    const error = bounded(200, () => forecast.traffic({ startMs: 0, stepMs: HOUR, values: { length: 1e10 } } as never));
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', field: 'values' });
  });
});
