import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { binMatrix, checkMatrix } from './binning.js';
import { quantile } from './model-scores.js';
import { checkInt, checkRange } from './options.js';
import { createRandom } from './random.js';
import { buildRegressionTree, leafOf, type Tree } from './tree.js';

/** Options of `trees.fitGradientBoosting`; defaults are scikit-learn's `GradientBoostingRegressor`'s. */
export interface GradientBoostingOptions {
  /** Boosting rounds (trees). Default 100. More rounds with a smaller learning rate generalize better but fit slower. */
  nEstimators?: number;
  /** Shrinkage of each tree's contribution, in (0, 1]. Default 0.1. */
  learningRate?: number;
  /** Depth of each tree (root = 0). Default 3: interactions of up to three features. */
  maxDepth?: number;
  /** Share of rows each tree sees, drawn without replacement, in (0, 1]. Default 1 (no subsampling). Below 1 gives stochastic boosting (less variance, sometimes better accuracy). */
  subsample?: number;
  /** Fewest rows per leaf. Default 1. */
  minSamplesLeaf?: number;
  /** Seed of the row subsampling. Default 0. */
  seed?: number;
  /**
   * `'squared'` (default) predicts the conditional mean. `'quantile'` predicts the conditional
   * `alpha`-quantile (pinball loss, as scikit-learn's `loss='quantile'`): fit two models at
   * alpha 0.1 and 0.9 for an 80 % prediction interval. Quantile models need more trees to converge.
   */
  loss?: 'squared' | 'quantile';
  /** The quantile predicted with `loss: 'quantile'`, in (0, 1). Default 0.5 (the median). */
  alpha?: number;
}

/** A fitted gradient-boosted regression model (squared loss). */
export interface GradientBoostingRegressor {
  /** Predictions for each row. */
  predict(x: ReadonlyArray<ArrayLike<number>>): Float64Array;
  /** Prediction for one row (no validation: the caller passes `features` finite numbers). */
  predictOne(row: ArrayLike<number>): number;
  /** Impurity-based importance per feature, summing to 1 (scikit-learn's `feature_importances_`); all zero when no tree split. */
  readonly featureImportance: Float64Array;
  /** Columns each row must have. */
  readonly features: number;
  /** The fitted trees, in boosting order. */
  readonly trees: readonly Tree[];
  /** The starting prediction (mean of y, or its alpha-quantile for the quantile loss). */
  readonly init: number;
  /** Shrinkage applied to each tree's output. */
  readonly learningRate: number;
}

/**
 * Fits gradient-boosted regression trees (Friedman 2001): start from the mean, then each round
 * fits a depth-limited tree to the residuals and adds `learningRate` × its prediction. With
 * `loss: 'quantile'` the model predicts a conditional quantile instead (prediction intervals). Splits are searched on features quantized to 256 bins (exact for columns with
 * fewer distinct values). Throws `INVALID_OPTIONS` for non-finite or ragged input or out-of-range
 * options.
 *
 * @example
 * const model = fitGradientBoosting(rows, y, { nEstimators: 200, learningRate: 0.1, maxDepth: 3 });
 * model.predict(testRows);
 */
export function fitGradientBoosting(
  x: ReadonlyArray<ArrayLike<number>>,
  y: ArrayLike<number>,
  options: GradientBoostingOptions = {},
): GradientBoostingRegressor {
  checkOptionsObject(options);
  const nEstimators = checkInt('nEstimators', options.nEstimators ?? 100, 1);
  const learningRate = checkRange('learningRate', options.learningRate ?? 0.1, 0, 1);
  const maxDepth = checkInt('maxDepth', options.maxDepth ?? 3, 1, 64);
  const subsample = checkRange('subsample', options.subsample ?? 1, 0, 1);
  const minSamplesLeaf = checkInt('minSamplesLeaf', options.minSamplesLeaf ?? 1, 1);
  const loss = options.loss ?? 'squared';
  if (loss !== 'squared' && loss !== 'quantile') {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: loss must be 'squared' or 'quantile', got ${String(loss)}`, { field: 'loss' });
  }
  const alpha = options.alpha ?? 0.5;
  if (!(alpha > 0 && alpha < 1))
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: alpha must be in (0, 1), got ${String(alpha)}`, { field: 'alpha' });
  const features = checkMatrix(x, 'x');
  if (y.length !== x.length) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: y has ${y.length} values for ${x.length} rows`, { field: 'y' });
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]))
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: y[${i}] must be a finite number, got ${String(y[i])}`, { field: `y[${i}]` });
  }
  const n = x.length;
  const data = binMatrix(x);
  const random = createRandom(options.seed ?? 0);
  let init = 0;
  if (loss === 'quantile') init = quantile(y, alpha);
  else {
    for (let i = 0; i < n; i++) init += y[i]!;
    init /= n;
  }

  const pred = new Float64Array(n).fill(init);
  const residual = new Float64Array(n);
  const weight = new Float64Array(n).fill(1);
  const importance = new Float64Array(features);
  const trees: Tree[] = [];
  const take = Math.max(1, Math.round(subsample * n));
  const all = Uint32Array.from({ length: n }, (_, i) => i);

  for (let t = 0; t < nEstimators; t++) {
    // The tree fits the negative gradient of the loss: the residual (squared loss) or, for the
    // pinball loss, alpha above the current prediction and alpha − 1 below it.
    if (loss === 'quantile') for (let i = 0; i < n; i++) residual[i] = y[i]! > pred[i]! ? alpha : alpha - 1;
    else for (let i = 0; i < n; i++) residual[i] = y[i]! - pred[i]!;
    let rows = all;
    if (take < n) {
      // Partial Fisher–Yates: the first `take` entries are a uniform sample without replacement.
      for (let i = 0; i < take; i++) {
        const j = i + random.int(n - i);
        const tmp = all[i]!;
        all[i] = all[j]!;
        all[j] = tmp;
      }
      rows = all.slice(0, take);
    }
    const tree = buildRegressionTree({ data, rows, weight, importance }, residual, { maxDepth, minSamplesLeaf, maxFeatures: features });
    if (loss === 'quantile') quantileLeaves(tree, x, y, pred, rows, alpha);
    trees.push(tree);
    for (let i = 0; i < n; i++) {
      const step = learningRate * tree.value[leafOf(tree, x[i]!)]!;
      pred[i]! += step;
    }
  }
  let total = 0;
  for (let f = 0; f < features; f++) total += importance[f]!;
  if (total > 0) for (let f = 0; f < features; f++) importance[f]! /= total;

  const predictOne = (row: ArrayLike<number>): number => {
    let v = init;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      v += learningRate * tree.value[leafOf(tree, row)]!;
    }
    return v;
  };
  return {
    predict(rows) {
      if (rows.length > 0) {
        const width = checkMatrix(rows, 'x');
        if (width !== features)
          throw new EliteError('INVALID_OPTIONS', `elite/forecast: rows have ${width} features, the model ${features}`, { field: 'x' });
      }
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = predictOne(rows[i]!);
      return out;
    },
    predictOne,
    featureImportance: importance,
    features,
    trees,
    init,
    learningRate,
  };
}

/** Line search of the pinball loss: each leaf's value becomes the alpha-quantile of its rows' residuals. */
function quantileLeaves(
  tree: Tree,
  x: ReadonlyArray<ArrayLike<number>>,
  y: ArrayLike<number>,
  pred: Float64Array,
  rows: Uint32Array,
  alpha: number,
): void {
  const byLeaf = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const leaf = leafOf(tree, x[r]!);
    const list = byLeaf.get(leaf);
    if (list === undefined) byLeaf.set(leaf, [y[r]! - pred[r]!]);
    else list.push(y[r]! - pred[r]!);
  }
  const value = tree.value as Float64Array;
  for (const [leaf, residuals] of byLeaf) value[leaf] = quantile(residuals, alpha);
}
