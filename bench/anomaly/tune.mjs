// Tunes the detector's defaults on the tuning half of the NAB corpus only (see splitCorpus):
// coordinate descent over a grid, one option at a time, keeping a change only when it raises the
// standard-profile score of the tuning half. The held-out half is never read here.
//
//   npx tsup --silent && node bench/anomaly/tune.mjs --grid='{"levelAlpha":[0.05,0.1]}' [--rounds=2]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus, runDetector, scoreProfiles, splitCorpus } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const { tune } = splitCorpus(loadCorpus(lib, join(here, '..', '..', 'test', 'fixtures', 'nab-corpus')));
const base = JSON.parse(opt('base', '{}'));
const grid = JSON.parse(opt('grid', '{}'));
const score = (options) => scoreProfiles(lib, tune, runDetector(lib, tune, options).scores).standard.score;
let best = { ...base };
let bestScore = score(best);
console.log('base', JSON.stringify(best), bestScore.toFixed(2));
for (let round = 0; round < Number(opt('rounds', '1')); round++) {
  for (const [key, values] of Object.entries(grid)) {
    for (const v of values) {
      const s = score({ ...best, [key]: v });
      if (s > bestScore) {
        bestScore = s;
        best = { ...best, [key]: v };
        console.log(key, v, s.toFixed(2), JSON.stringify(best));
      }
    }
  }
}
console.log('best', JSON.stringify(best), bestScore.toFixed(2));
