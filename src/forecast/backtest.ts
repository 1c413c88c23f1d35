/**
 * Rolling-origin backtest and the model choice built on it: every candidate forecasts from several
 * past origins (one day apart) using only the history before each; their out-of-sample errors pick
 * or weight the models, and the residuals of the delivered forecast calibrate its intervals.
 *
 * Pure: no clock, no I/O.
 * @packageDocumentation
 */

import type { Forecaster, ModelContext, ModelOutput } from './types.js';

/** Forecasts of one model from every origin of a plan. */
export interface ModelBacktest {
  /** The model's name. */
  name: string;
  /** `forecasts[j][k]`: step `k` from origin `origins[j]` (only steps before the end of the history). */
  forecasts: Float64Array[];
  /** Mean absolute error over all scored steps. */
  mae: number;
  /** The forecast from the end of the history (`horizon` steps), made in the same pass. */
  final: ModelOutput;
}

/** Where to cut the history. */
export interface BacktestPlan {
  /** Ascending origins: the number of points each backtest forecast sees. */
  origins: number[];
  /** Steps forecast from each origin. */
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

/**
 * Runs one model over a plan and from the end of the history; the model's fast path is used when
 * it has one (one pass for all origins).
 */
export function backtestModel(model: Forecaster, values: Float64Array, plan: BacktestPlan, context: ModelContext): ModelBacktest {
  const n = values.length;
  const { origins, horizon } = plan;
  let outputs: ModelOutput[];
  if (model.forecastAtOrigins !== undefined) outputs = model.forecastAtOrigins(values, [...origins, n], horizon, context);
  else {
    outputs = origins.map((o) => model.forecast(values.subarray(0, o), Math.min(horizon, n - o), context));
    outputs.push(model.forecast(values, horizon, context));
  }
  const forecasts = origins.map((o, j) => outputs[j]!.mean.subarray(0, Math.min(horizon, n - o)));
  return { name: model.name, forecasts, mae: meanAbsoluteError(values, origins, forecasts), final: outputs[origins.length]! };
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
  /** Weight of each backtested model, in their order; sums to 1. */
  weights: number[];
  /** Backtest MAE of the weighted forecast. */
  mae: number;
  /** The weighted forecasts from each origin. */
  forecasts: Float64Array[];
}

/**
 * Equal weights on the `top` models with the lowest backtest MAE (all of them when fewer), leaving
 * out any whose MAE is more than `maxRatio` times the best one's. A plain mean of a few good forecasts
 * is steadier than weights fitted to a week of backtest: on the benchmark panel the mean of the best
 * three beat the best-subset choice and inverse-MAE² weights; the ratio keeps a clearly better model
 * (a series that repeats exactly every day) from being diluted (docs/forecast.md, "How auto chooses").
 * The models are ranked on the origins from index `rankFrom` on (the newest ones; default all); the
 * returned `mae` and `forecasts` cover every origin.
 */
export function selectWeights(
  values: Float64Array,
  origins: number[],
  runs: ModelBacktest[],
  top = 3,
  maxRatio = 1.15,
  rankFrom = 0,
): Selection {
  const maes =
    rankFrom <= 0
      ? runs.map((r) => r.mae)
      : runs.map((r) => meanAbsoluteError(values, origins.slice(rankFrom), r.forecasts.slice(rankFrom)));
  const order = runs.map((_, m) => m).sort((a, b) => maes[a]! - maes[b]!);
  let k = Math.max(1, Math.min(top, runs.length));
  while (k > 1 && maes[order[k - 1]!]! > maxRatio * maes[order[0]!]!) k--;
  const weights = runs.map(() => 0);
  for (let r = 0; r < k; r++) weights[order[r]!] = 1 / k;
  const forecasts = combineForecasts(runs, weights);
  return { weights, mae: meanAbsoluteError(values, origins, forecasts), forecasts };
}

/**
 * Interval half-widths by horizon step from out-of-sample residuals: for step `k`, the absolute
 * residuals `|actual − forecast|` of steps `k − window … k + window` from every origin are pooled and
 * the `⌈(N + 1)·level⌉`-th smallest of the `N` is taken (the split-conformal rule, which covers at
 * least `level` when the future is exchangeable with the backtest). Steps with no residual reuse the
 * nearest step that has some. Returns one array of `horizon` half-widths per level.
 */
export function residualHalfWidths(
  values: Float64Array,
  origins: number[],
  forecasts: Float64Array[],
  horizon: number,
  levels: number[],
  window: number,
): Float64Array[] {
  const byStep: number[][] = Array.from({ length: horizon }, () => []);
  for (let j = 0; j < origins.length; j++) {
    const f = forecasts[j]!;
    for (let k = 0; k < f.length; k++) byStep[k]!.push(Math.abs(values[origins[j]! + k]! - f[k]!));
  }
  const out = levels.map(() => new Float64Array(horizon));
  let lastFilled = -1;
  for (let k = 0; k < horizon; k++) {
    const pool: number[] = [];
    for (let s = Math.max(0, k - window); s <= Math.min(horizon - 1, k + window); s++) for (const r of byStep[s]!) pool.push(r);
    if (pool.length === 0) {
      for (const q of out) q[k] = lastFilled >= 0 ? q[lastFilled]! : 0;
      continue;
    }
    pool.sort((a, b) => a - b);
    levels.forEach((level, li) => {
      const rank = Math.min(pool.length, Math.ceil((pool.length + 1) * (level / 100)));
      out[li]![k] = pool[rank - 1]!;
    });
    lastFilled = k;
  }
  return out;
}
