// Worked example of docs/forecast.md: 24 h of NYC taxi demand from the 8 weeks before, with
// intervals, the models auto chose and a chart.   Run: npm run build && node examples/node/forecast.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { forecast } from '@tiqology/elite/forecast';

const csv = readFileSync(new URL('../../bench/forecast-accuracy/data/series/nyc_taxi.csv', import.meta.url), 'utf8');
const all = forecast.parseCsvSeries(csv, { timestampColumn: 'ts', valueColumn: 'y' });
// The 8 weeks (1344 hours) before 2015-01-29 00:00 UTC.
const end = (Date.UTC(2015, 0, 29) - all.startMs) / all.stepMs;
const history = { startMs: all.startMs + (end - 1344) * all.stepMs, stepMs: all.stepMs, values: all.values.slice(end - 1344, end) };

console.log(forecast.detectSeasonality(history));
const result = forecast.traffic(history, { horizon: '24h', levels: [80, 95] });
console.log(result.model, result.weights);
console.log('backtest MASE', result.backtest.mase.toFixed(3), 'per model', result.backtest.models);
for (const step of result.steps.filter((_, h) => h % 6 === 0)) {
  const b80 = step.bounds[80];
  const b95 = step.bounds[95];
  const actual = all.values[end + result.steps.indexOf(step)];
  console.log(
    step.timestamp.toISOString().slice(0, 16),
    `mean ${step.mean.toFixed(0)}`,
    `80% [${b80.lower.toFixed(0)}, ${b80.upper.toFixed(0)}]`,
    `95% [${b95.lower.toFixed(0)}, ${b95.upper.toFixed(0)}]`,
    `actual ${actual}`,
  );
}
writeFileSync('forecast.svg', forecast.toSVG(result, { title: 'NYC taxi pickups per hour' }));
console.log('wrote forecast.svg');
