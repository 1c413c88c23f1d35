import type { ExperimentAnalysis } from './analysis-types.js';

/**
 * The types of the experiments module: the per-variant counts it reads and the results it returns.
 * They belong here, not to flags: any source of aggregates (a store, a warehouse query, a CSV)
 * produces the same input.
 */

/**
 * Per-variant counts, the input of `computeResults`. `VariantAggregate` rows (what
 * `StorageAdapter.queryResults` returns) fit as they are.
 */
export interface VariantCounts {
  /** Variant key, as in the weights. */
  variant: string;
  /** Distinct exposed users. */
  exposures: number;
  /** Distinct exposed users who converted (at most `exposures`). */
  conversions: number;
  /** Sum of the values of attributed conversions. */
  valueSum: number;
  /** Attributed conversion events (a user may convert several times). Not read by the statistics; allowed so store rows fit. */
  conversionEvents?: number;
}

/** Statistics of one variant, and of its comparison with control. */
export interface VariantResult {
  /** The variant's key. */
  variant: string;
  /** Distinct exposed users. */
  exposures: number;
  /** Distinct exposed users who converted. */
  conversions: number;
  /** `conversions / exposures`; 0 when there are no exposures. */
  conversionRate: number;
  /**
   * Wilson score interval of the conversion rate at the `1 - alpha` level (95% by default);
   * `[0, 1]` when there are no exposures.
   */
  conversionRateInterval: [number, number];
  /** Sum of the values of attributed conversions. */
  valueSum: number;
  /** Value per exposed user, `valueSum / exposures`; 0 when there are no exposures. */
  valueMean: number;
  /**
   * Relative uplift against control, `rate / controlRate - 1` (0.1 is 10% better). Left out on the
   * control row, when either side has no exposures, and when control has no conversions (the
   * ratio is infinite or undefined; a warning says so).
   */
  uplift?: number;
  /**
   * Interval of the relative uplift at the `1 - alpha` level, by the Katz log method:
   * `exp(ln(rate / controlRate) ± z·√(1/x − 1/n + 1/x₀ − 1/n₀)) − 1`. Left out when `uplift` is,
   * and when the variant has no conversions (the log of a zero ratio).
   */
  upliftInterval?: [number, number];
  /**
   * Two-sided p-value of the pooled two-proportion z-test against control, without continuity
   * correction; 1 when the pooled rate is 0 or 1 (both rates are then equal). Left out on the
   * control row and when either side has no exposures.
   */
  pValue?: number;
  /**
   * `P(p > p_control)` with independent `Beta(1 + conversions, 1 + exposures − conversions)`
   * posteriors (uniform priors), by deterministic Gauss–Legendre quadrature over the narrower
   * posterior: within 1e-12 of Evan Miller's exact sum on the fixtures, from 1 to 10⁸ users. Left
   * out on the control row and when either side has no exposures.
   */
  probabilityToBeatControl?: number;
}

export type { SampleRatioCheck } from './srm-check.js';

import type { SampleRatioCheck } from './srm-check.js';

/** What the experiment says so far. */
export type ExperimentVerdict = 'WINNER' | 'NO_WINNER_YET' | 'NOT_ENOUGH_DATA';

/** Results of one experiment, as `computeResults` (behind `FlagsClient.results`) returns them. */
export interface ExperimentResults {
  /** The variant every other one is compared with. */
  control: string;
  /** Configured variants in configured order (with zeros when they have no data), then variants found only in the data. */
  variants: VariantResult[];
  /** The sample ratio mismatch check: were users assigned in the configured proportions? */
  srm: SampleRatioCheck;
  /** What the experiment says so far; a mismatch in `srm` means no winner. */
  verdict: ExperimentVerdict;
  /** The winning variant when `verdict` is `'WINNER'` (possibly control itself). */
  winner?: string;
  /** Problems with the input or the data, in plain language. */
  warnings: string[];
  /** One or two sentences for people: the verdict and the numbers behind it. */
  summary: string;
  /** The metric analysis, when `results()` was given `analysis` options (see `analyzeExperiment`). */
  analysis?: ExperimentAnalysis;
}

/** Options of `computeResults`. */
export interface ComputeResultsOptions {
  /**
   * Users each compared variant (control included) needs before a verdict other than
   * `'NOT_ENOUGH_DATA'` is given. Default 100. Lower it only for tests and demos: below a few
   * hundred users per variant the normal approximations behind the p-value and the intervals are
   * rough, and early peeking inflates false positives.
   */
  minimumSample?: number;
  /**
   * Significance level of the z-test, and `1 - alpha` is the level of every interval. Default 0.05.
   * No correction is made for comparing several variants with control: with many variants, lower it
   * (Bonferroni: `alpha / comparisons`).
   */
  alpha?: number;
}
