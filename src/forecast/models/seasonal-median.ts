/**
 * Seasonal median: the median of the same hour-of-week over up to eight past weeks (hour-of-day when
 * the history is shorter than two weeks), with no level shift.
 *
 * Made for the week ahead: a week out, yesterday's level says little about next Thursday, and a one-off
 * spike in one past week (a launch, an outage) should not be repeated. The median of several weeks keeps the
 * weekly shape and ignores single spikes, so it has the lowest absolute error of the profiles tried at 168 h
 * on the benchmark panel's tuning series; it runs low on sums of spiky series, which its partner in the
 * week-ahead ensemble, the flat eight-week mean, does not (docs/forecast.md, "The week ahead").
 * @packageDocumentation
 */

import { DAY_MS, WEEK_MS } from '../series.js';
import type { Forecaster, ModelContext, ModelOutput } from '../types.js';
import { seasonalMeanForecast } from './seasonal-mean.js';

/** Most past cycles the median is taken over. */
const MAX_CYCLES = 8;

/**
 * Median of the values one, two, … `cycles` seasons (`lag` steps) before each future step (as many
 * whole seasons as the history holds, at most `cycles`).
 */
export function seasonalMedianForecast(values: Float64Array, horizon: number, lag: number, cycles = MAX_CYCLES): Float64Array {
  const n = values.length;
  const count = Math.max(1, Math.min(cycles, Math.floor(n / lag)));
  const ext = new Float64Array(n + horizon);
  ext.set(values);
  const out = new Float64Array(horizon);
  // At most `cycles` values per step: an insertion sort into a reused buffer beats Array#sort here.
  const pool = new Float64Array(count);
  for (let h = 0; h < horizon; h++) {
    const t = n + h;
    let m = 0;
    for (let k = 1; k <= count && t - k * lag >= 0; k++) {
      const x = ext[t - k * lag]!;
      let i = m++;
      while (i > 0 && pool[i - 1]! > x) {
        pool[i] = pool[i - 1]!;
        i--;
      }
      pool[i] = x;
    }
    const v = m % 2 === 1 ? pool[(m - 1) / 2]! : (pool[m / 2 - 1]! + pool[m / 2]!) / 2;
    // Beyond the first season the forecast stands in for the value it would repeat.
    ext[t] = v;
    out[h] = v;
  }
  return out;
}

/** The season of the median profile: a week with two weeks of history, else a day. */
function seasonOf(n: number, stepMs: number): number {
  const week = WEEK_MS % stepMs === 0 ? WEEK_MS / stepMs : 0;
  return week > 0 && n >= 2 * week ? week : DAY_MS / stepMs;
}

const minLength = (context: ModelContext) => (DAY_MS % context.stepMs === 0 ? 2 * (DAY_MS / context.stepMs) : Number.POSITIVE_INFINITY);

/** The seasonal-median forecaster. Needs two days of history (two weeks for the weekly profile). */
export const seasonalMedian: Forecaster = {
  name: 'seasonal-median',
  minLength,
  forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
    return { mean: seasonalMedianForecast(values, horizon, seasonOf(values.length, context.stepMs)) };
  },
};

/**
 * The seasonal median moved up or down by one constant so that its next season (a week, or a day with
 * less than two weeks of history) sums to the same total as the equally weighted eight-cycle mean's.
 * The median keeps the shape and ignores one-off spikes (low absolute error) but runs low on the sums of
 * spiky series; the mean gets the sum right but repeats spikes. This takes the shape from the first and the
 * level from the second. The shift is measured over a whole season whatever the horizon, so a backtest
 * forecast cut short by the end of the history has the same shift as a full one.
 */
export function seasonalMedianLevelForecast(values: Float64Array, horizon: number, lag: number, dayLength: number): Float64Array {
  const length = Math.max(horizon, lag);
  const median = seasonalMedianForecast(values, length, lag);
  const mean = seasonalMeanForecast(values, length, lag, dayLength, { cycles: MAX_CYCLES, decay: 1, levelShift: 0 });
  let diff = 0;
  for (let h = 0; h < lag; h++) diff += mean[h]! - median[h]!;
  const shift = diff / lag;
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) out[h] = median[h]! + shift;
  return out;
}

/** The level-matched seasonal median (week-ahead model). Needs two days of history. */
export const seasonalMedianLevel: Forecaster = {
  name: 'seasonal-median-level',
  minLength,
  forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
    const lag = seasonOf(values.length, context.stepMs);
    return { mean: seasonalMedianLevelForecast(values, horizon, lag, DAY_MS / context.stepMs) };
  },
};
