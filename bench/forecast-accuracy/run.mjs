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

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const MODELS = opt('models', ['auto', ...Object.keys(lib.TRAFFIC_MODELS)].join(',')).split(',');
const PANELS = opt('panel', 'traffic,cost,short').split(',');

const rows = scoreRows(lib, loadPanel(lib), {
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
