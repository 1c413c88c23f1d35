/**
 * Seasonal naive: every future step repeats the value one season earlier (a day or a week).
 * The reference every other model is scored against (MASE is scaled by the one-day version), and a
 * strong forecaster on its own for weekly-patterned traffic.
 * @packageDocumentation
 */

import { DAY_MS, WEEK_MS } from '../series.js';
import type { Forecaster, ModelContext, ModelOutput } from '../types.js';

/** Lag in steps of a season of `periodMs`, or 0 when the step does not divide it. */
export const seasonLag = (periodMs: number, stepMs: number): number => (periodMs % stepMs === 0 ? periodMs / stepMs : 0);

/** `ŷ[n + h] = y[n + h − lag·⌈(h + 1) / lag⌉]`: the last observed season, repeated. */
export function seasonalNaiveForecast(values: Float64Array, horizon: number, lag: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) out[h] = values[n - lag + (h % lag)]!;
  return out;
}

function create(name: string, periodMs: number): Forecaster {
  return {
    name,
    minLength: (context: ModelContext) => seasonLag(periodMs, context.stepMs) || Number.POSITIVE_INFINITY,
    forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
      return { mean: seasonalNaiveForecast(values, horizon, seasonLag(periodMs, context.stepMs)) };
    },
  };
}

/** Repeats the last day. Needs one day of history. */
export const seasonalNaiveDay: Forecaster = create('seasonal-naive-day', DAY_MS);
/** Repeats the last week. Needs one week of history. */
export const seasonalNaiveWeek: Forecaster = create('seasonal-naive-week', WEEK_MS);
