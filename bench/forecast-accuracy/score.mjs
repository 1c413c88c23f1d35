// The accuracy harness's scoring, shared by `run.mjs` (the benchmark, on the build in dist/) and
// test/forecast-accuracy-bars.test.ts (the bars, on the sources): loads the panel in data/,
// forecasts every task with `lib.traffic`, scores it with `lib.scoreForecast`, summarises per panel and
// horizon beside the references' published scores, and checks the bars on the traffic panel.
//
// MASE and MSIS are scaled by the in-sample seasonal-naive-24 MAE of each task's training window;
// relMASE = MASE / MASE(snaive24 reference) on the same task; coverage and MSIS on scored hours
// (imputed hours are never scored); wk_total_APE on the 168-hour task w1 only.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The panel in `dir` (default: data/ next to this file), read with `lib.parseCsv`. */
export function loadPanel(lib, dir = join(here, 'data')) {
  const csv = (file) => {
    const [header, ...rows] = lib.parseCsv(readFileSync(join(dir, file), 'utf8'));
    return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  };
  const tasks = csv('tasks.csv');
  const anchors = csv('anchor_scores_by_task.csv');
  const panelOf = new Map(anchors.map((a) => [`${a.series}/${a.task}`, a.panel]));
  const refSnaive = new Map(anchors.filter((a) => a.model === 'snaive24').map((a) => [`${a.series}/${a.task}`, Number(a.MASE)]));
  const seriesCache = new Map();
  const loadSeries = (name) => {
    if (!seriesCache.has(name)) {
      const rows = csv(`series/${name}.csv`);
      seriesCache.set(name, {
        ts: rows.map((r) => Date.parse(r.ts)),
        y: Float64Array.from(rows, (r) => Number(r.y)),
        imputed: rows.map((r) => Number(r.imputed)),
      });
    }
    return seriesCache.get(name);
  };
  return { tasks, anchors, panelOf, refSnaive, loadSeries };
}

/** Scores one model on one task; `options` are added to the `traffic` options. */
export function runTask(lib, panel, task, model, options = {}) {
  const s = panel.loadSeries(task.series);
  const origin = Number(task.origin);
  const start = Number(task.train_start);
  const h = Number(task.horizon);
  const train = s.y.slice(start, origin);
  const series = { startMs: s.ts[start], stepMs: 3_600_000, values: train };
  const t0 = performance.now();
  const result = lib.traffic(series, { horizon: h, levels: [80, 95], model, ...options });
  const sec = (performance.now() - t0) / 1000;
  const f = result.steps.map((st) => st.mean);
  const sc = lib.scoreForecast({
    train,
    actual: s.y.subarray(origin, origin + h),
    forecast: f,
    skip: s.imputed.slice(origin, origin + h),
    intervals: [80, 95].map((level) => ({
      level,
      lower: result.steps.map((st) => st.bounds[level].lower),
      upper: result.steps.map((st) => st.bounds[level].upper),
    })),
  });
  return { sc, sec, used: result.model, result };
}

/** One row per task and model (`elite:<model>`) on the panels asked, then the references' rows. */
export function scoreRows(lib, panel, { models, panels, options = {} }) {
  const rows = [];
  for (const task of panel.tasks) {
    const key = `${task.series}/${task.task}`;
    const name = panel.panelOf.get(key);
    if (name === undefined || !panels.includes(name)) continue;
    for (const model of models) {
      const { sc, sec, used, result } = runTask(lib, panel, task, model, options);
      rows.push({
        series: task.series,
        task: task.task,
        panel: name,
        horizon: task.horizon,
        model: `elite:${model}`,
        used,
        fallback: result.fallback?.model,
        sec,
        MASE: sc.mase,
        sMAPE: sc.smape,
        cov80: sc.coverage[80],
        cov95: sc.coverage[95],
        MSIS: sc.msis,
        wk_total_APE: task.task === 'w1' ? sc.totalApe : undefined,
        relMASE: sc.mase / panel.refSnaive.get(key),
      });
    }
  }
  for (const a of panel.anchors) {
    if (!panels.includes(a.panel)) continue;
    const num = (v) => (v === '' || v === undefined ? undefined : Number(v));
    rows.push({
      series: a.series,
      task: a.task,
      panel: a.panel,
      horizon: a.horizon,
      model: a.model,
      sec: num(a.sec),
      MASE: num(a.MASE),
      sMAPE: num(a.sMAPE),
      cov80: num(a.cov80),
      cov95: num(a.cov95),
      MSIS: num(a.MSIS),
      wk_total_APE: num(a.wk_total_APE),
      relMASE: num(a.relMASE),
    });
  }
  return rows;
}

const mean = (v) => (v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length);
const geo = (v) => (v.length === 0 ? undefined : Math.exp(mean(v.map(Math.log))));
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)] * 0.5 + s[Math.ceil((s.length - 1) / 2)] * 0.5;
};

/** Per panel, horizon (24, 168) and model: the summary rows, each group sorted by relMASE. */
export function summarize(rows, panels) {
  const summary = [];
  for (const panel of panels) {
    for (const horizon of ['24', '168']) {
      const group = rows.filter((r) => r.panel === panel && r.horizon === horizon);
      if (group.length === 0) continue;
      const models = [...new Set(group.map((r) => r.model))];
      const table = models.map((model) => {
        const g = group.filter((r) => r.model === model);
        const vals = (k) => g.map((r) => r[k]).filter((v) => v !== undefined && Number.isFinite(v));
        return {
          panel,
          horizon,
          model,
          tasks: g.length,
          relMASE: geo(vals('relMASE')),
          MASE: mean(vals('MASE')),
          sMAPE: mean(vals('sMAPE')),
          cov80: mean(vals('cov80')),
          cov95: mean(vals('cov95')),
          MSIS: mean(vals('MSIS')),
          wk_total_APE: mean(vals('wk_total_APE')),
          medianMs: median(vals('sec')) * 1000,
        };
      });
      table.sort((a, b) => a.relMASE - b.relMASE);
      summary.push(...table);
    }
  }
  return summary;
}

/**
 * The figures the bars are on (traffic panel, main tier, `elite:<model>` rows): the 24 h
 * summary, the 168 h (w1) summary, and the lowest mean 7-day total APE among the references.
 * Undefined when the summary lacks the traffic panel or the model (`bestWeekRef` when no reference has a w1 score).
 */
export function barFigures(summary, model = 'auto') {
  const pick = (horizon) => summary.find((r) => r.panel === 'traffic' && r.horizon === horizon && r.model === `elite:${model}`);
  const day = pick('24');
  const week = pick('168');
  if (day === undefined || week === undefined) return undefined;
  const refs = summary.filter(
    (r) => r.panel === 'traffic' && r.horizon === '168' && !r.model.startsWith('elite:') && r.wk_total_APE !== undefined,
  );
  const best = refs.reduce((b, r) => (b === undefined || r.wk_total_APE < b.wk_total_APE ? r : b), undefined);
  return { day, week, bestWeekRef: best === undefined ? undefined : { model: best.model, wk_total_APE: best.wk_total_APE } };
}
