// Tunes the detector's defaults on the tuning half of the NAB corpus only (see splitCorpus), one
// option at a time around the current defaults, printing the standard-profile score of each.
//
//   npx tsup --silent && node bench/anomaly/tune.mjs [--lib=dist/forecast.js]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus, runDetector, scoreProfiles, splitCorpus } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', '..', 'dist', 'forecast.js'))).href);
const { tune } = splitCorpus(loadCorpus(lib, join(here, 'corpus')));
const base = JSON.parse(opt('base', '{}'));
const grid = JSON.parse(opt('grid', '{}'));
const score = (options) => scoreProfiles(lib, tune, runDetector(lib, tune, options).scores).standard.score;
console.log('base', JSON.stringify(base), score(base).toFixed(2));
for (const [key, values] of Object.entries(grid)) {
  for (const v of values) console.log(key, v, score({ ...base, [key]: v }).toFixed(2));
}
