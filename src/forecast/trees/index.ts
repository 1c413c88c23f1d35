/**
 * Tree learners of the forecast module, in plain TypeScript: gradient-boosted regression trees
 * (cost forecasts) and random-forest classifiers (learned scaling decisions).
 */

export type { GradientBoostingOptions, GradientBoostingRegressor } from './gradient-boosting.js';
export { fitGradientBoosting } from './gradient-boosting.js';
export { accuracy, logLoss, quantile, rmse } from './model-scores.js';
export type { PermutationImportance, PermutationImportanceOptions } from './permutation-importance.js';
export { permutationImportance } from './permutation-importance.js';
export type { Random } from './random.js';
export { createRandom } from './random.js';
export type { RandomForestClassifier, RandomForestOptions } from './random-forest.js';
export { fitRandomForest } from './random-forest.js';
export type { Tree } from './tree.js';
