import { checkOptionsObject } from '../options.js';
import { checkInt } from './options.js';
import { createRandom } from './random.js';

/** Options of `trees.permutationImportance`. */
export interface PermutationImportanceOptions {
  /** Shuffles per feature; the result averages them. Default 5. */
  nRepeats?: number;
  /** Seed of the shuffles. Default 0. */
  seed?: number;
}

/** Per-feature drop in score when that feature's column is shuffled. */
export interface PermutationImportance {
  /** Baseline score minus the mean score with the feature shuffled (may be negative: the feature does not help). */
  readonly mean: Float64Array;
  /** Standard deviation of that drop over the repeats. */
  readonly std: Float64Array;
  /** `max(0, mean)` scaled to sum to 1 (all zero when no feature helps): the share reported in decisions. */
  readonly normalized: Float64Array;
  /** The unshuffled score. */
  readonly baseline: number;
}

/**
 * Permutation importance (Breiman 2001; scikit-learn's `permutation_importance`): how much
 * `score` (higher is better) drops when one feature's values are shuffled across the rows,
 * breaking its link with the target while keeping its distribution. Unlike impurity importance
 * it is measured on held-out rows and is not biased towards features with many distinct values.
 * Costs `features × nRepeats` calls of `score`.
 */
export function permutationImportance(
  x: ReadonlyArray<ArrayLike<number>>,
  score: (rows: ReadonlyArray<ArrayLike<number>>) => number,
  options: PermutationImportanceOptions = {},
): PermutationImportance {
  checkOptionsObject(options);
  const nRepeats = checkInt('nRepeats', options.nRepeats ?? 5, 1);
  const random = createRandom(options.seed ?? 0);
  const rows = x.map((r) => Float64Array.from(r as ArrayLike<number>));
  const baseline = score(rows);
  const features = rows[0]?.length ?? 0;
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  const column = new Float64Array(rows.length);
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < rows.length; i++) column[i] = rows[i]![f]!;
    const drops: number[] = [];
    for (let r = 0; r < nRepeats; r++) {
      const shuffled = Float64Array.from(column);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        const t = shuffled[i]!;
        shuffled[i] = shuffled[j]!;
        shuffled[j] = t;
      }
      for (let i = 0; i < rows.length; i++) rows[i]![f] = shuffled[i]!;
      drops.push(baseline - score(rows));
    }
    for (let i = 0; i < rows.length; i++) rows[i]![f] = column[i]!;
    const m = drops.reduce((a, b) => a + b, 0) / nRepeats;
    mean[f] = m;
    std[f] = Math.sqrt(drops.reduce((a, b) => a + (b - m) ** 2, 0) / nRepeats);
  }
  const normalized = mean.map((m) => Math.max(0, m));
  const total = normalized.reduce((a, b) => a + b, 0);
  if (total > 0) for (let f = 0; f < features; f++) normalized[f]! /= total;
  return { mean, std, normalized, baseline };
}
