// Speed of forecast.traffic: fit + forecast 24 h ahead on 8 weeks of hourly data (1344 points), the
// benchmark panel's setting, for `auto` (backtest of every model + combination + intervals) and each
// model forced alone; beside it, in the same tinybench run on the same windows, the peer augurs
// (@bsull/augurs, WASM build of the Rust library): MSTL + AutoETS trend (periods 24 and 168) and Prophet
// (Stan model compiled to WASM as its optimizer, @bsull/augurs-prophet-wasmstan), each fitted and
// predicting 24 h ahead with a 95% interval inside the timed function.
//
//   npm run bench:forecast-speed       (builds, then: node bench/forecast.bench.mjs)
//   options: --time=MS per row (default 2000), --series=a,b (default: the panel series with ≥ 1368 hours),
//   --horizon=H hours ahead (default 24; 168 for the week ahead, where auto backtests its week-ahead models)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';
import { initSync as initProphet, Prophet } from '@bsull/augurs/prophet';
import { optimizer } from '@bsull/augurs-prophet-wasmstan';
import { Bench } from 'tinybench';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', 'dist', 'forecast.js'))).href);
const TIME_MS = Number(opt('time', 2000));
const H = Number(opt('horizon', 24));
// cpu_utilization_asg_misconfiguration (1504 hours) is too short for 1344 hours plus a week ahead.
const NAMES = opt(
  'series',
  `nyc_taxi,${H > 160 ? 'exchange-4_cpc_results' : 'cpu_utilization_asg_misconfiguration'},exchange-2_cpc_results`,
).split(',');

// The last 1344 hours before each series' final day.
const inputs = NAMES.map((name) => {
  const [, ...rows] = lib.parseCsv(readFileSync(join(here, 'forecast-accuracy', 'data', 'series', `${name}.csv`), 'utf8'));
  const start = rows.length - H - 1344;
  return {
    name,
    series: {
      startMs: Date.parse(rows[start][0]),
      stepMs: 3_600_000,
      values: Float64Array.from(rows.slice(start, start + 1344), (r) => Number(r[1])),
    },
  };
});

// The peer's WASM modules, loaded from node_modules (their default init fetches a URL, which Node's fetch
// cannot do for file: URLs). The Prophet optimizer package instantiates its own module on import.
const require = createRequire(import.meta.url);
const wasm = (name) => readFileSync(join(dirname(require.resolve('@bsull/augurs/mstl')), name));
initMstl({ module: wasm('mstl_bg.wasm') });
initProphet({ module: wasm('prophet_bg.wasm') });
// Prophet takes epoch seconds: the timestamps of each window and of its next 24 hours, built once, as the
// series object is for ours.
for (const input of inputs) {
  const at = (i) => (input.series.startMs + i * 3_600_000) / 1000;
  input.ds = Array.from({ length: 1344 }, (_, i) => at(i));
  input.future = Array.from({ length: H }, (_, i) => at(1344 + i));
}

// One call of each contender: fit on the window, forecast 24 h with intervals (ours 80/95%, the peer 95%);
// each returns its 95% bounds (ours are read off the result's steps, 24 objects).
const contenders = {};
for (const model of ['auto', ...Object.keys(lib.TRAFFIC_MODELS)]) {
  contenders[model] = ({ series }) => {
    const { steps } = lib.traffic(series, { horizon: H, levels: [80, 95], model });
    return { lower: steps.map((s) => s.bounds[95].lower), upper: steps.map((s) => s.bounds[95].upper) };
  };
}
contenders['augurs mstl-ets'] = ({ series }) => {
  const mstl = MSTL.ets([24, 168]);
  mstl.fit(series.values);
  const out = mstl.predict(H, 0.95).intervals;
  mstl.free();
  return out;
};
contenders['augurs prophet'] = ({ ds, series, future }) => {
  const prophet = new Prophet({ optimizer, intervalWidth: 0.95 });
  prophet.fit({ ds, y: series.values });
  const out = prophet.predict({ ds: future }).yhat.intervals;
  prophet.free();
  return out;
};
// Every contender must return 24 finite bounds on every series, else its timing means nothing.
for (const [name, run] of Object.entries(contenders)) {
  for (const input of inputs) {
    const { lower, upper } = run(input);
    if (lower.length !== H || upper.length !== H || ![...lower, ...upper].every(Number.isFinite)) {
      throw new Error(`${name} on ${input.name}: no ${H}-step 95% interval`);
    }
  }
}

const loadBefore = os.loadavg()[0];
const bench = new Bench({ time: TIME_MS, warmupTime: 500 });
for (const [name, run] of Object.entries(contenders)) {
  let k = 0;
  bench.add(name, () => {
    run(inputs[k++ % inputs.length]);
  });
}
await bench.run();
// CPU time per call, apart from wall time: on a shared machine other processes stretch wall time.
// 300 calls, or fewer for the slow ones: at least 6 (two per series) and about TIME_MS of CPU.
const cpuMs = {};
for (const [name, run] of Object.entries(contenders)) {
  let calls = 0;
  const before = process.cpuUsage();
  let used;
  do {
    run(inputs[calls++ % inputs.length]);
    used = process.cpuUsage(before);
  } while (calls < 300 && (calls < 6 || (used.user + used.system) / 1000 < TIME_MS));
  cpuMs[name] = (used.user + used.system) / 1000 / calls;
}
console.log(`forecast.traffic and augurs 0.10.2, 1344 hourly points, ${H} h horizon, series: ${NAMES.join(', ')}`);
console.log(
  `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}\n`,
);
console.log('| model | median ms | p99 ms | mean ms | CPU ms per call | samples |');
console.log('|---|---|---|---|---|---|');
const results = [];
for (const task of bench.tasks) {
  const r = task.result;
  const lat = r.latency;
  console.log(
    `| ${task.name} | ${lat.p50.toFixed(2)} | ${lat.p99.toFixed(2)} | ${lat.mean.toFixed(2)} | ${cpuMs[task.name].toFixed(2)} | ${lat.samplesCount} |`,
  );
  results.push({
    model: task.name,
    library: task.name.startsWith('augurs') ? '@bsull/augurs 0.10.2' : '@tiqology/elite',
    medianMs: lat.p50,
    p99Ms: lat.p99,
    meanMs: lat.mean,
    cpuMsPerCall: cpuMs[task.name],
    samples: lat.samplesCount,
  });
}
writeFileSync(
  join(here, 'results', H === 24 ? 'forecast-speed.json' : `forecast-speed-${H}h.json`),
  `${JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: [loadBefore, os.loadavg()[0]], series: NAMES, results }, null, 1)}\n`,
);
