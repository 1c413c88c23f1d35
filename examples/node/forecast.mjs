// Worked example of docs/forecast.md: 24 h of NYC taxi demand from the 8 weeks before, with
// intervals, the models auto chose and a chart; then a scaling decision on that forecast and a 7-day
// cost forecast of a service that pays per pickup it handles.
// Run: npm run build && node examples/node/forecast.mjs
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
// Scaling decision: the fleet handles 40,000 pickups an hour.
const decision = forecast.decide({ forecast: result, capacity: 40_000, metrics: { cpuPercent: 72, latencyMs: 520 } });
console.log(decision.summary);
for (const reason of decision.reasons) console.log(`Reason: ${reason}`);
const peak = decision.forecast.steps.reduce((a, s) => (s.mean > a.mean ? s : a));
const markers = [{ timestamp: peak.timestamp, kind: decision.decision, label: decision.summary }];
writeFileSync('forecast.svg', forecast.toSVG(result, { title: 'NYC taxi pickups per hour', markers }));
console.log('wrote forecast.svg');

// Cost: $0.002 per pickup plus $3 an hour of fixed cost, the pickups as driver (forecast by traffic()).
const points = Array.from(history.values, (value, i) => ({ timestamp: history.startMs + i * history.stepMs, value }));
const spend = points.map((p) => ({ timestamp: p.timestamp, value: 3 + 0.002 * p.value }));
const costs = forecast.cost(spend, { horizonDays: 7, drivers: { pickups: points } });
console.log(costs.summary);
for (const day of costs.days) console.log(day.date, `$${day.costUsd.toFixed(2)}`, `80% [${day.lower[80].toFixed(2)}, ${day.upper[80].toFixed(2)}]`);
// The data ends on 2015-01-31: three of the seven days can be checked.
let actual = 0;
for (let i = end; i < end + 3 * 24; i++) actual += 3 + 0.002 * all.values[i];
const forecast3 = costs.days.slice(0, 3).reduce((a, d) => a + d.costUsd, 0);
console.log('first 3 days: forecast', `$${forecast3.toFixed(2)}`, 'actual', `$${actual.toFixed(2)}`);
console.log('importance', costs.featureImportance, 'backtest', costs.backtest);
