import { argmax } from './random-forest.js';

/** Root-mean-square error between two equally long arrays. */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i]! - predicted[i]!) ** 2;
  return Math.sqrt(s / actual.length);
}

/** Share of rows whose most probable class (column order = `classes`) is the true one. */
export function accuracy<C>(actual: readonly C[], proba: readonly ArrayLike<number>[], classes: readonly C[]): number {
  let hits = 0;
  for (let i = 0; i < actual.length; i++) if (classes[argmax(proba[i]!)] === actual[i]) hits++;
  return hits / actual.length;
}

/**
 * Mean negative log-likelihood of the true classes. Probabilities are clipped to [1e-15, 1 − 1e-15]
 * as scikit-learn's `log_loss` does, so one confident miss costs about 34.5 instead of infinity.
 */
export function logLoss<C>(actual: readonly C[], proba: readonly ArrayLike<number>[], classes: readonly C[]): number {
  const eps = 1e-15;
  const index = new Map(classes.map((c, i) => [c, i]));
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const k = index.get(actual[i]!);
    const p = k === undefined ? 0 : proba[i]![k]!;
    s -= Math.log(Math.min(1 - eps, Math.max(eps, p)));
  }
  return s / actual.length;
}

/** The p-quantile (0 ≤ p ≤ 1) of `values` by linear interpolation between order statistics (type 7, NumPy's default). */
export function quantile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
