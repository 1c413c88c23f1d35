/**
 * The metric-statistics part of the storage conformance suite (registered by storage.case.ts):
 * every store returns the same sufficient statistics, computed by hand below, for binomial, mean
 * and ratio metrics with CUPED's pre-exposure window, all time and in a window.
 */
import { expect, it } from 'vitest';
import type { MetricDefinition } from '../experiments/metric-stats.js';
import type { FlagEvent, StorageAdapter } from './types.js';

const DAY = 86_400_000;
const base = Date.UTC(2026, 0, 20);
const t = (days: number, seconds = 0) => new Date(base + days * DAY + seconds * 1000).toISOString();
const exposure = (userId: string, variant: string, day: number, seconds = 0): FlagEvent => ({
  type: 'exposure',
  environment: 'production',
  flagKey: 'pricing-test',
  variant,
  userId,
  occurredAt: t(day, seconds),
});
const purchase = (userId: string, day: number, value?: number, environment = 'production'): FlagEvent => ({
  type: 'conversion',
  environment,
  userId,
  eventName: 'purchase',
  occurredAt: t(day),
  ...(value === undefined ? {} : { value }),
});

const metrics: MetricDefinition[] = [
  { key: 'converted', kind: 'binomial', source: { event: 'purchase' } },
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' }, cuped: true },
  { key: 'orders', kind: 'mean', source: { event: 'purchase', aggregate: 'count' }, cuped: { windowDays: 7 } },
  {
    key: 'aov',
    kind: 'ratio',
    source: { event: 'purchase' },
    denominator: { event: 'purchase', aggregate: 'count' },
    cuped: true,
  },
];

// u1: control at day 0; purchases 20 and 5 after it; before it 10 (day -3), 4 (day -10), 2 (exactly
//     14 days before: inside the 14-day window), 100 (day -20: outside); a signup and a purchase of
//     another environment (ignored).
// u2: variant-a a minute after u1, control on day 1 (ignored all time); purchase 30 on day 3.
// u3: variant-a on day 2; purchase 7 on day 1 (before exposure: pre only), a purchase without value on day 4.
// u4: control on day 5, no events (counts as 0). u5: never exposed, purchase 50 (ignored).
const events: FlagEvent[] = [
  purchase('u1', -20, 100),
  purchase('u1', -14, 2),
  purchase('u1', -10, 4),
  purchase('u1', -3, 10),
  exposure('u1', 'control', 0),
  exposure('u2', 'variant-a', 0, 60),
  purchase('u1', 1, 20),
  { type: 'conversion', environment: 'production', userId: 'u1', eventName: 'signup', value: 1000, occurredAt: t(1) },
  purchase('u1', 1, 999, 'staging'),
  exposure('u2', 'control', 1),
  purchase('u3', 1, 7),
  purchase('u1', 2, 5),
  exposure('u3', 'variant-a', 2),
  purchase('u2', 3, 30),
  purchase('u5', 3, 50),
  purchase('u3', 4),
  exposure('u4', 'control', 5),
];

const mean = (units: number, sum: number, sumSquares: number, pre?: [number, number, number]) => ({
  units,
  sum,
  sumSquares,
  ...(pre ? { pre: { sum: pre[0], sumSquares: pre[1], sumProducts: pre[2] } } : {}),
});

/** Registers the metric-statistics conformance tests; `store()` is the store of the running test. */
export function describeMetricStats(store: () => StorageAdapter): void {
  it('computes metric statistics: binomial, mean, ratio, CUPED pre-window, users without events as 0', async () => {
    const storage = store();
    // In two batches, the later exposures first: the order of arrival does not matter.
    await storage.appendEvents(events.slice(8));
    await storage.appendEvents(events.slice(0, 8));
    const all = await storage.queryMetricStats({ flagKey: 'pricing-test', environment: 'production', metrics });
    expect(all.map((v) => [v.variant, v.units])).toEqual([
      ['control', 2],
      ['variant-a', 2],
    ]);
    const [control, variantA] = all;
    expect(control?.metrics.converted).toEqual({ kind: 'binomial', ...mean(2, 1, 1) });
    expect(variantA?.metrics.converted).toEqual({ kind: 'binomial', ...mean(2, 2, 2) });
    // u1: 25 after, 16 in the 14 days before (10 + 4 + 2); u4: 0. u2: 30 after; u3: 0 after, 7 before.
    expect(control?.metrics.revenue).toEqual({ kind: 'mean', ...mean(2, 25, 625, [16, 256, 400]) });
    expect(variantA?.metrics.revenue).toEqual({ kind: 'mean', ...mean(2, 30, 900, [7, 49, 0]) });
    // Counts, 7-day window: u1 2 after, 1 before (day -3); u2 1 and 0; u3 1 and 1.
    expect(control?.metrics.orders).toEqual({ kind: 'mean', ...mean(2, 2, 4, [1, 1, 2]) });
    expect(variantA?.metrics.orders).toEqual({ kind: 'mean', ...mean(2, 2, 2, [1, 1, 1]) });
    expect(control?.metrics.aov).toEqual({
      kind: 'ratio',
      units: 2,
      numerator: { sum: 25, sumSquares: 625 },
      denominator: { sum: 2, sumSquares: 4 },
      sumProducts: 50,
      pre: {
        numerator: { sum: 16, sumSquares: 256 },
        denominator: { sum: 3, sumSquares: 9 },
        sumProducts: 48,
        cross: { numeratorNumerator: 400, numeratorDenominator: 75, denominatorNumerator: 32, denominatorDenominator: 6 },
      },
    });
    expect(variantA?.metrics.aov).toEqual({
      kind: 'ratio',
      units: 2,
      numerator: { sum: 30, sumSquares: 900 },
      denominator: { sum: 2, sumSquares: 2 },
      sumProducts: 30,
      pre: {
        numerator: { sum: 7, sumSquares: 49 },
        denominator: { sum: 1, sumSquares: 1 },
        sumProducts: 7,
        cross: { numeratorNumerator: 0, numeratorDenominator: 0, denominatorNumerator: 7, denominatorDenominator: 1 },
      },
    });
  });

  it('bounds metric statistics by since and until: first exposure in the window, events before until', async () => {
    const storage = store();
    await storage.appendEvents(events);
    const window = await storage.queryMetricStats({
      flagKey: 'pricing-test',
      environment: 'production',
      since: t(0, 43_200),
      until: t(3, 43_200),
      metrics,
    });
    // u1 (exposed before the window) is out although their purchases are in it; u2 counts in control
    // (their first exposure in the window); u3's purchase on day 4 is after the window, the one on day 1 is pre.
    expect(window.map((v) => [v.variant, v.units])).toEqual([
      ['control', 1],
      ['variant-a', 1],
    ]);
    const [control, variantA] = window;
    expect(control?.metrics.revenue).toEqual({ kind: 'mean', ...mean(1, 30, 900, [0, 0, 0]) });
    expect(variantA?.metrics.revenue).toEqual({ kind: 'mean', ...mean(1, 0, 0, [7, 49, 0]) });
    expect(control?.metrics.converted).toEqual({ kind: 'binomial', ...mean(1, 1, 1) });
    expect(variantA?.metrics.orders).toEqual({ kind: 'mean', ...mean(1, 0, 0, [1, 1, 0]) });
    expect(variantA?.metrics.aov).toMatchObject({ numerator: { sum: 0 }, denominator: { sum: 0 }, pre: { numerator: { sum: 7 } } });
    expect(await storage.queryMetricStats({ flagKey: 'pricing-test', environment: 'staging', metrics })).toEqual([]);
  });

  it('refuses a malformed metric list with INVALID_OPTIONS', async () => {
    const storage = store();
    const ratio = { key: 'aov', kind: 'ratio', source: { event: 'purchase' } } as MetricDefinition;
    for (const bad of [[], [ratio], [metrics[0], metrics[0]], [{ ...metrics[1], cuped: { windowDays: 0 } }]] as MetricDefinition[][]) {
      await expect(storage.queryMetricStats({ flagKey: 'pricing-test', environment: 'production', metrics: bad })).rejects.toMatchObject({
        code: 'INVALID_OPTIONS',
      });
    }
  });
}
