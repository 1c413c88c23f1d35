// Accuracy of the traffic forecasts on the benchmark panel (data/, see data/README.md and
// data/SOURCE.md): every task scored with the panel's metrics, our rows printed beside the
// reference forecasters' published scores.
//
//   npm run bench:forecast                       (builds, then runs this file)
//   node bench/forecast-accuracy/run.mjs [--models=auto,prophet,...] [--panel=traffic,cost,short] [--json=out.json]
//
// MASE and MSIS are scaled by the in-sample seasonal-naive-24 MAE of each task's training window;
// relMASE = MASE / MASE(snaive24 reference) on the same task; coverage and MSIS on scored hours
// (imputed hours are never scored); wk_total_APE on the 168-hour task w1 only.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const MODELS = opt('models', ['auto', ...Object.keys(lib.TRAFFIC_MODELS)].join(',')).split(',');
const PANELS = opt('panel', 'traffic,cost,short').split(',');

const csv = (file) => {
  const [header, ...rows] = lib.parseCsv(readFileSync(join(here, 'data', file), 'utf8'));
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

/** Scores one model on one task. */
export function runTask(task, model) {
  const s = loadSeries(task.series);
  const origin = Number(task.origin);
  const start = Number(task.train_start);
  const h = Number(task.horizon);
  const train = s.y.slice(start, origin);
  const series = { startMs: s.ts[start], stepMs: 3_600_000, values: train };
  const t0 = performance.now();
  const result = lib.traffic(series, {
    horizon: h,
    levels: [80, 95],
    model,
    ...(process.env.ORIGINS ? { backtestOrigins: Number(process.env.ORIGINS) } : {}),
  });
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
  return { sc, sec, used: result.model };
}

const rows = [];
for (const task of tasks) {
  const key = `${task.series}/${task.task}`;
  const panel = panelOf.get(key);
  if (panel === undefined || !PANELS.includes(panel)) continue;
  for (const model of MODELS) {
    const { sc, sec, used } = runTask(task, model);
    rows.push({
      series: task.series,
      task: task.task,
      panel,
      horizon: task.horizon,
      model: `elite:${model}`,
      used,
      sec,
      MASE: sc.mase,
      sMAPE: sc.smape,
      cov80: sc.coverage[80],
      cov95: sc.coverage[95],
      MSIS: sc.msis,
      wk_total_APE: task.task === 'w1' ? sc.totalApe : undefined,
      relMASE: sc.mase / refSnaive.get(key),
    });
  }
}
for (const a of anchors) {
  if (!PANELS.includes(a.panel)) continue;
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

const mean = (v) => (v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length);
const geo = (v) => (v.length === 0 ? undefined : Math.exp(mean(v.map(Math.log))));
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)] * 0.5 + s[Math.ceil((s.length - 1) / 2)] * 0.5;
};
const fmt = (v, d = 3) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
const summary = [];
for (const panel of PANELS) {
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
    console.log(`\n### ${panel} panel, ${horizon} h tasks\n`);
    console.log('| model | tasks | relMASE (geo) | MASE | sMAPE | cov80 | cov95 | MSIS | wk_total_APE | median ms |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of table) {
      const name = r.model.startsWith('elite:') ? `**${r.model}**` : r.model;
      console.log(
        `| ${name} | ${r.tasks} | ${fmt(r.relMASE)} | ${fmt(r.MASE)} | ${fmt(r.sMAPE, 1)} | ${fmt(r.cov80)} | ${fmt(r.cov95)} | ${fmt(r.MSIS, 2)} | ${fmt(r.wk_total_APE, 2)} | ${fmt(r.medianMs, 1)} |`,
      );
    }
  }
}
// The bars, on the traffic panel (main tier): checked on the `elite:auto` rows.
const pick = (panel, horizon, model) => summary.find((r) => r.panel === panel && r.horizon === horizon && r.model === model);
const auto24 = pick('traffic', '24', 'elite:auto');
const auto168 = pick('traffic', '168', 'elite:auto');
if (auto24 !== undefined && auto168 !== undefined) {
  const refs = summary.filter(
    (r) => r.panel === 'traffic' && r.horizon === '168' && !r.model.startsWith('elite:') && r.wk_total_APE !== undefined,
  );
  const bestWeek = Math.min(...refs.map((r) => r.wk_total_APE));
  const bars = [
    ['geometric mean relMASE, 24 h', auto24.relMASE, '≤ 0.70', auto24.relMASE <= 0.7],
    ['mean MASE, 24 h', auto24.MASE, '< 1.46', auto24.MASE < 1.46],
    ['80% interval coverage, 24 h', auto24.cov80, '0.77–0.83', auto24.cov80 >= 0.77 && auto24.cov80 <= 0.83],
    ['95% interval coverage, 24 h', auto24.cov95, '0.92–0.97', auto24.cov95 >= 0.92 && auto24.cov95 <= 0.97],
    ['7-day total APE, w1', auto168.wk_total_APE, `< ${bestWeek.toFixed(2)} (best reference)`, auto168.wk_total_APE < bestWeek],
  ];
  console.log('\n### Bars (traffic panel, main tier, elite:auto)\n');
  console.log('| measure | ours | bar | met |');
  console.log('|---|---|---|---|');
  for (const [name, value, bar, ok] of bars) console.log(`| ${name} | ${fmt(value)} | ${bar} | ${ok ? 'yes' : 'NO'} |`);
}
const out = opt(
  'json',
  join(
    here,
    '..',
    'results',
    `forecast-accuracy${MODELS.length === 1 + Object.keys(lib.TRAFFIC_MODELS).length && PANELS.length === 3 ? '' : '.partial'}.json`,
  ),
);
writeFileSync(out, `${JSON.stringify({ summary, rows: rows.filter((r) => r.model.startsWith('elite:')) }, null, 1)}\n`);
