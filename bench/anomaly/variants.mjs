// Scores variants of the detector's last stage without rebuilding it: runs the detector twice with
// suppression off (once with the novelty off, giving the residual's decades, once with the residual
// weighted to nothing, giving the novelty: 0, 0.5 for a new transition, 1 for a new level), then
// recombines them per point as the detector does and applies a variant (suppression keyed on another
// level or span, a rest period for new levels). The threshold is chosen on the tuning half; the held-out
// half and all 58 files are scored at it.
//
//   npx tsup --silent && node bench/anomaly/variants.mjs [--options='{"residualRepeats":0}'] [--suppress=30]
//
// With --options='{"residualRepeats":0}' --suppress=30 the components are the previous release's.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus, runDetector, splitCorpus } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const options = JSON.parse(opt('options', '{}'));
const suppress = Number(opt('suppress', '35'));
const files = loadCorpus(lib, join(here, '..', '..', 'test', 'fixtures', 'nab-corpus'));
const { tune, holdout } = splitCorpus(files);
const resolved = lib.detector(options).options;
const decades = (score) => (4 * score) / (1 - score);
const residualOnly = runDetector(lib, files, { ...options, noveltyDecades: 0, suppressPoints: 0 }).scores;
const noveltyOnly = runDetector(lib, files, { ...options, residualWeight: 1e-12, suppressPoints: 0 }).scores;
const parts = new Map();
for (const f of files) {
  const r = residualOnly.get(f.key);
  const n = noveltyOnly.get(f.key);
  const res = new Float64Array(r.length);
  const nov = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) {
    res[i] = decades(r[i]) / (resolved.residualWeight + 0.001);
    nov[i] = Math.round((decades(n[i]) - 0.001 * res[i]) / (resolved.noveltyDecades / 2)) / 2;
  }
  parts.set(f.key, { res, nov });
}

/** The detector's last stage: evidence, warm-up, suppression after `level` decades for `span` points. */
function combine({ res, nov }, { level = -Math.log10(1 - resolved.alertProbability), span = suppress } = {}) {
  const out = new Float64Array(res.length);
  let left = 0;
  for (let i = 0; i < res.length; i++) {
    const d = Math.max(resolved.residualWeight * res[i], resolved.noveltyDecades * nov[i]) + 0.001 * res[i];
    if (i < resolved.warmupPoints) continue;
    if (left > 0) {
      left--;
      continue;
    }
    if (d >= level) left = span;
    out[i] = d / (d + 4);
  }
  return out;
}

/** A new level within `points` of the previous new level counts as a new transition only. */
function restPeriod({ res, nov }, points) {
  const demoted = Float64Array.from(nov);
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < demoted.length; i++) {
    if (demoted[i] !== 1) continue;
    if (i - last < points) demoted[i] = 0.5;
    last = i;
  }
  return { res, nov: demoted };
}

const counts = (r) => ['tp', 'fp', 'fn'].map((k) => r.files.reduce((s, f) => s + f[k], 0)).join('/');
function report(label, variant) {
  const scores = new Map(files.map((f) => [f.key, variant(parts.get(f.key))]));
  const input = (fs) => fs.map((f) => ({ name: f.key, timestamps: f.timestamps, scores: scores.get(f.key), windows: f.windows }));
  const t = lib.scoreNab(input(tune));
  const h = lib.scoreNab(input(holdout), { threshold: t.threshold });
  const a = lib.scoreNab(input(files), { threshold: t.threshold });
  const th = decades(t.threshold).toFixed(3);
  console.log(
    `${label.padEnd(34)} threshold ${th} decades  tune ${t.score.toFixed(2)} (${counts(t)})  held out ${h.score.toFixed(2)} (${counts(h)})  all ${a.score.toFixed(2)} (${counts(a)})`,
  );
}

report('as the detector (check)', (p) => combine(p));
for (const level of [10.005, 11, 15, 17, 20]) {
  for (const span of [30, 35, 60, 100, 200, 400]) report(`suppress after ${level} dec, ${span} pts`, (p) => combine(p, { level, span }));
}
for (const points of [50, 150, 300, 1000, 3000]) report(`new-level rest ${points} pts`, (p) => combine(restPeriod(p, points)));
