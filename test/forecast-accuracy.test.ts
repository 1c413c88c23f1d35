/**
 * The accuracy harness's metrics on the benchmark panel (a subset copied to test/fixtures): seasonal
 * naive forecasts scored by `scoreForecast` must reproduce the published reference scores of the
 * same forecasts exactly, and `auto` must score on the same tasks without failing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, scoreForecast, seasonalNaiveMae, traffic } from '../src/forecast/index.js';

const dir = join(new URL('.', import.meta.url).pathname, 'fixtures', 'forecast-bench');
const table = (file: string) => {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, file), 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
};
const tasks = table('tasks.csv');
const anchors = table('anchor_scores_by_task.csv');
const load = (name: string) => {
  const rows = table(`series/${name}.csv`);
  return {
    ts: rows.map((r) => Date.parse(r.ts!)),
    y: Float64Array.from(rows, (r) => Number(r.y)),
    imputed: rows.map((r) => Number(r.imputed)),
  };
};
const series = new Map(['nyc_taxi', 'Twitter_volume_GOOG', 'exchange-2_cpc_results'].map((n) => [n, load(n)]));

function naive(y: Float64Array, origin: number, horizon: number, lag: number): number[] {
  return Array.from({ length: horizon }, (_, h) => y[origin - lag + (h % lag)]!);
}

describe('benchmark metrics', () => {
  it.each(tasks.map((t) => [`${t.series}/${t.task}`, t] as const))('%s: seasonal naive reproduces the reference scores', (_, task) => {
    const s = series.get(task.series!)!;
    const origin = Number(task.origin);
    const h = Number(task.horizon);
    const train = s.y.subarray(Number(task.train_start), origin);
    for (const [model, lag] of [
      ['snaive24', 24],
      ['snaive168', 168],
    ] as const) {
      const ref = anchors.find((a) => a.series === task.series && a.task === task.task && a.model === model)!;
      const sc = scoreForecast({
        train,
        actual: s.y.subarray(origin, origin + h),
        forecast: naive(s.y, origin, h, lag),
        skip: s.imputed.slice(origin, origin + h),
      });
      // The published scores have five significant digits.
      expect(sc.mase).toBeCloseTo(Number(ref.MASE), Math.max(0, 4 - Math.floor(Math.log10(Number(ref.MASE)))));
      expect(sc.smape).toBeCloseTo(Number(ref.sMAPE), Math.max(0, 4 - Math.floor(Math.log10(Number(ref.sMAPE)))));
      expect(sc.mae).toBeCloseTo(Number(ref.MAE), Math.max(-2, 4 - Math.floor(Math.log10(Number(ref.MAE)))));
      if (task.task === 'w1' && ref.wk_total_APE !== '') expect(sc.totalApe).toBeCloseTo(Number(ref.wk_total_APE), 2);
    }
  });

  it('skips imputed hours and scales MSIS by the training MAE', () => {
    const sc = scoreForecast({
      train: [0, 0, 2, 2],
      seasonalLag: 2,
      actual: [1, 5, 100],
      forecast: [1, 1, 0],
      skip: [0, 0, 1],
      intervals: [
        { level: 95, lower: [0, 2, 0], upper: [2, 4, 0] },
        { level: 80, lower: [1, 1, 0], upper: [1, 1, 0] },
      ],
    });
    expect(seasonalNaiveMae([0, 0, 2, 2], 2)).toBe(2);
    expect(sc.scored).toBe(2);
    expect(sc.mae).toBe(2);
    expect(sc.mase).toBe(1);
    expect(sc.coverage).toEqual({ 95: 0.5, 80: 0.5 });
    // widths 2 + 2, one miss above by 1: (4 + 40 · 1) / 2 steps / scale 2.
    expect(sc.msis).toBeCloseTo(11, 12);
    expect(sc.totalApe).toBeCloseTo((100 * 4) / 6, 12);
  });

  it('auto beats the one-day seasonal naive on the copied traffic tasks', () => {
    let logSum = 0;
    let count = 0;
    for (const task of tasks.filter((t) => t.series !== 'exchange-2_cpc_results' && t.horizon === '24')) {
      const s = series.get(task.series!)!;
      const origin = Number(task.origin);
      const start = Number(task.train_start);
      const r = traffic({ startMs: s.ts[start]!, stepMs: 3_600_000, values: s.y.slice(start, origin) }, { horizon: 24 });
      const sc = scoreForecast({
        train: s.y.subarray(start, origin),
        actual: s.y.subarray(origin, origin + 24),
        forecast: r.steps.map((st) => st.mean),
      });
      const ref = anchors.find((a) => a.series === task.series && a.task === task.task && a.model === 'snaive24')!;
      logSum += Math.log(sc.mase / Number(ref.MASE));
      count++;
    }
    expect(count).toBe(10);
    expect(Math.exp(logSum / count)).toBeLessThan(0.9);
  });
});
