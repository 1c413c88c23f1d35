/**
 * `@tiqology/elite/experiments`: the statistics of A/B experiments on sufficient statistics,
 * pure functions usable on their own, whatever produced the counts (the flags client, a
 * warehouse query, a CSV export).
 *
 * The pipeline of {@link computeResults}, one file per step:
 * 1. input.ts: read the aggregates, weights and options without throwing; bad rows are skipped
 *    and bad values replaced, each with a line in `warnings`.
 * 2. variant-result.ts: per variant, the conversion rate with its Wilson interval
 *    (intervals.ts) and, against control, the relative uplift with its Katz interval, the pooled
 *    two-proportion z-test (z-test.ts) and the Bayesian probability to beat control
 *    (probability-to-beat.ts over quadrature.ts).
 * 3. srm.ts: the chi-square sample-ratio-mismatch check of exposures against the weights.
 * 4. results.ts: the verdict (`NOT_ENOUGH_DATA`, `NO_WINNER_YET` or `WINNER`) and wording.ts's
 *    plain-language summary.
 *
 * No clock, storage or network, and nothing of flags: `flags.results()` loads this module on
 * first use and hands it the store's aggregates. The distributions come from per-function
 * `@stdlib` packages (normal CDF and quantile, incomplete gamma and beta, Beta density): with
 * them the module is about 44 kB minified and gzipped, 4 kB of it ours, which is why the flags
 * client loads it with a dynamic `import()` and the Edge build leaves it out. jstat would be
 * 18 kB but its incomplete beta is 8e-7 off at 200 000 users, too close to the 1e-6 this module
 * is tested to.
 * @example
 * ```ts
 * import { computeResults } from '@tiqology/elite/experiments';
 *
 * const results = computeResults(
 *   [
 *     { variant: 'control', exposures: 1000, conversions: 100, valueSum: 2500 },
 *     { variant: 'variant-a', exposures: 1000, conversions: 130, valueSum: 3120.5 },
 *   ],
 *   { control: 50, 'variant-a': 50 },
 * );
 * results.verdict; // 'WINNER'
 * ```
 * @packageDocumentation
 */

export { DEFAULT_SEQUENTIAL_TUNING } from './analysis-options.js';
export type {
  AnalysisDecision,
  AnalyzeExperimentOptions,
  ComparisonOutcome,
  EffectResult,
  ExperimentAnalysis,
  MetricAnalysis,
  MetricComparison,
  MetricRole,
  MetricVariantResult,
  StatsEngine,
} from './analysis-types.js';

export { analyzeExperiment } from './analyze.js';
export type { GaussianPrior } from './bayesian.js';
export type { PValueCorrection } from './corrections.js';
export { adjustedInterval, benjaminiHochberg, holmBonferroni } from './corrections.js';
export type { ComparisonProblem } from './effect-moments.js';
export type {
  MeanPreStats,
  MeanStats,
  MetricDefinition,
  MetricKind,
  MetricSource,
  MetricStats,
  MomentSums,
  RatioPreStats,
  RatioStats,
  VariantMetricStats,
} from './metric-stats.js';
export type { PowerAnswer } from './power.js';
export { computeResults } from './results.js';
export type { ExperimentSvgOptions } from './svg.js';
export { experimentToSVG } from './svg.js';
export type {
  ComputeResultsOptions,
  ExperimentResults,
  ExperimentVerdict,
  SampleRatioCheck,
  VariantCounts,
  VariantResult,
} from './types.js';
