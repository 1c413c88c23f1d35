/**
 * Whether the backtest's intervals held up over time on the caller's own history: the older half of the
 * rolling origins gives per-step residual quantiles, and the newer half's residuals say how far those
 * quantiles must stretch to cover them. The week-ahead intervals widen by that (damped) factor instead of a
 * constant chosen on a benchmark.
 *
 * Pure: no clock, no I/O.
 * @packageDocumentation
 */

import { residualHalfWidths } from './backtest.js';

/**
 * For each level, the factor `c` by which the half-widths from the older half of the origins (ascending
 * `origins`, `forecasts[j]` from `origins[j]`) must be multiplied to cover `level` of the newer half's
 * residuals: the split-conformal rank over the ratios `|residual| / half-width` of every newer origin and
 * step. Above 1 when errors have grown lately, below 1 when they shrank; 1 when there is nothing to rank
 * (fewer than four origins, or no newer residual) or only infinite ratios.
 */
export function recentCoverageFactors(
  values: Float64Array,
  origins: number[],
  forecasts: Float64Array[],
  horizon: number,
  levels: number[],
  window: number,
): number[] {
  const split = Math.floor(origins.length / 2);
  if (split < 2) return levels.map(() => 1);
  const older = residualHalfWidths(values, origins.slice(0, split), forecasts.slice(0, split), horizon, levels, window);
  return levels.map((level, li) => {
    const widths = older[li]!;
    const ratios: number[] = [];
    for (let j = split; j < origins.length; j++) {
      const f = forecasts[j]!;
      for (let k = 0; k < f.length; k++) {
        const r = Math.abs(values[origins[j]! + k]! - f[k]!);
        const w = widths[k]!;
        ratios.push(w > 0 ? r / w : r > 0 ? Number.POSITIVE_INFINITY : 0);
      }
    }
    if (ratios.length === 0) return 1;
    ratios.sort((a, b) => a - b);
    const c = ratios[Math.min(ratios.length, Math.ceil((ratios.length + 1) * (level / 100))) - 1]!;
    return Number.isFinite(c) ? c : 1;
  });
}

/**
 * The week-ahead widening per level: `max(1, √c)` of {@link recentCoverageFactors}. Never narrower than the
 * raw residual quantiles of all origins (which already cover the older and newer residuals together); the
 * square root halves, on a log scale, a factor estimated from half the origins, which is noisy.
 */
export function weekAheadWidening(
  values: Float64Array,
  origins: number[],
  forecasts: Float64Array[],
  horizon: number,
  levels: number[],
  window: number,
): number[] {
  return recentCoverageFactors(values, origins, forecasts, horizon, levels, window).map((c) => Math.max(1, Math.sqrt(c)));
}
