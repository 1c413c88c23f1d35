import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { binMatrix, checkMatrix } from './binning.js';
import { checkInt } from './options.js';
import { createRandom } from './random.js';
import { buildClassificationTree, leafOf, type Tree } from './tree.js';

/** Options of `trees.fitRandomForest`; defaults are scikit-learn's `RandomForestClassifier`'s. */
export interface RandomForestOptions {
  /** Trees in the forest. Default 100. More trees give smoother probabilities at a linear cost. */
  nEstimators?: number;
  /**
   * Features drawn at each split: `'sqrt'` (default, ⌊√features⌋), `'log2'`, `'all'`, or a count.
   * Fewer decorrelate the trees; all features makes the forest plain bagging. When none of the
   * drawn features can split a node, more are examined (as scikit-learn does).
   */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  /** Fewest distinct training rows per leaf. Default 1; larger values smooth the probabilities. */
  minSamplesLeaf?: number;
  /** Deepest level (root = 0). Default: unlimited. */
  maxDepth?: number;
  /** Draw each tree's rows with replacement (bootstrap). Default true. */
  bootstrap?: boolean;
  /** Seed of bootstrap draws and feature sampling: the same seed and data give the same forest. Default 0. */
  seed?: number;
}

/** A fitted random-forest classifier. */
export interface RandomForestClassifier<C extends string | number = string | number> {
  /** The classes, sorted; probability columns follow this order. */
  readonly classes: readonly C[];
  /** Class probabilities per row: the mean of the trees' leaf class distributions; each row sums to 1. */
  predictProba(x: ReadonlyArray<ArrayLike<number>>): Float64Array[];
  /** Probabilities for one row (no validation). */
  predictProbaOne(row: ArrayLike<number>): Float64Array;
  /** The most probable class per row (ties go to the earlier class). */
  predict(x: ReadonlyArray<ArrayLike<number>>): C[];
  /** Mean decrease in Gini impurity per feature, summing to 1 (scikit-learn's `feature_importances_`). */
  readonly featureImportance: Float64Array;
  /** Columns each row must have. */
  readonly features: number;
  /** The fitted trees, each on its own bootstrap sample. */
  readonly trees: readonly Tree[];
}

/**
 * Fits a random forest of Gini classification trees (Breiman 2001): each tree grows on a
 * bootstrap sample, weighting each drawn row by its count, and examines `maxFeatures` random
 * features per split. Throws `INVALID_OPTIONS` for non-finite or ragged input, fewer than two rows
 * or out-of-range options.
 *
 * @example
 * const forest = fitRandomForest(rows, labels, { nEstimators: 100, minSamplesLeaf: 5, seed: 1 });
 * forest.predictProba([row]);
 */
export function fitRandomForest<C extends string | number>(
  x: ReadonlyArray<ArrayLike<number>>,
  y: readonly C[],
  options: RandomForestOptions = {},
): RandomForestClassifier<C> {
  checkOptionsObject(options);
  const features = checkMatrix(x, 'x');
  const nEstimators = checkInt('nEstimators', options.nEstimators ?? 100, 1);
  const minSamplesLeaf = checkInt('minSamplesLeaf', options.minSamplesLeaf ?? 1, 1);
  const maxDepth = options.maxDepth === undefined ? Number.POSITIVE_INFINITY : checkInt('maxDepth', options.maxDepth, 1, 512);
  const maxFeatures = resolveMaxFeatures(options.maxFeatures ?? 'sqrt', features);
  if (!Array.isArray(y) || y.length !== x.length) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: y must have one label per row (${x.length}), got ${Array.isArray(y) ? y.length : typeof y}`,
      {
        field: 'y',
      },
    );
  }
  if (x.length < 2) throw new EliteError('INVALID_OPTIONS', 'elite/forecast: a forest needs at least 2 rows', { field: 'x' });
  const classes = [...new Set(y)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const c of classes) {
    if (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c))) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: labels must be strings or finite numbers, got ${String(c)}`, { field: 'y' });
    }
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const n = x.length;
  const label = Int32Array.from(y, (c) => index.get(c)!);
  const data = binMatrix(x);
  const random = createRandom(options.seed ?? 0);
  const bootstrap = options.bootstrap ?? true;
  const K = classes.length;
  const trees: Tree[] = [];
  const importance = new Float64Array(features);
  const perTree = new Float64Array(features);
  const weight = new Float64Array(n);

  for (let t = 0; t < nEstimators; t++) {
    weight.fill(0);
    if (bootstrap) for (let i = 0; i < n; i++) weight[random.int(n)]!++;
    else weight.fill(1);
    let used = 0;
    for (let i = 0; i < n; i++) if (weight[i]! > 0) used++;
    const rows = new Uint32Array(used);
    for (let i = 0, j = 0; i < n; i++) if (weight[i]! > 0) rows[j++] = i;
    perTree.fill(0);
    trees.push(
      buildClassificationTree({ data, rows, weight, importance: perTree, random }, label, K, { maxDepth, minSamplesLeaf, maxFeatures }),
    );
    // scikit-learn normalizes each tree's importances before averaging them.
    let sum = 0;
    for (let f = 0; f < features; f++) sum += perTree[f]!;
    if (sum > 0) for (let f = 0; f < features; f++) importance[f]! += perTree[f]! / sum;
  }
  let total = 0;
  for (let f = 0; f < features; f++) total += importance[f]!;
  if (total > 0) for (let f = 0; f < features; f++) importance[f]! /= total;

  const predictProbaOne = (row: ArrayLike<number>): Float64Array => {
    const p = new Float64Array(K);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      const at = leafOf(tree, row) * K;
      for (let k = 0; k < K; k++) p[k]! += tree.value[at + k]!;
    }
    for (let k = 0; k < K; k++) p[k]! /= trees.length;
    return p;
  };
  const predictProba = (rows: ReadonlyArray<ArrayLike<number>>): Float64Array[] => {
    if (rows.length > 0) {
      const width = checkMatrix(rows, 'x');
      if (width !== features)
        throw new EliteError('INVALID_OPTIONS', `elite/forecast: rows have ${width} features, the model ${features}`, { field: 'x' });
    }
    return rows.map(predictProbaOne);
  };
  return {
    classes,
    predictProba,
    predictProbaOne,
    predict: (rows) => predictProba(rows).map((p) => classes[argmax(p)]!),
    featureImportance: importance,
    features,
    trees,
  };
}

/** Index of the largest value (first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function resolveMaxFeatures(value: RandomForestOptions['maxFeatures'], features: number): number {
  if (value === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(features)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(features)));
  if (value === 'all') return features;
  if (typeof value === 'number') return Math.min(features, checkInt('maxFeatures', value, 1));
  throw new EliteError('INVALID_OPTIONS', `elite/forecast: maxFeatures must be 'sqrt', 'log2', 'all' or a count, got ${String(value)}`, {
    field: 'maxFeatures',
  });
}
