/**
 * Rolling-origin backtest and the model choice built on it: every candidate forecasts from several
 * past origins (one day apart) using only the history before each; their out-of-sample errors pick
 * or weight the models, and the residuals of the delivered forecast calibrate its intervals.
 *
 * Pure: no clock, no I/O.
 * @packageDocumentation
 */

import type { Forecaster, ModelContext } from './types.js';

/** Forecasts of one model from every origin of a plan. */
export interface ModelBacktest {
  name: string;
  /** `forecasts[j][k]`: step `k` from origin `origins[j]` (only steps before the end of the history). */
  forecasts: Float64Array[];
  /** Mean absolute error over all scored steps. */
  mae: number;
}

/** Where to cut the history. */
export interface BacktestPlan {
  /** Ascending origins: the number of points each backtest forecast sees. */
  origins: number[];
  horizon: number;
}

/**
 * Origins `n − spacing·j`, newest first in j, enough of them that every horizon step is scored from
 * `count` origins (steps beyond the first `spacing` from fewer), none with less than `minTrain` points.
 */
export function planOrigins(n: number, horizon: number, spacing: number, count: number, minTrain: number): BacktestPlan {
  const origins: number[] = [];
  const total = count + Math.max(0, Math.ceil(horizon / spacing) - 1);
  for (let j = total; j >= 1; j--) {
    const o = n - spacing * j;
    if (o >= minTrain) origins.push(o);
  }
  return { origins, horizon };
}

/** Runs one model over a plan; the model's fast path is used when it has one. */
export function backtestModel(model: Forecaster, values: Float64Array, plan: BacktestPlan, context: ModelContext): ModelBacktest {
  const n = values.length;
  const { origins, horizon } = plan;
  let forecasts: Float64Array[];
  if (model.forecastAtOrigins !== undefined) {
    forecasts = model.forecastAtOrigins(values, origins, horizon, context).map((f, j) => f.subarray(0, Math.min(horizon, n - origins[j]!)));
  } else {
    forecasts = origins.map((o) => model.forecast(values.subarray(0, o), Math.min(horizon, n - o), context).mean);
  }
  return { name: model.name, forecasts, mae: meanAbsoluteError(values, origins, forecasts) };
}

/** MAE of backtest forecasts against the history. */
export function meanAbsoluteError(values: Float64Array, origins: number[], forecasts: Float64Array[]): number {
  let sum = 0;
  let count = 0;
  for (let j = 0; j < origins.length; j++) {
    const f = forecasts[j]!;
    const o = origins[j]!;
    for (let k = 0; k < f.length; k++) {
      sum += Math.abs(values[o + k]! - f[k]!);
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** The weighted sum of several models' backtest forecasts. */
export function combineForecasts(runs: ModelBacktest[], weights: number[]): Float64Array[] {
  const first = runs[0]!.forecasts;
  return first.map((f, j) => {
    const out = new Float64Array(f.length);
    for (let m = 0; m < runs.length; m++) {
      const w = weights[m]!;
      if (w === 0) continue;
      const g = runs[m]!.forecasts[j]!;
      for (let k = 0; k < out.length; k++) out[k] = out[k]! + w * g[k]!;
    }
    return out;
  });
}

/** A choice of weights over the backtested models. */
export interface Selection {
  weights: number[];
  mae: number;
  forecasts: Float64Array[];
}

/**
 * Picks the weights with the lowest backtest MAE among: each model alone, the equal-weight mean of
 * the best 2, 3 … of them, and inverse-MAE² weights over all of them. Combinations are kept only when
 * they beat the best single model, so a clear winner is used on its own.
 */
export function selectWeights(values: Float64Array, origins: number[], runs: ModelBacktest[]): Selection {
  const order = runs.map((_, m) => m).sort((a, b) => runs[a]!.mae - runs[b]!.mae);
  const candidates: number[][] = [];
  for (const m of order) candidates.push(runs.map((_, i) => (i === m ? 1 : 0)));
  for (let top = 2; top <= order.length; top++) {
    const w = runs.map(() => 0);
    for (let r = 0; r < top; r++) w[order[r]!] = 1 / top;
    candidates.push(w);
  }
  const inv = runs.map((r) => (Number.isFinite(r.mae) && r.mae > 0 ? 1 / (r.mae * r.mae) : 0));
  const invSum = inv.reduce((a, b) => a + b, 0);
  if (invSum > 0) candidates.push(inv.map((v) => v / invSum));
  let best: Selection | undefined;
  for (const weights of candidates) {
    const forecasts = combineForecasts(runs, weights);
    const mae = meanAbsoluteError(values, origins, forecasts);
    if (best === undefined || mae < best.mae - 1e-12) best = { weights, mae, forecasts };
  }
  return best!;
}

/**
 * Empirical residual quantiles by horizon step: for step `k`, the residuals `actual − forecast` of
 * steps `k − window … k + window` from every origin, pooled, and their `(1 − level)/2` and
 * `(1 + level)/2` quantiles (linear interpolation). Steps with no residual reuse the nearest step that
 * has some. Returns `[lower offsets, upper offsets]` per level, each of length `horizon`.
 */
export function residualQuantiles(
  values: Float64Array,
  origins: number[],
  forecasts: Float64Array[],
  horizon: number,
  levels: number[],
  window: number,
): { lower: Float64Array; upper: Float64Array }[] {
  const byStep: number[][] = Array.from({ length: horizon }, () => []);
  for (let j = 0; j < origins.length; j++) {
    const f = forecasts[j]!;
    for (let k = 0; k < f.length; k++) byStep[k]!.push(values[origins[j]! + k]! - f[k]!);
  }
  const out = levels.map(() => ({ lower: new Float64Array(horizon), upper: new Float64Array(horizon) }));
  let lastFilled = -1;
  for (let k = 0; k < horizon; k++) {
    const pool: number[] = [];
    for (let s = Math.max(0, k - window); s <= Math.min(horizon - 1, k + window); s++) for (const r of byStep[s]!) pool.push(r);
    if (pool.length === 0) {
      for (const q of out) {
        q.lower[k] = lastFilled >= 0 ? q.lower[lastFilled]! : 0;
        q.upper[k] = lastFilled >= 0 ? q.upper[lastFilled]! : 0;
      }
      continue;
    }
    pool.sort((a, b) => a - b);
    levels.forEach((level, li) => {
      const a = (1 - level / 100) / 2;
      out[li]!.lower[k] = quantile(pool, a);
      out[li]!.upper[k] = quantile(pool, 1 - a);
    });
    lastFilled = k;
  }
  return out;
}

/** Quantile of sorted numbers, linear interpolation between order statistics (type 7). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
