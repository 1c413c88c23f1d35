/**
 * The effect of a variant against control on one metric: its point estimate and standard error,
 * relative (`(μ_b − μ_a) / |μ_a|`) or absolute (`μ_b − μ_a`), with or without CUPED, and the
 * Welch–Satterthwaite degrees of freedom of the t-tests. A comparison that cannot be made (no
 * users, zero variance, a zero baseline) is reported as a problem, never as NaN.
 */
import { type ArmEstimate, meanEstimate, ratioEstimate, varianceOfRatio } from './arm-statistic.js';
import {
  adjustedMeanEstimate,
  adjustedRatioEstimate,
  meanTheta,
  ratioTheta,
  relativeAdjustedMeanVariance,
  relativeAdjustedRatioVariance,
} from './cuped.js';
import type { MeanStats, MetricStats, RatioStats } from './metric-stats.js';

/** Why a comparison has no estimate: `NO_UNITS` (an arm has no users), `ZERO_VARIANCE` (an arm's metric does not vary), `ZERO_BASELINE` (control's mean is 0). */
export type ComparisonProblem = 'NO_UNITS' | 'ZERO_VARIANCE' | 'ZERO_BASELINE';

/** Control and variant estimates of one metric, after CUPED's θ when it applies. */
export interface ArmPair {
  /** Control's estimate. */
  control: ArmEstimate;
  /** The variant's estimate. */
  variant: ArmEstimate;
  /** CUPED's θ, present when the pair was regression-adjusted (θ ≠ 0). */
  theta?: number;
  /** The statistics, kept for CUPED's relative-effect variance. */
  stats: [MetricStats, MetricStats];
}

/** Point estimate and standard error of an effect. */
export interface EffectMoments {
  /** The effect: relative (0.05 is +5 %) or absolute (in the metric's unit). */
  estimate: number;
  /** Its standard error. */
  standardError: number;
  /** Users in both arms. */
  users: number;
  /** Welch–Satterthwaite degrees of freedom. */
  dof: number;
}

/** The two arms' estimates, regression-adjusted when `cuped` and both carry pre-exposure sums. */
export function armPair(control: MetricStats, variant: MetricStats, cuped: boolean): ArmPair {
  const stats: [MetricStats, MetricStats] = [control, variant];
  if (control.kind === 'ratio' || variant.kind === 'ratio') {
    const a = control as RatioStats;
    const b = variant as RatioStats;
    const theta = cuped ? ratioTheta(a, b) : 0;
    if (theta !== 0) return { control: adjustedRatioEstimate(a, theta), variant: adjustedRatioEstimate(b, theta), theta, stats };
    return { control: ratioEstimate(a), variant: ratioEstimate(b), stats };
  }
  const theta = cuped ? meanTheta(control, variant as MeanStats) : 0;
  if (theta !== 0)
    return { control: adjustedMeanEstimate(control, theta), variant: adjustedMeanEstimate(variant as MeanStats, theta), theta, stats };
  return { control: meanEstimate(control), variant: meanEstimate(variant as MeanStats), stats };
}

/** Variance of the effect estimate. */
function effectVariance(pair: ArmPair, relative: boolean): number {
  const { control: a, variant: b, theta } = pair;
  if (relative && theta !== undefined) {
    const [sa, sb] = pair.stats;
    return sa.kind === 'ratio'
      ? relativeAdjustedRatioVariance(sa, sb as RatioStats, theta)
      : relativeAdjustedMeanVariance(sa, sb as MeanStats, theta);
  }
  if (relative) return varianceOfRatio(b.unadjustedMean, b.variance / b.n, a.unadjustedMean, a.variance / a.n, 0);
  return b.variance / b.n + a.variance / a.n;
}

/** The effect's moments, or why there are none. */
export function effectMoments(pair: ArmPair, relative: boolean): EffectMoments | ComparisonProblem {
  const { control: a, variant: b } = pair;
  if (a.n === 0 || b.n === 0) return 'NO_UNITS';
  const variance = effectVariance(pair, relative);
  if (!(a.variance > 0) || !(b.variance > 0) || !(variance > 0)) return 'ZERO_VARIANCE';
  if (a.mean === 0 || a.unadjustedMean === 0) return 'ZERO_BASELINE';
  const estimate = relative ? (b.mean - a.mean) / Math.abs(a.unadjustedMean) : b.mean - a.mean;
  const dof =
    (b.variance / b.n + a.variance / a.n) ** 2 / (b.variance ** 2 / (b.n ** 2 * (b.n - 1)) + a.variance ** 2 / (a.n ** 2 * (a.n - 1)));
  return { estimate, standardError: Math.sqrt(variance), users: a.n + b.n, dof };
}
