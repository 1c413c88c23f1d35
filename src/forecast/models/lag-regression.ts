/**
 * Regression on seasonal lags: `y[t] = c + Σ b_k · y[t − lag_k]` with lags of one and two days and,
 * with three weeks of history, one and two weeks; ridge-regularised least squares on the history,
 * then forecast step by step (a forecast stands in for a lag that falls after the last point).
 *
 * A seasonal autoregression in the spirit of SARIMA's seasonal AR terms without differencing: it
 * learns how much of last week versus yesterday carries over on this series.
 * @packageDocumentation
 */

import { accumulate, solveSpd, symmetrize } from '../linalg.js';
import { DAY_MS, WEEK_MS } from '../series.js';
import type { Forecaster, ModelContext, ModelOutput } from '../types.js';

function lagsFor(n: number, stepMs: number): number[] {
  const day = DAY_MS % stepMs === 0 ? DAY_MS / stepMs : 0;
  const week = WEEK_MS % stepMs === 0 ? WEEK_MS / stepMs : 0;
  if (week > 0 && n >= 3 * week) return [day, 2 * day, week, 2 * week];
  return [day, 2 * day];
}

/** Ridge penalty relative to the number of rows, on the scaled series. */
const PENALTY = 0.005;

/** The lag regression fitted on `values` and run `horizon` steps past them (lags in steps of `stepMs`). */
export function lagRegressionForecast(values: Float64Array, horizon: number, stepMs: number): Float64Array {
  const n = values.length;
  const lags = lagsFor(n, stepMs);
  const maxLag = lags[lags.length - 1]!;
  const p = lags.length + 1;
  // Standardised (centre and spread) so the penalty weighs against the variation, not the level.
  let centre = 0;
  for (let i = 0; i < n; i++) centre += values[i]!;
  centre /= n;
  let spread = 0;
  for (let i = 0; i < n; i++) spread += (values[i]! - centre) ** 2;
  const scale = Math.sqrt(spread / n) || 1;
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const x = new Float64Array(p);
  for (let t = maxLag; t < n; t++) {
    x[0] = 1;
    for (let k = 0; k < lags.length; k++) x[k + 1] = (values[t - lags[k]!]! - centre) / scale;
    accumulate(gram, xty, x, (values[t]! - centre) / scale, p);
  }
  const rows = n - maxLag;
  for (let k = 1; k < p; k++) gram[k * p + k] = gram[k * p + k]! + PENALTY * rows;
  // The intercept is not penalised: the level is free, only the lag weights shrink.
  gram[0] = gram[0]! + 1e-8;
  symmetrize(gram, p);
  const coef = solveSpd(gram, xty, p) ?? new Float64Array(p);
  const ext = new Float64Array(n + horizon);
  ext.set(values);
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const t = n + h;
    let s = coef[0]!;
    for (let k = 0; k < lags.length; k++) s += (coef[k + 1]! * (ext[t - lags[k]!]! - centre)) / scale;
    ext[t] = centre + s * scale;
    out[h] = ext[t]!;
  }
  return out;
}

/** The seasonal-lag regression forecaster. Needs four days of history (three weeks for weekly lags). */
export const lagRegression: Forecaster = {
  name: 'lag-regression',
  minLength: (context: ModelContext) => (DAY_MS % context.stepMs === 0 ? 4 * (DAY_MS / context.stepMs) : Number.POSITIVE_INFINITY),
  forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput {
    return { mean: lagRegressionForecast(values, horizon, context.stepMs) };
  },
};
