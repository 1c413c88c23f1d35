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
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { barFigures, loadPanel, scoreRows, summarize } from './score.mjs';
import { shortSummary, WEEK_MODELS, weekAheadSummary } from './weekly.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const MODELS = opt('models', ['auto', ...Object.keys(lib.TRAFFIC_MODELS)].join(',')).split(',');
const PANELS = opt('panel', 'traffic,cost,short').split(',');

const panelData = loadPanel(lib);
const rows = scoreRows(lib, panelData, {
  models: MODELS,
  panels: PANELS,
  options: process.env.ORIGINS ? { backtestOrigins: Number(process.env.ORIGINS) } : {},
});
const summary = summarize(rows, PANELS);
const fmt = (v, d = 3) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
for (const panel of PANELS) {
  for (const horizon of ['24', '168']) {
    const table = summary.filter((r) => r.panel === panel && r.horizon === horizon);
    if (table.length === 0) continue;
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
// The bars, on the traffic panel (main tier): checked on the `elite:auto` rows (asserted by
// test/forecast-accuracy-bars.test.ts with the same figures).
const figures = barFigures(summary, 'auto');
if (figures !== undefined) {
  const { day: auto24, week: auto168 } = figures;
  const bestWeek = figures.bestWeekRef?.wk_total_APE ?? Number.POSITIVE_INFINITY;
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
// The week ahead (more 168 h origins than the panel's w1) and the short tier, each split into the series
// the settings were tuned on and the held-out ones (weekly.mjs).
const origins = process.env.ORIGINS ? { backtestOrigins: Number(process.env.ORIGINS) } : {};
const extra = [];
const table = (title, group, cols) => {
  console.log(`\n### ${title}\n`);
  console.log(`| model | tasks | relMASE (geo) | MASE | cov80 | cov95 | MSIS | ${cols.map((c) => c[0]).join(' | ')} |`);
  console.log(`|---|---|---|---|---|---|---|${cols.map(() => '---|').join('')}`);
  for (const r of group) {
    const name = r.model.startsWith('elite:') ? `**${r.model}**` : r.model;
    console.log(
      `| ${name} | ${r.tasks} | ${fmt(r.relMASE)} | ${fmt(r.MASE)} | ${fmt(r.cov80)} | ${fmt(r.cov95)} | ${fmt(r.MSIS, 2)} | ${cols.map((c) => c[1](r)).join(' | ')} |`,
    );
  }
};
if (PANELS.includes('traffic')) {
  const week = weekAheadSummary(
    lib,
    panelData,
    WEEK_MODELS.filter((m) => MODELS.includes(m)),
    origins,
  );
  extra.push(week);
  const perSeries = (half) => week.split[half].map((s) => `${s} (${week.tasks.filter((t) => t.series === s).length})`).join(', ');
  for (const [half, label] of [
    ['tune', 'tuning half, in-sample'],
    ['holdout', 'held-out half'],
  ]) {
    table(
      `week ahead, traffic panel main tier, 168 h from weekly origins: ${label}`,
      week.summary.filter((r) => r.panel === `week-${half}`),
      [
        ['wk_total_APE', (r) => fmt(r.wk_total_APE, 2)],
        ['median ms', (r) => fmt(r.medianMs, 1)],
      ],
    );
    console.log(`\nSeries (tasks): ${perSeries(half)}.`);
  }
  const pick = (half, model) => week.summary.find((r) => r.panel === `week-${half}` && r.model === `elite:${model}`);
  const auto = pick('holdout', 'auto');
  const naive = pick('holdout', 'seasonal-naive-week');
  if (auto !== undefined && naive !== undefined) {
    console.log('\n### Bars, week ahead (held-out half, elite:auto)\n');
    console.log('| measure | ours | bar | met |');
    console.log('|---|---|---|---|');
    const bars = [
      ['relMASE vs seasonal-naive-week', auto.relMASE / naive.relMASE, '≤ 0.90', auto.relMASE / naive.relMASE <= 0.9],
      ['geometric mean relMASE', auto.relMASE, '≤ 0.62', auto.relMASE <= 0.62],
      ['80% interval coverage', auto.cov80, '0.77–0.85', auto.cov80 >= 0.77 && auto.cov80 <= 0.85],
      ['95% interval coverage', auto.cov95, '0.92–0.97', auto.cov95 >= 0.92 && auto.cov95 <= 0.97],
      ['7-day total APE (mean, %)', auto.wk_total_APE, '≤ 10', auto.wk_total_APE <= 10],
    ];
    for (const [name, value, bar, ok] of bars) console.log(`| ${name} | ${fmt(value)} | ${bar} | ${ok ? 'yes' : 'NO'} |`);
  }
}
if (PANELS.includes('short')) {
  const short = shortSummary(
    lib,
    panelData,
    ['auto', 'seasonal-naive-day', 'seasonal-naive-week', 'seasonal-mean', 'mstl-ets'].filter((m) => MODELS.includes(m)),
    origins,
  );
  extra.push(short);
  for (const [half, label] of [
    ['tune', 'tuning half, in-sample'],
    ['holdout', 'held-out half'],
  ]) {
    table(
      `short tier, 24 h tasks: ${label}`,
      short.summary.filter((r) => r.panel === `short-${half}`),
      [
        ['auto fell back', (r) => (r.fallbackShare === undefined ? '—' : `${Math.round(100 * r.fallbackShare)}%`)],
        ['median ms', (r) => fmt(r.medianMs, 1)],
      ],
    );
    console.log(`\nSeries: ${short.split[half].join(', ')}.`);
  }
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
writeFileSync(
  out,
  `${JSON.stringify({ summary, rows: rows.filter((r) => r.model.startsWith('elite:')), split: extra.map((e) => ({ summary: e.summary, split: e.split })) }, null, 1)}\n`,
);
