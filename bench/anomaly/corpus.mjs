// Loads the NAB corpus copied in test/fixtures/nab-corpus (gzipped CSVs, labels, profiles; MIT,
// Numenta, see its README.md) and runs a detector over it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Every data file: { key: 'category/file.csv', category, file, timestamps (ms), text (raw timestamps), values, windows }. */
export function loadCorpus(lib, dir) {
  const labels = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8'));
  const files = [];
  for (const category of readdirSync(join(dir, 'data')).sort()) {
    for (const gz of readdirSync(join(dir, 'data', category)).sort()) {
      const file = gz.replace(/\.gz$/, '');
      const lines = gunzipSync(readFileSync(join(dir, 'data', category, gz)))
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1);
      const text = [];
      const values = new Float64Array(lines.length);
      lines.forEach((line, i) => {
        const comma = line.indexOf(',');
        text.push(line.slice(0, comma));
        values[i] = Number(line.slice(comma + 1));
      });
      const key = `${category}/${file}`;
      files.push({ key, category, file, text, timestamps: text.map(lib.parseNabTimestamp), values, windows: lib.nabWindows(labels, key) });
    }
  }
  return files;
}

/**
 * The fixed tuning split: files in alphabetical order of `category/file`, even positions tune the
 * parameters, odd positions are held out. Decided before any tuning, never changed.
 */
export function splitCorpus(files) {
  const sorted = [...files].sort((a, b) => (a.key < b.key ? -1 : 1));
  return { tune: sorted.filter((_, i) => i % 2 === 0), holdout: sorted.filter((_, i) => i % 2 === 1) };
}

/** Runs a fresh detector over each file; returns scores per file and the update time in ns. */
export function runDetector(lib, files, options) {
  let ns = 0n;
  let points = 0;
  const scores = new Map();
  for (const f of files) {
    const d = lib.detector(options);
    const out = new Float64Array(f.values.length);
    const start = process.hrtime.bigint();
    for (let i = 0; i < out.length; i++) out[i] = d.update(f.timestamps[i], f.values[i]).score;
    ns += process.hrtime.bigint() - start;
    points += out.length;
    scores.set(f.key, out);
  }
  return { scores, usPerPoint: Number(ns) / 1000 / points, points };
}

/**
 * NAB scores of the three profiles over `files`: at the given threshold per profile
 * (`thresholds[profile]`), else at the threshold that is optimal over these files, as NAB's optimiser picks it.
 */
export function scoreProfiles(lib, files, scores, thresholds = {}) {
  const input = files.map((f) => ({ name: f.key, timestamps: f.timestamps, scores: scores.get(f.key), windows: f.windows }));
  const out = {};
  for (const profile of Object.keys(lib.NAB_PROFILES)) {
    const r = lib.scoreNab(input, { profile, threshold: thresholds[profile] });
    out[profile] = { score: r.score, threshold: r.threshold, tp: sum(r.files, 'tp'), fp: sum(r.files, 'fp'), fn: sum(r.files, 'fn') };
  }
  return out;
}

const sum = (rows, key) => rows.reduce((s, r) => s + r[key], 0);
