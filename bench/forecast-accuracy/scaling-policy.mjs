// The learned scaling policy trained on the benchmark panel, and how often it agrees with the
// forecast policy's decisions on held-out weeks.
//
//   npm run bench:scaling-policy                 (builds, then runs this file; about 3 min)
//   node bench/forecast-accuracy/scaling-policy.mjs [--write] [--every=1]
//
// Series: the 8 main-tier series of the traffic panel (data/series, hourly). Each series' decision
// points are split by calendar week (Monday 00:00 UTC) BEFORE fitting: the last quarter of its weeks
// is held out, and so are the weeks of nyc_taxi that the demo (data/demo/traffic.csv, 2014-09-29 to
// 2014-10-26) covers; the other weeks train. A training point whose 2 h label window reaches into a
// held-out week is dropped.
//
// The forecast policy's decision at a point ("now" = hour i): `decide` with the threshold policy on
// `traffic()` of the last 8 weeks (horizon 2 h, automatic model), with the fleet sized so that the
// last hour ran at 1 / 1.15 of the scale-up bar: capacity = last hour's load × 1.15 / 0.8, scaleUpAt
// 0.8, scaleDownAt 0.8 × 0.85 / 1.15. So SCALE_UP when the forecast passes +15 % within 2 h and
// SCALE_DOWN when it stays below −15 %: the labelling rule of the reference data (scaling_decisions),
// read from the forecast instead of from what happened.
//
// The forest learns those decisions from the directional features alone (no forecast is run when it
// decides). --write regenerates src/forecast/scaling/pretrained-forest.ts from the forest trained here.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPanel } from './score.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
/** The demo's span (data/demo/traffic.csv), held out of nyc_taxi's training weeks. */
const DEMO = { series: 'nyc_taxi', from: Date.parse('2014-09-29T00:00:00Z'), to: Date.parse('2014-10-27T00:00:00Z') };
/** Forest settings of the shipped policy: small enough to ship, deep enough to learn the rule. */
export const FOREST = { nEstimators: 20, minSamplesLeaf: 20, maxDepth: 6, maxFeatures: 'sqrt', seed: 0 };
const UP = 0.8;
const DOWN = (0.8 * 0.85) / 1.15;

/** The 8 main-tier traffic series' names, sorted. */
export function scalingSeries(panel) {
  const names = new Set();
  for (const t of panel.tasks) if (t.tier === 'main' && panel.panelOf.get(`${t.series}/${t.task}`) === 'traffic') names.add(t.series);
  return [...names].sort();
}

/** Monday 00:00 UTC of the week holding `ms` (epoch ms). */
export const weekOf = (ms) => {
  const monday = Date.UTC(1970, 0, 5);
  return monday + Math.floor((ms - monday) / WEEK) * WEEK;
};

/**
 * The held-out weeks (Monday 00:00 UTC) of series `name` whose decision points are `timestamps`:
 * the last quarter of its weeks, and for nyc_taxi the weeks of the demo.
 */
export function heldOutWeeks(name, timestamps) {
  const weeks = [...new Set(timestamps.map(weekOf))].sort((a, b) => a - b);
  const held = new Set(weeks.slice(Math.floor(weeks.length * 0.75)));
  if (name === DEMO.series) for (const w of weeks) if (w >= weekOf(DEMO.from) && w < DEMO.to) held.add(w);
  return held;
}

/** The forecast policy's decision at hour `i` of series `s` (see the header). */
export function forecastDecision(lib, s, i) {
  const from = Math.max(0, i - 1343);
  const history = lib.fromColumns(s.ts.slice(from, i + 1), s.y.slice(from, i + 1));
  const forecast = lib.traffic(history, { horizon: 2 });
  const load = s.y[i];
  if (!(load > 0)) return 'MAINTAIN';
  return lib.decide({ forecast, capacity: (load * 1.15) / UP }, { kind: 'thresholds', scaleUpAt: UP, scaleDownAt: DOWN }).decision;
}

/**
 * Feature rows of every series with the week split: `{ series, ts, x, realized, heldOut }` per
 * decision point (every `every` hours), before any forecast is run.
 */
export function splitRows(lib, panel, { every = 1 } = {}) {
  const out = [];
  for (const name of scalingSeries(panel)) {
    const s = panel.loadSeries(name);
    const table = lib.scalingFeatures(lib.fromColumns(s.ts, s.y));
    const held = heldOutWeeks(name, table.timestamps);
    const index = new Map(s.ts.map((t, i) => [t, i]));
    for (let r = 0; r < table.x.length; r += every) {
      const ts = table.timestamps[r];
      const heldOut = held.has(weekOf(ts));
      // A training point must not see a held-out hour through its label window.
      if (!heldOut && held.has(weekOf(ts + 2 * HOUR))) continue;
      out.push({ series: name, ts, i: index.get(ts), x: table.x[r], realized: table.y[r], heldOut });
    }
  }
  return out;
}

/** Adds `decision` (the forecast policy's) to every row. */
export function withForecastDecisions(lib, panel, rows) {
  for (const row of rows) row.decision = forecastDecision(lib, panel.loadSeries(row.series), row.i);
  return rows;
}

/** Trains on the training rows' forecast-policy decisions; agreement and accuracy on the held-out rows. */
export function trainAndScore(lib, rows, forest = FOREST) {
  const train = rows.filter((r) => !r.heldOut);
  const test = rows.filter((r) => r.heldOut);
  const policy = lib.trainScalingPolicy(
    { featureNames: lib.DIRECTIONAL_SCALING_FEATURES, x: train.map((r) => r.x), y: train.map((r) => r.decision) },
    { forest, nRepeats: 1 },
  );
  const predicted = policy.model.predict(test.map((r) => r.x));
  const share = (f) => test.filter(f).length / test.length;
  return {
    policy,
    trainRows: train.length,
    testRows: test.length,
    agreement: test.filter((r, k) => predicted[k] === r.decision).length / test.length,
    realizedAccuracy: test.filter((r, k) => predicted[k] === r.realized).length / test.length,
    forecastRealizedAccuracy: share((r) => r.decision === r.realized),
  };
}

/** The TypeScript module holding the trained forest (leaf class shares rounded to 4 decimals). */
function forestModule({ policy, trainRows, testRows, agreement }) {
  const trees = policy.model.trees.map((t) => {
    const leaf = (n) => t.feature[n] < 0;
    const value = [];
    for (let n = 0; n < t.feature.length; n++) {
      for (let k = 0; k < 3; k++) value.push(leaf(n) ? Math.round(t.value[n * 3 + k] * 1e4) / 1e4 : 0);
    }
    return [[...t.feature], [...t.threshold].map((v, n) => (leaf(n) ? 0 : v)), [...t.left], [...t.right], value];
  });
  const data = {
    featureNames: [...policy.featureNames],
    classes: [...policy.model.classes],
    featureImportance: policy.featureImportance,
    holdout: { rows: testRows, agreement, trainRows },
    trees,
  };
  return `// Generated by \`node bench/forecast-accuracy/scaling-policy.mjs --write\` (npm run bench:scaling-policy -- --write); do not edit.
/** The shipped scaling forest, as JSON: trained on the benchmark panel (see the generating script's header). */
export const PRETRAINED_FOREST_JSON = '${JSON.stringify(data)}';
`;
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
  const panel = loadPanel(lib);
  const t0 = performance.now();
  const rows = withForecastDecisions(lib, panel, splitRows(lib, panel, { every: Number(opt('every', '1')) }));
  const t1 = performance.now();
  const r = trainAndScore(lib, rows);
  const readme = readFileSync(join(here, '..', '..', 'test', 'fixtures', 'ml', 'README.md'), 'utf8');
  const reference = Number(/RandomForestClassifier\([^)]*\)`? test accuracy ([\d.]+)/.exec(readme)[1]);
  console.log(`series: ${scalingSeries(panel).join(', ')}`);
  console.log(`rows: ${r.trainRows} training, ${r.testRows} held out (forecast decisions in ${((t1 - t0) / 1000).toFixed(0)} s)`);
  console.log(`agreement with the forecast policy on held-out weeks: ${r.agreement.toFixed(3)}`);
  console.log(`random-forest reference (scikit-learn on scaling_decisions, accuracy on its labels): ${reference.toFixed(3)}`);
  console.log(`learned policy against what happened (realized labels), held out: ${r.realizedAccuracy.toFixed(3)}`);
  console.log(`forecast policy against what happened, held out: ${r.forecastRealizedAccuracy.toFixed(3)}`);
  if (argv.includes('--write')) {
    writeFileSync(join(here, '..', '..', 'src', 'forecast', 'scaling', 'pretrained-forest.ts'), forestModule(r));
    console.log('wrote src/forecast/scaling/pretrained-forest.ts');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
