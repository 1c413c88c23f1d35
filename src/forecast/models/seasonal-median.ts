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
  const pool: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const t = n + h;
    pool.length = 0;
    for (let k = 1; k <= count && t - k * lag >= 0; k++) pool.push(ext[t - k * lag]!);
    pool.sort((a, b) => a - b);
    const m = pool.length;
    const v = m % 2 === 1 ? pool[(m - 1) / 2]! : (pool[m / 2 - 1]! + pool[m / 2]!) / 2;
    // Beyond the first season the forecast stands in for the value it would repeat.
    ext[t] = v;
    out[h] = v;
  }
  return out;
}

/** The seasonal-median forecaster. Needs two days of history (two weeks for the weekly profile). */
export const seasonalMedian: Forecaster = {
  name: 'seasonal-median',
  minLength: (context: ModelContext) => (DAY_MS % context.stepMs === 0 ? 2 * (DAY_MS / context.stepMs) : Number.POSITIVE_INFINITY),
  forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
    const week = WEEK_MS % context.stepMs === 0 ? WEEK_MS / context.stepMs : 0;
    const lag = week > 0 && values.length >= 2 * week ? week : DAY_MS / context.stepMs;
    return { mean: seasonalMedianForecast(values, horizon, lag) };
  },
};
