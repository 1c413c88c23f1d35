// Are cost()'s intervals calibrated out of sample? Rolling forecasts on a synthetic hourly cost
// series whose level drifts (a 5 % daily random walk), scored on the days that followed.
// 10–18 s on a 2-core VM (26 forecasts, 5 model fits and 5 traffic() driver forecasts each).
import { describe, expect, it } from 'vitest';
import { cost } from '../../src/forecast/cost/index.js';
import { createRandom } from '../../src/forecast/trees/index.js';

const HOUR = 3_600_000;

function drifting(seed: number, days: number) {
  const random = createRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const requests: { timestamp: number; value: number }[] = [];
  const spend: { timestamp: number; value: number }[] = [];
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

describe('cost interval calibration', () => {
  it('80% and 95% daily intervals cover about 80% and at least 88% of unseen days', () => {
    let days = 0;
    let in80 = 0;
    let in95 = 0;
    for (const seed of [1, 2]) {
      const { requests, spend } = drifting(seed, 90);
      for (let end = 35 * 24; end + 7 * 24 <= spend.length; end += 4 * 24) {
        const result = cost(spend.slice(0, end), { drivers: { requests: requests.slice(0, end) } });
        result.days.forEach((day, k) => {
          let actual = 0;
          for (let s = end + k * 24; s < end + (k + 1) * 24; s++) actual += spend[s]!.value;
          days++;
          if (actual >= day.lower[80]! && actual <= day.upper[80]!) in80++;
          if (actual >= day.lower[95]! && actual <= day.upper[95]!) in95++;
        });
      }
    }
    expect(days).toBe(182);
    // 131 of 182 days (0.720) in the 80% interval. The driver's week-ahead forecast (traffic() at 168 h) lags a
    // 5% daily random walk a little more since the level-matched seasonal median joined its models: over seeds
    // 1–6 the 80% coverage averages 0.723 (0.738 before), the 95% coverage 0.888 (0.890).
    expect(in80 / days).toBeGreaterThan(0.7);
    expect(in80 / days).toBeLessThan(0.92);
    expect(in95 / days).toBeGreaterThan(0.88);
  });
});
