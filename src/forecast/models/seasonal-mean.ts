/**
 * Seasonal mean: the weighted average of the same hour-of-week (or hour-of-day when the history is
 * shorter than two weeks) over the last few cycles, shifted to the level of the last day.
 *
 * Seasonal naive repeats last week's noise and one-off spikes; averaging several weeks halves the
 * noise while keeping the weekly shape, and the level shift follows slow growth or decline.
 * @packageDocumentation
 */

import { DAY_MS, WEEK_MS } from '../series.js';
import type { Forecaster, ModelContext, ModelOutput } from '../types.js';

/** Options of {@link createSeasonalMean}. */
export interface SeasonalMeanOptions {
  /** Most cycles averaged. Default 4. */
  cycles?: number;
  /** Weight of each older cycle relative to the next newer one. Default 0.8. */
  decay?: number;
  /** Share (0–1) of the last day's offset from the profile carried into the forecast. Default 0.5. */
  levelShift?: number;
}

/** The season used: a week with two weeks of history, else a day. */
function seasonOf(n: number, stepMs: number): number {
  const week = WEEK_MS % stepMs === 0 ? WEEK_MS / stepMs : 0;
  const day = DAY_MS % stepMs === 0 ? DAY_MS / stepMs : 0;
  if (week > 0 && n >= 2 * week) return week;
  return day;
}

/** Averages cycle-aligned past values, with forecasts standing in beyond the last point. */
export function seasonalMeanForecast(
  values: Float64Array,
  horizon: number,
  lag: number,
  dayLength: number,
  options: SeasonalMeanOptions = {},
): Float64Array {
  const n = values.length;
  const maxCycles = Math.max(1, Math.min(options.cycles ?? 4, Math.floor(n / lag)));
  const decay = options.decay ?? 0.8;
  const shiftShare = options.levelShift ?? 0.5;
  const ext = new Float64Array(n + horizon);
  ext.set(values);
  const profileAt = (t: number): number => {
    let sum = 0;
    let wsum = 0;
    let w = 1;
    for (let k = 1; k <= maxCycles; k++) {
      const s = t - k * lag;
      if (s < 0) break;
      sum += w * ext[s]!;
      wsum += w;
      w *= decay;
    }
    return sum / wsum;
  };
  // Offset of the last day from what the profile says it should have been (out of sample: the profile
  // of a past point only uses points before it).
  const day = Math.min(dayLength, n - lag);
  let shift = 0;
  if (shiftShare > 0 && day > 0) {
    let diff = 0;
    for (let t = n - day; t < n; t++) diff += values[t]! - profileAt(t);
    shift = (shiftShare * diff) / day;
  }
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const p = profileAt(n + h);
    ext[n + h] = p;
    out[h] = p + shift;
  }
  return out;
}

/** A seasonal-mean forecaster with the given averaging. */
export function createSeasonalMean(options: SeasonalMeanOptions = {}, name = 'seasonal-mean'): Forecaster {
  return {
    name,
    minLength: (context: ModelContext) => (DAY_MS % context.stepMs === 0 ? 2 * (DAY_MS / context.stepMs) : Number.POSITIVE_INFINITY),
    forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
      return { mean: seasonalMeanForecast(values, horizon, seasonOf(values.length, context.stepMs), DAY_MS / context.stepMs, options) };
    },
  };
}

/** Four weeks (or days), each older one weighted 0.8 of the next, half the last day's offset kept. */
export const seasonalMean: Forecaster = createSeasonalMean();

/**
 * Eight weeks (or days) weighted equally and no level shift: the week-ahead profile. A week out, the
 * last day's offset has faded and older weeks are as informative as recent ones (docs/forecast.md, "The week ahead").
 */
export const seasonalMean8w: Forecaster = createSeasonalMean({ cycles: 8, decay: 1, levelShift: 0 }, 'seasonal-mean-8w');
