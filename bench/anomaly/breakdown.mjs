// Where a detector's NAB score is lost, per file and per cause: each false positive's cost split by what
// fired it (a new level, a new transition with a large residual, the residual alone), by where it falls
// (before the file's first window, within three window widths after one, further after) and by whether
// a detection came less than 300 points before it (repeated firing). At the tuning half's threshold.
//
//   npx tsup --silent && node bench/anomaly/breakdown.mjs [--set=holdout|tune] [--options='{...}']
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus, runDetector, splitCorpus } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const options = JSON.parse(opt('options', '{}'));
const files = loadCorpus(lib, join(here, '..', '..', 'test', 'fixtures', 'nab-corpus'));
const { tune, holdout } = splitCorpus(files);
const target = opt('set', 'holdout') === 'tune' ? tune : holdout;
const decades = (score) => (4 * score) / (1 - score);
const scores = runDetector(lib, files, options).scores;
// The two components alone, unsuppressed: the residual's decades and the novelty (0, 0.5 or 1).
const residualOnly = runDetector(lib, files, { ...options, noveltyDecades: 0, suppressPoints: 0 }).scores;
const noveltyOnly = runDetector(lib, files, { ...options, residualWeight: 1e-12, suppressPoints: 0 }).scores;
const resolved = lib.detector(options).options;
const input = (fs) => fs.map((f) => ({ name: f.key, timestamps: f.timestamps, scores: scores.get(f.key), windows: f.windows }));
const threshold = lib.scoreNab(input(tune)).threshold;
const result = lib.scoreNab(input(target), { threshold });
console.log(`threshold ${threshold} (${decades(threshold).toFixed(3)} decades), score ${result.score.toFixed(2)}`);
const causes = {};
const rows = [];
for (const fr of result.files) {
  const f = target.find((x) => x.key === fr.name);
  const s = scores.get(f.key);
  const ts = f.timestamps;
  const wins = f.windows.map(([a, e]) => [ts.findIndex((t) => t >= a), ts.findLastIndex((t) => t <= e)]);
  const probation = lib.nabProbationLength(s.length);
  let last = Number.NEGATIVE_INFINITY;
  const fps = [];
  for (let i = probation; i < s.length; i++) {
    if (!(s[i] >= threshold)) continue;
    if (!wins.some(([a, e]) => i >= a && i <= e)) {
      const r = decades(residualOnly.get(f.key)[i]) / (resolved.residualWeight + 0.001);
      const novelty = Math.round((decades(noveltyOnly.get(f.key)[i]) - 0.001 * r) / (resolved.noveltyDecades / 2)) / 2;
      const what = novelty === 1 ? 'newLevel' : novelty === 0.5 ? 'newTransition' : 'residual';
      const prev = wins.filter(([, e]) => e < i).at(-1);
      let cost = 0.11;
      let where = 'beforeFirstWindow';
      if (prev) {
        const y = (i - prev[1]) / (prev[1] - prev[0]);
        where = y <= 3 ? 'within3WidthsAfter' : 'furtherAfter';
        cost = -0.11 * lib.nabScaledSigmoid(y);
      }
      const key = `${what} / ${where} / ${i - last < 300 ? 'repeat' : 'first'}`;
      causes[key] = (causes[key] ?? 0) + cost;
      fps.push(`${i}:${what[3]}`);
    }
    last = i;
  }
  rows.push({ file: fr.name, lost: fr.windows - fr.raw, counts: `${fr.tp}/${fr.fp}/${fr.fn}`, fps: fps.slice(0, 10).join(' ') });
}
rows.sort((a, b) => b.lost - a.lost);
console.log('file  lost (raw, of its windows)  TP/FP/FN  first false positives (row:L level, T transition, i residual)');
for (const r of rows) console.log(`${r.file}  ${r.lost.toFixed(2)}  ${r.counts}  ${r.fps}`);
console.log('\nfalse-positive cost by cause (what / where / repeat within 300 points):');
for (const [k, v] of Object.entries(causes).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(60)}${v.toFixed(2)}`);
console.log(
  `  ${'total'.padEnd(60)}${Object.values(causes)
    .reduce((a, b) => a + b, 0)
    .toFixed(2)}`,
);
