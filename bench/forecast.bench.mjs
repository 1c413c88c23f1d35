// Speed of forecast.traffic: fit + forecast 24 h ahead on 8 weeks of hourly data (1344 points), the
// benchmark panel's setting, for `auto` (backtest of every model + combination + intervals) and each
// model forced alone. Reference times (same 2-core machine class) are the panel's published medians:
// augurs MSTL 43 ms, augurs Prophet 110 ms, R prophet 2.4 s, auto.arima with Fourier terms 3.9 s.
//
//   npm run bench:forecast-speed       (builds, then: node bench/forecast.bench.mjs)
//   options: --time=MS per row (default 2000), --series=a,b (default: the panel series with ≥ 1368 hours)
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const lib = await import(pathToFileURL(opt('lib', join(here, '..', 'dist', 'forecast.js'))).href);
const TIME_MS = Number(opt('time', 2000));
const NAMES = opt('series', 'nyc_taxi,cpu_utilization_asg_misconfiguration,exchange-2_cpc_results').split(',');

// The last 1344 hours before each series' final day.
const inputs = NAMES.map((name) => {
  const [, ...rows] = lib.parseCsv(readFileSync(join(here, 'forecast-accuracy', 'data', 'series', `${name}.csv`), 'utf8'));
  const start = rows.length - 24 - 1344;
  return {
    name,
    series: {
      startMs: Date.parse(rows[start][0]),
      stepMs: 3_600_000,
      values: Float64Array.from(rows.slice(start, start + 1344), (r) => Number(r[1])),
    },
  };
});

const loadBefore = os.loadavg()[0];
const bench = new Bench({ time: TIME_MS, warmupTime: 500 });
for (const model of ['auto', ...Object.keys(lib.TRAFFIC_MODELS)]) {
  let k = 0;
  bench.add(model, () => {
    const { series } = inputs[k++ % inputs.length];
    lib.traffic(series, { horizon: 24, levels: [80, 95], model });
  });
}
await bench.run();
// CPU time per call, apart from wall time: on a shared machine other processes stretch wall time.
const cpuMs = {};
for (const model of ['auto', ...Object.keys(lib.TRAFFIC_MODELS)]) {
  const calls = 300;
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) lib.traffic(inputs[i % inputs.length].series, { horizon: 24, levels: [80, 95], model });
  const used = process.cpuUsage(before);
  cpuMs[model] = (used.user + used.system) / 1000 / calls;
}
console.log(`forecast.traffic, 1344 hourly points, 24 h horizon, series: ${NAMES.join(', ')}`);
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
    medianMs: lat.p50,
    p99Ms: lat.p99,
    meanMs: lat.mean,
    cpuMsPerCall: cpuMs[task.name],
    samples: lat.samplesCount,
  });
}
writeFileSync(
  join(here, 'results', 'forecast-speed.json'),
  `${JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: [loadBefore, os.loadavg()[0]], series: NAMES, results }, null, 1)}\n`,
);
