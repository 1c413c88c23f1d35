/**
 * One arm's estimator of a metric, built from its sufficient statistics: the mean and the
 * per-user variance the t-tests and the Bayesian model read. Plain metrics here; CUPED's
 * regression-adjusted forms, which need both arms at once, in cuped.ts.
 */
import type { MeanStats, MomentSums, RatioStats } from './metric-stats.js';

/** Σx and Σx² of a per-user quantity over `n` users, and whether it is a 0/1 proportion. */
export interface Moments {
  /** Users. */
  n: number;
  /** Σx. */
  sum: number;
  /** Σx² (equal to Σx for a proportion). */
  sumSquares: number;
  /** A 0/1 quantity, whose variance is p(1 − p) rather than the sample variance. */
  proportion: boolean;
}

/** An arm's estimate: its (possibly adjusted) mean, the unadjusted mean and the per-user variance. */
export interface ArmEstimate {
  /** Users in the arm. */
  n: number;
  /** The estimator: the mean, the ratio, or CUPED's adjusted mean. */
  mean: number;
  /** The same without CUPED's adjustment: the denominator of relative effects. */
  unadjustedMean: number;
  /** Variance per user: the estimator's variance is `variance / n`. */
  variance: number;
}

/** The moments of one per-user quantity. */
export const moments = (n: number, sums: MomentSums, proportion = false): Moments => ({
  n,
  sum: sums.sum,
  sumSquares: proportion ? sums.sum : sums.sumSquares,
  proportion,
});

/** `Σx / n`, 0 without users. */
export const meanOf = (m: Moments): number => (m.n === 0 ? 0 : m.sum / m.n);

/** p(1 − p) for a proportion, the sample variance (n − 1 in the denominator) otherwise; 0 below two users. */
export function varianceOf(m: Moments): number {
  if (m.proportion) {
    const p = meanOf(m);
    return p * (1 - p);
  }
  if (m.n <= 1) return 0;
  return (m.sumSquares - (m.sum * m.sum) / m.n) / (m.n - 1);
}

/**
 * Covariance of two per-user quantities from Σxy: the population form for two proportions, the
 * sample form otherwise; 0 below two users.
 */
export function covarianceOf(n: number, a: Moments, b: Moments, sumProducts: number): number {
  if (n <= 1) return 0;
  if (a.proportion && b.proportion) return sumProducts / n - (a.sum * b.sum) / (n * n);
  return (sumProducts - (a.sum * b.sum) / n) / (n - 1);
}

/**
 * Var(M/D) by the delta method: `σ²_M/μ_D² + σ²_D·μ_M²/μ_D⁴ − 2·cov·μ_M/μ_D³`; 0 when μ_D is 0.
 */
export function varianceOfRatio(meanM: number, varM: number, meanD: number, varD: number, cov: number): number {
  if (meanD === 0) return 0;
  return varM / meanD ** 2 + (varD * meanM ** 2) / meanD ** 4 - (2 * cov * meanM) / meanD ** 3;
}

/** The post-exposure moments of a binomial or mean metric. */
export const postMoments = (stats: MeanStats): Moments => moments(stats.units, stats, stats.kind === 'binomial');

/** A binomial or mean metric without adjustment. */
export function meanEstimate(stats: MeanStats): ArmEstimate {
  const post = postMoments(stats);
  const mean = meanOf(post);
  return { n: stats.units, mean, unadjustedMean: mean, variance: varianceOf(post) };
}

/** A ratio metric Σm/Σd, its per-user variance by the delta method on the means of m and d. */
export function ratioEstimate(stats: RatioStats): ArmEstimate {
  const n = stats.units;
  const m = moments(n, stats.numerator);
  const d = moments(n, stats.denominator);
  const mean = d.sum === 0 ? 0 : m.sum / d.sum;
  const meanD = meanOf(d);
  const variance =
    meanD === 0 || n <= 1 ? 0 : varianceOfRatio(meanOf(m), varianceOf(m), meanD, varianceOf(d), covarianceOf(n, m, d, stats.sumProducts));
  return { n, mean, unadjustedMean: mean, variance };
}
