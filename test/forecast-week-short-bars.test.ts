/**
 * The week-ahead and short-history figures of `forecast.traffic` (model 'auto', default options), scored by
 * the accuracy harness's own code (bench/forecast-accuracy/weekly.mjs and score.mjs, which
 * `npm run bench:forecast` prints from) on the repo's copy of the benchmark panel.
 *
 * Week ahead: 168 h tasks from up to eight weekly origins per main-tier traffic series (58 tasks); the
 * week-ahead models, their pruning ratio and the number of backtest origins were chosen on the tuning half
 * of the series (the intervals are the backtest's residual quantiles, widened by the history's own recent drift,
 * interval-drift.ts), and the bars are checked on the held-out half. Short tier: auto falls back to seasonal-naive-day, explicitly, on every task.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPanel, type SummaryRow } from '../bench/forecast-accuracy/score.mjs';
import { shortSummary, weekAheadSummary } from '../bench/forecast-accuracy/weekly.mjs';
import * as lib from '../src/forecast/index.js';

const panel = loadPanel(lib);

describe('week ahead (168 h) on the traffic panel, held-out half of the series', () => {
  let pick: (half: string, model: string) => SummaryRow;
  let tasksPerHalf: Record<string, number>;

  beforeAll(() => {
    const week = weekAheadSummary(lib, panel, ['auto', 'seasonal-naive-week']);
    pick = (half, model) => week.summary.find((r) => r.panel === `week-${half}` && r.model === `elite:${model}`)!;
    tasksPerHalf = { tune: pick('tune', 'auto').tasks, holdout: pick('holdout', 'auto').tasks };
    expect(week.split.tune.some((s) => week.split.holdout.includes(s))).toBe(false);
  });

  it('scores 29 tasks in each half, the panel w1 tasks among them', () => {
    expect(tasksPerHalf).toEqual({ tune: 29, holdout: 29 });
  });

  it('beats seasonal-naive-week by at least 10% and reaches 0.62 (geometric mean relMASE)', () => {
    const auto = pick('holdout', 'auto');
    const naive = pick('holdout', 'seasonal-naive-week');
    expect(auto.relMASE! / naive.relMASE!).toBeLessThanOrEqual(0.9);
    expect(auto.relMASE).toBeLessThanOrEqual(0.62);
    // The figures docs/benchmarks.md reports.
    expect(auto.relMASE).toBeCloseTo(0.604, 3);
    expect(naive.relMASE).toBeCloseTo(0.777, 3);
  });

  it('80% intervals cover 77–85% and 95% intervals 92–97%', () => {
    const auto = pick('holdout', 'auto');
    expect(auto.cov80).toBeGreaterThanOrEqual(0.77);
    expect(auto.cov80).toBeLessThanOrEqual(0.85);
    expect(auto.cov95).toBeGreaterThanOrEqual(0.92);
    expect(auto.cov95).toBeLessThanOrEqual(0.97);
    // At the band's edge (0.8495): see docs/benchmarks.md, "Week ahead".
    expect(auto.cov80).toBeCloseTo(0.8495, 3);
    expect(auto.cov95).toBeCloseTo(0.962, 3);
  });

  it("the week's total is within 10% on average", () => {
    expect(pick('holdout', 'auto').wk_total_APE).toBeLessThanOrEqual(10);
  });

  it('on the tuning half (in-sample): 0.681 against 0.997, coverage 81%/94%', () => {
    const auto = pick('tune', 'auto');
    expect(auto.relMASE).toBeCloseTo(0.681, 3);
    expect(pick('tune', 'seasonal-naive-week').relMASE).toBeCloseTo(0.997, 3);
    expect(auto.cov80).toBeGreaterThanOrEqual(0.77);
    expect(auto.cov80).toBeLessThanOrEqual(0.85);
    expect(auto.cov95).toBeGreaterThanOrEqual(0.92);
  });
});

describe('short tier (two weeks of history or less)', () => {
  it('auto falls back to seasonal-naive-day on every task, with the reason, and scores exactly as it', () => {
    const short = shortSummary(lib, panel);
    for (const half of ['tune', 'holdout']) {
      const auto = short.summary.find((r) => r.panel === `short-${half}` && r.model === 'elite:auto')!;
      expect(auto.fallbackShare).toBe(1);
      // relMASE divides by the published snaive24 MASE (five significant digits).
      expect(auto.relMASE).toBeCloseTo(1, 4);
    }
    const autoRows = short.rows.filter((r) => r.model === 'elite:auto');
    expect(autoRows).toHaveLength(65);
    for (const r of autoRows) expect(r.fallback).toBe('seasonal-naive-day');
  });
});
