// More 168-hour tasks than the panel's single `w1` per series, and the split of series into a tuning
// half and a held-out half, for the week-ahead and short-history settings of `forecast.traffic`.
//
// The panel has one 168 h task per main-tier series (w1: the last week of the series, trained on up to
// 8 weeks before it). One origin per series is too few to tune on, so `weeklyTasks` adds earlier weekly
// origins under the panel's own rules: origins every `spacing` hours (72 h, so the origin's weekday
// rotates) going back from w1, at most `maxOrigins` per series, training `[origin − 1344, origin)` (at
// most 8 weeks) and never less than `minTrain` hours (4 weeks). Task `w1` is the panel's own task; the
// others are `w2`, `w3`, … going back in time. Every task is scored like the panel's (runTask in
// score.mjs); relMASE divides by the MASE of seasonal-naive-day on the same task (the panel's snaive24).
//
// The split, fixed before any tuning: the series names in ascending (code-point) order, alternately
// to the tuning half (1st, 3rd, …) and the held-out half (2nd, 4th, …).
import { runTask, scoreRows, summarize } from './score.mjs';

/** Series names of `panelName`'s tier `tier` (main or short), split alternately in sorted order. */
export function splitSeries(panel, panelName, tier) {
  const names = [
    ...new Set(panel.tasks.filter((t) => t.tier === tier && panel.panelOf.get(`${t.series}/${t.task}`) === panelName).map((t) => t.series)),
  ].sort();
  return { tune: names.filter((_, i) => i % 2 === 0), holdout: names.filter((_, i) => i % 2 === 1) };
}

/** The weekly tasks of the main-tier series of `panelName`: w1 from the panel, then earlier origins. */
export function weeklyTasks(panel, panelName, { spacing = 72, maxOrigins = 8, minTrain = 672, maxTrain = 1344 } = {}) {
  const out = [];
  for (const w1 of panel.tasks) {
    if (w1.task !== 'w1' || w1.tier !== 'main' || panel.panelOf.get(`${w1.series}/w1`) !== panelName) continue;
    const imputed = panel.loadSeries(w1.series).imputed;
    for (let j = 0; j < maxOrigins; j++) {
      const origin = Number(w1.origin) - j * spacing;
      const start = Math.max(0, origin - maxTrain);
      if (origin - start < minTrain) break;
      // Skip an origin whose week is mostly filled in (nothing to score).
      let filled = 0;
      for (let k = origin; k < origin + 168; k++) filled += imputed[k];
      if (filled > 84) continue;
      out.push({ ...w1, task: `w${j + 1}`, origin: String(origin), train_start: String(start), train_len: String(origin - start) });
    }
  }
  return out;
}

/**
 * Rows in score.mjs's format for `tasks` and `models`, with `panel` set to `label`; relMASE against
 * seasonal-naive-day on the same task, wk_total_APE on every 168 h task.
 */
export function scoreTasks(lib, panel, tasks, { models, label, options = {} }) {
  const rows = [];
  for (const task of tasks) {
    const ref = runTask(lib, panel, task, 'seasonal-naive-day').sc.mase;
    for (const model of models) {
      const { sc, sec, used, result } = runTask(lib, panel, task, model, options);
      rows.push({
        series: task.series,
        task: task.task,
        panel: label,
        horizon: task.horizon,
        model: `elite:${model}`,
        used,
        fallback: result?.fallback?.model,
        sec,
        MASE: sc.mase,
        sMAPE: sc.smape,
        cov80: sc.coverage[80],
        cov95: sc.coverage[95],
        MSIS: sc.msis,
        wk_total_APE: task.horizon === '168' ? sc.totalApe : undefined,
        relMASE: sc.mase / ref,
      });
    }
  }
  return rows;
}

/** Models scored on the weekly tasks by default. */
export const WEEK_MODELS = [
  'auto',
  'seasonal-naive-week',
  'seasonal-naive-day',
  'seasonal-median',
  'seasonal-median-level',
  'seasonal-mean-8w',
  'lag-regression',
  'seasonal-mean',
  'prophet',
];

/**
 * The week-ahead figures: every model on the weekly tasks of the traffic panel's main tier, summarised
 * separately on the tuning half (`week-tune`) and the held-out half (`week-holdout`) of the series.
 */
export function weekAheadSummary(lib, panel, models = WEEK_MODELS, options = {}) {
  const split = splitSeries(panel, 'traffic', 'main');
  const tasks = weeklyTasks(panel, 'traffic');
  const rows = [
    ...scoreTasks(
      lib,
      panel,
      tasks.filter((t) => split.tune.includes(t.series)),
      { models, label: 'week-tune', options },
    ),
    ...scoreTasks(
      lib,
      panel,
      tasks.filter((t) => split.holdout.includes(t.series)),
      { models, label: 'week-holdout', options },
    ),
  ];
  return { split, tasks, rows, summary: summarize(rows, ['week-tune', 'week-holdout']) };
}

/**
 * The short tier's 24 h tasks (panel `short`) scored per half of its series: `short-tune` and
 * `short-holdout`, with the share of tasks where `auto` fell back (`fallbackShare` on the auto rows).
 */
export function shortSummary(lib, panel, models = ['auto', 'seasonal-naive-day'], options = {}) {
  const split = splitSeries(panel, 'short', 'short');
  const rows = scoreRows(lib, panel, { models, panels: ['short'], options }).map((r) => ({
    ...r,
    panel: split.tune.includes(r.series) ? 'short-tune' : 'short-holdout',
  }));
  const summary = summarize(rows, ['short-tune', 'short-holdout']);
  for (const s of summary) {
    if (s.model !== 'elite:auto') continue;
    const ours = rows.filter((r) => r.panel === s.panel && r.model === 'elite:auto');
    s.fallbackShare = ours.filter((r) => r.fallback !== undefined).length / ours.length;
  }
  return { split, rows, summary };
}
