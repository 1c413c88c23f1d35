// Tree learners of the forecast module: fit and predict times on the scikit-learn reference data
// (test/fixtures/ml), with the accuracy each fit reaches, against scikit-learn's figures from
// test/fixtures/ml/README.md (measured on the same machine: GBRT fit 1.4 s, forest fit 1.2 s).
// Run: npm run bench:trees   (about 40 s). The learners are bundled from the sources with esbuild
// into a temporary file first, so the bench needs no build.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const tmp = mkdtempSync(join(os.tmpdir(), 'elite-trees-bench-'));
const entry = join(tmp, 'entry.ts');
writeFileSync(
  entry,
  `export * from ${JSON.stringify(join(root, 'src/forecast/trees/index.ts'))};\nexport { cost } from ${JSON.stringify(join(root, 'src/forecast/cost/index.ts'))};\n`,
);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(tmp, 'trees.mjs'), logLevel: 'warning' });
const { fitGradientBoosting, fitRandomForest, rmse, accuracy, logLoss, cost } = await import(pathToFileURL(join(tmp, 'trees.mjs')).href);
rmSync(tmp, { recursive: true, force: true });

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);

function load(name, features, target, parse) {
  const [head, ...lines] = readFileSync(join(root, 'test/fixtures/ml', name), 'utf8')
    .trim()
    .split('\n');
  const header = head.split(',');
  const cols = features.map((f) => header.indexOf(f));
  const t = header.indexOf(target);
  const s = header.indexOf('split');
  const out = { train: { x: [], y: [] }, test: { x: [], y: [] } };
  for (const line of lines) {
    const cells = line.split(',');
    const part = cells[s] === 'train' ? out.train : out.test;
    part.x.push(cols.map((c) => Number(cells[c])));
    part.y.push(parse(cells[t]));
  }
  return out;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const max = (xs) => Math.max(...xs);

// Wall time and CPU time of the process (user + system). On a shared machine the wall time
// includes waiting for a core; the CPU time does not, so both are reported.
function time(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

const results = {
  loadAverage1m: os.loadavg()[0],
  machine: `${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}`,
  rounds,
  date: new Date().toISOString(),
};

// 1. Gradient boosting on Friedman #1 (deterministic: every round fits the same model).
{
  const d = load(
    'friedman1.csv',
    Array.from({ length: 10 }, (_, i) => `x${i}`),
    'y',
    Number,
  );
  const fits = [];
  const cpu = [];
  const predicts = [];
  let error = 0;
  for (let r = 0; r < rounds; r++) {
    const fit = time(() => fitGradientBoosting(d.train.x, d.train.y, { nEstimators: 200, learningRate: 0.1, maxDepth: 3 }));
    const pred = time(() => fit.value.predict(d.test.x));
    fits.push(fit.ms);
    cpu.push(fit.cpuMs);
    predicts.push(pred.ms);
    error = rmse(d.test.y, pred.value);
  }
  results.gbrt = {
    fitMsMedian: median(fits),
    fitMsMin: min(fits),
    fitCpuMsMedian: median(cpu),
    predictMsMedian: median(predicts),
    testRmse: error,
    sklearn: { fitMs: 1400, testRmse: 1.328 },
  };
}

// 2. Random forest on scaling_decisions, one seed per round: timing and the spread of accuracy.
{
  const features = ['load', 'load_mean_1h', 'load_mean_3h', 'load_slope_1h', 'load_yesterday', 'load_last_week', 'hour', 'dow'];
  const d = load('scaling_decisions.csv', features, 'label', String);
  const fits = [];
  const cpu = [];
  const predicts = [];
  const accs = [];
  const losses = [];
  for (let r = 0; r < rounds; r++) {
    const fit = time(() => fitRandomForest(d.train.x, d.train.y, { nEstimators: 100, minSamplesLeaf: 5, maxFeatures: 'sqrt', seed: r }));
    const pred = time(() => fit.value.predictProba(d.test.x));
    fits.push(fit.ms);
    cpu.push(fit.cpuMs);
    predicts.push(pred.ms);
    accs.push(accuracy(d.test.y, pred.value, fit.value.classes));
    losses.push(logLoss(d.test.y, pred.value, fit.value.classes));
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  results.forest = {
    fitMsMedian: median(fits),
    fitMsMin: min(fits),
    fitCpuMsMedian: median(cpu),
    predictMsMedian: median(predicts),
    accuracy: { mean: mean(accs), min: min(accs), max: max(accs) },
    logLoss: { mean: mean(losses), min: min(losses), max: max(losses) },
    sklearn: { fitMs: 1200, accuracy: 0.874, logLoss: 0.337 },
  };
}

// 3. cost(): 5 weeks of hourly cost with one driver, 7-day horizon (5 model fits: 4 backtest folds + final).
{
  const HOUR = 3_600_000;
  const requests = [];
  const spend = [];
  for (let i = 0; i < 35 * 24; i++) {
    const r = 1000 + 600 * Math.sin((((i % 24) - 6) / 24) * 2 * Math.PI) + 50 * Math.sin(i * 12.9898);
    requests.push({ timestamp: i * HOUR, value: r });
    spend.push({ timestamp: i * HOUR, value: 0.002 * r });
  }
  const runs = [];
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const run = time(() => cost(spend, { drivers: { requests } }));
    runs.push(run.ms);
    cpu.push(run.cpuMs);
  }
  results.cost = { points: spend.length, msMedian: median(runs), msMin: min(runs), cpuMsMedian: median(cpu) };
}

writeFileSync(join(here, 'results', 'trees.json'), `${JSON.stringify(results, null, 2)}\n`);
const f = (v, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
console.log(`machine: ${results.machine}; load average at start ${f(results.loadAverage1m, 1)}; ${rounds} rounds\n`);
console.log('| task | implementation | fit wall (median) | fit CPU (median) | predict test set | quality |');
console.log('|---|---|---:|---:|---:|---|');
const g = results.gbrt;
const fo = results.forest;
const range = (m, d) => `${f(m.mean, d)} (${f(m.min, d)}–${f(m.max, d)})`;
console.log('| Friedman #1 GBRT (200 trees, depth 3) | scikit-learn 1.2.1 | 1,400 ms | – | – | RMSE 1.328 |');
console.log(
  `| | **@tiqology/elite** | **${f(g.fitMsMedian)} ms** | ${f(g.fitCpuMsMedian)} ms | ${f(g.predictMsMedian, 1)} ms | RMSE ${f(g.testRmse, 3)} |`,
);
console.log(
  '| scaling_decisions forest (100 trees, leaf 5, √features) | scikit-learn 1.2.1 | 1,200 ms | – | – | accuracy 0.874, log-loss 0.337 |',
);
console.log(
  `| | **@tiqology/elite** | **${f(fo.fitMsMedian)} ms** | ${f(fo.fitCpuMsMedian)} ms | ${f(fo.predictMsMedian, 1)} ms | accuracy ${range(fo.accuracy, 4)}, log-loss ${range(fo.logLoss, 4)} over ${rounds} seeds |`,
);
console.log(
  `| cost(): 840 hourly points + 1 driver, 7 days (5 model fits) | **@tiqology/elite** | **${f(results.cost.msMedian)} ms** | ${f(results.cost.cpuMsMedian)} ms | – | – |`,
);
