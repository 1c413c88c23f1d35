// cost(): the default driver forecaster (trafficDriver) against the weekly seasonal naive one, on the drifting
// synthetic hourly cost series of test/forecast/cost-calibration.test.ts: rolling 7-day forecasts (2 seeds × 13
// origins), daily coverage of the 80% and 95% intervals, mean absolute daily error, wall time.
// Run: npm run bench:cost-drivers
import { cost, seasonalNaiveDriver, trees } from '../dist/forecast.js';

const HOUR = 3_600_000;
function drifting(seed, days) {
  const random = trees.createRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const requests = [],
    spend = [];
  let level = 1;
  for (let i = 0; i < days * 24; i++) {
    if (i % 24 === 0) level = Math.max(0.5, level * (1 + 0.05 * gauss()));
    const weekend = Math.floor(i / 24) % 7 >= 5;
    const r = level * (1000 + 600 * Math.sin((((i % 24) - 6) / 24) * 2 * Math.PI)) * (weekend ? 0.6 : 1) * (1 + 0.1 * gauss());
    requests.push({ timestamp: i * HOUR, value: r });
    spend.push({ timestamp: i * HOUR, value: 0.002 * r * (1 + 0.05 * gauss()) });
  }
  return { requests, spend };
}
for (const [name, fd] of [
  ['traffic', undefined],
  ['naive', seasonalNaiveDriver],
]) {
  const t0 = performance.now();
  let days = 0,
    in80 = 0,
    in95 = 0,
    ae = 0;
  for (const seed of [1, 2]) {
    const { requests, spend } = drifting(seed, 90);
    for (let end = 35 * 24; end + 7 * 24 <= spend.length; end += 4 * 24) {
      const result = cost(spend.slice(0, end), { drivers: { requests: requests.slice(0, end) }, forecastDriver: fd });
      result.days.forEach((day, k) => {
        let actual = 0;
        for (let s = end + k * 24; s < end + (k + 1) * 24; s++) actual += spend[s].value;
        days++;
        ae += Math.abs(actual - day.costUsd);
        if (actual >= day.lower[80] && actual <= day.upper[80]) in80++;
        if (actual >= day.lower[95] && actual <= day.upper[95]) in95++;
      });
    }
  }
  console.log(
    name,
    'ms',
    (performance.now() - t0).toFixed(0),
    'cov80',
    (in80 / days).toFixed(3),
    'cov95',
    (in95 / days).toFixed(3),
    'MAE/day',
    (ae / days).toFixed(3),
  );
}
