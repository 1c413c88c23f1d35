/**
 * The forecast's direction as learned-policy features: how much the traffic forecast of the next
 * hour and the hour after it differ from the last hour's load.
 */
import { traffic } from '../traffic.js';

/** The names of the two features {@link forecastDirection} computes, in order. */
export const FORECAST_DIRECTION_FEATURES = ['forecast_next_1h', 'forecast_next_2h'] as const;

/** History the forecast reads: the last 8 weeks (what `traffic` reads for its weekly models). */
const HISTORY_HOURS = 1344;

/**
 * At index `i` of the grid `values` (`h` steps per hour, first value at `startMs`): the mean of the
 * traffic forecast (automatic model, fitted on up to 8 weeks ending at `i`) over the next hour and
 * over the hour after it, each relative to the last hour's mean load, − 1. `[0, 0]` when the last
 * hour's mean is not positive.
 */
export function forecastDirection(values: Float64Array, startMs: number, stepMs: number, i: number, h: number): [number, number] {
  const from = Math.max(0, i + 1 - HISTORY_HOURS * h);
  const steps = traffic({ startMs: startMs + from * stepMs, stepMs, values: values.subarray(from, i + 1) }, { horizon: 2 }).steps;
  let last = 0;
  for (let k = i - h + 1; k <= i; k++) last += values[k]!;
  last /= h;
  if (!(last > 0)) return [0, 0];
  let first = 0;
  let second = 0;
  for (let k = 0; k < h; k++) {
    first += steps[k]!.mean;
    second += steps[h + k]!.mean;
  }
  return [first / h / last - 1, second / h / last - 1];
}
