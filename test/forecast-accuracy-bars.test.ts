/**
 * The accuracy bars for `forecast.traffic` (model 'auto', default options) on every task of the
 * benchmark panel's traffic panel, main tier (8 series × 5 daily origins of 24 h, and the 168 h task w1
 * of each series), scored by the accuracy harness's own code (bench/forecast-accuracy/score.mjs, which
 * `npm run bench:forecast` prints from) on the repo's copy of the panel (bench/forecast-accuracy/data,
 * NAB-derived, MIT: see its LICENSE.NAB.txt and SOURCE.md). The best reference's 7-day figure is read
 * from the panel's published scores (anchor_scores_by_task.csv).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { barFigures, loadPanel, type SummaryRow, scoreRows, summarize } from '../bench/forecast-accuracy/score.mjs';
import * as lib from '../src/forecast/index.js';

describe('forecast.traffic accuracy bars on the benchmark traffic panel (main tier)', () => {
  const panel = loadPanel(lib);
  let rows: ReturnType<typeof scoreRows>;
  let day: SummaryRow;
  let week: SummaryRow;
  let bestWeekRef: { model: string; wk_total_APE: number };

  beforeAll(() => {
    rows = scoreRows(lib, panel, { models: ['auto'], panels: ['traffic'] });
    const figures = barFigures(summarize(rows, ['traffic']), 'auto');
    if (figures === undefined || figures.bestWeekRef === undefined) throw new Error('traffic panel figures missing');
    ({ day, week, bestWeekRef } = figures);
  });

  it('scores auto on every main-tier task of the traffic panel: 40 of 24 h and 8 of 168 h (w1)', () => {
    const ours = rows.filter((r) => r.model === 'elite:auto');
    const tierOf = new Map(panel.tasks.map((t) => [`${t.series}/${t.task}`, t.tier]));
    const expected = panel.anchors.filter((a) => a.panel === 'traffic' && a.model === 'snaive24').map((a) => `${a.series}/${a.task}`);
    expect(ours.map((r) => `${r.series}/${r.task}`).sort()).toEqual([...new Set(expected)].sort());
    for (const r of ours) expect(tierOf.get(`${r.series}/${r.task}`)).toBe('main');
    expect(new Set(ours.map((r) => r.series)).size).toBe(8);
    expect(day.tasks).toBe(40);
    expect(week.tasks).toBe(8);
    expect(ours.filter((r) => r.horizon === '168').every((r) => r.task === 'w1')).toBe(true);
    for (const r of ours) {
      expect(Number.isFinite(r.MASE)).toBe(true);
      expect(Number.isFinite(r.relMASE)).toBe(true);
      expect(Number.isFinite(r.cov80)).toBe(true);
      expect(Number.isFinite(r.cov95)).toBe(true);
    }
  });

  it('24 h: geometric mean over tasks of MASE / MASE(snaive24) ≤ 0.70', () => {
    expect(day.relMASE).toBeLessThanOrEqual(0.7);
  });

  it('24 h: mean MASE < 1.46', () => {
    expect(day.MASE).toBeLessThan(1.46);
  });

  it('24 h: 80% intervals cover 77–83% of scored hours', () => {
    expect(day.cov80).toBeGreaterThanOrEqual(0.77);
    expect(day.cov80).toBeLessThanOrEqual(0.83);
  });

  it('24 h: 95% intervals cover 92–97% of scored hours', () => {
    expect(day.cov95).toBeGreaterThanOrEqual(0.92);
    expect(day.cov95).toBeLessThanOrEqual(0.97);
  });

  it("w1: 7-day total error below the best reference's", () => {
    // The best reference is the lowest mean wk_total_APE over the 8 w1 tasks among the published models.
    const refs = panel.anchors.filter((a) => a.panel === 'traffic' && a.task === 'w1' && a.wk_total_APE !== '');
    expect(refs.some((a) => a.model === bestWeekRef.model)).toBe(true);
    expect(bestWeekRef.wk_total_APE).toBeGreaterThan(0);
    expect(week.wk_total_APE).toBeLessThan(bestWeekRef.wk_total_APE);
  });
});
