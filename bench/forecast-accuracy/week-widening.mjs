// Interval coverage of the week-ahead `auto` forecast (168 h, weekly origins; weekly.mjs) on the tuning and
// held-out halves of the series: by default (no constant factor past a day: the history's own drift widens the
// raw quantiles of 14 backtest origins) and for several fixed values of `intervalWidening` (1 = the raw
// quantiles; `--origins=7` scores another origin count for the fixed rows).
//
//   npm run build && node bench/forecast-accuracy/week-widening.mjs [--widening=1,1.05,1.1,1.2] [--origins=14]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPanel } from './score.mjs';
import { weekAheadSummary } from './weekly.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const panel = loadPanel(lib);
console.log('| intervalWidening | tuning cov80 | tuning cov95 | held-out cov80 | held-out cov95 |');
console.log('|---|---|---|---|---|');
const origins = Number(opt('origins', '14'));
const rows = [
  ['default (drift)', {}],
  ...opt('widening', '1,1.05,1.1,1.2')
    .split(',')
    .map((w) => [w, { intervalWidening: Number(w), backtestOrigins: origins }]),
];
for (const [label, options] of rows) {
  const { summary } = weekAheadSummary(lib, panel, ['auto'], options);
  const [tune, held] = ['week-tune', 'week-holdout'].map((p) => summary.find((r) => r.panel === p));
  console.log(`| ${label} | ${tune.cov80.toFixed(3)} | ${tune.cov95.toFixed(3)} | ${held.cov80.toFixed(3)} | ${held.cov95.toFixed(3)} |`);
}
