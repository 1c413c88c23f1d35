/**
 * Power and sample size in the middle of an experiment: given the effect's standard error so
 * far, how many more users the comparison needs to detect a minimum detectable effect (MDE)
 * with the target power. More users shrink the variance as `σ² / (1 + k)` for k times the users
 * so far; k is found by doubling, then bisection.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { GaussianPrior } from './bayesian.js';
import { sequentialHalfWidth, sequentialRho } from './sequential.js';

/** What the sample-size search needs. */
export interface PowerSettings {
  /** Variance of the relative effect with the users so far. */
  variance: number;
  /** Users in both arms so far. */
  users: number;
  /** Relative MDE (0.05 is 5 %); its absolute value is used. */
  minimumDetectableEffect: number;
  /** Significance level. */
  alpha: number;
  /** Target power. Default 0.8. */
  targetPower?: number;
  /** Tests in the family when p-values are corrected (Bonferroni on α for the power figure); 1 otherwise. */
  tests: number;
  /** Confidence sequences with this tuning parameter. */
  sequentialTuning?: number;
  /** A proper prior (Bayesian engine). */
  prior?: GaussianPrior;
}

/** The sample-size answer. */
export interface PowerAnswer {
  /** Power now, to detect the MDE. */
  power: number;
  /** Further users (both arms together) to reach the target power; 0 when already reached. */
  additionalUsers?: number;
  /** `additionalUsers / users`. */
  scalingFactor?: number;
  /** `POWERED` (target reached now), `MORE_USERS` (additionalUsers says how many), `OUT_OF_REACH` (not within 2²⁷ times the users so far). */
  status: 'POWERED' | 'MORE_USERS' | 'OUT_OF_REACH';
}

const DOUBLINGS = 27;
const BISECTIONS = 100;
const TOLERANCE = 1e-5;

/** Power with k times the users so far added. */
function powerAt(s: PowerSettings, k: number): number {
  const variance = s.variance / (1 + k);
  const sd = Math.sqrt(variance);
  const mde = Math.abs(s.minimumDetectableEffect);
  const z = normalQuantile(1 - s.alpha / (2 * s.tests), 0, 1);
  if (s.prior?.proper) {
    const priorVariance = s.prior.stddev ** 2;
    const precision = 1 / priorVariance + 1 / variance;
    const a = variance * Math.sqrt(precision) * z;
    const b = (variance * s.prior.mean) / priorVariance;
    return 1 - normalCdf((a - b - mde) / sd, 0, 1) + normalCdf(-(a + b + mde) / sd, 0, 1);
  }
  let halfWidth = z * sd;
  if (s.sequentialTuning !== undefined) {
    const alpha = s.alpha / s.tests;
    halfWidth = sequentialHalfWidth(s.users * s.variance, s.users * (1 + k), alpha, sequentialRho(alpha, s.sequentialTuning));
  }
  return 1 - normalCdf((halfWidth - mde) / sd, 0, 1) + normalCdf(-(halfWidth + mde) / sd, 0, 1);
}

/** Power now and the users still needed for the target power. */
export function sampleSize(s: PowerSettings): PowerAnswer {
  const target = s.targetPower ?? 0.8;
  const power = powerAt(s, 0);
  if (power > target) return { power, additionalUsers: 0, scalingFactor: 0, status: 'POWERED' };
  let k = 1;
  let current = powerAt(s, k);
  for (let i = 0; i < DOUBLINGS && current < target; i++) {
    k *= 2;
    current = powerAt(s, k);
  }
  if (current < target) return { power, status: 'OUT_OF_REACH' };
  let low = 0;
  let high = k;
  let diff = current - target;
  for (let i = 0; i < BISECTIONS; i++) {
    if (diff > 0) high = k;
    else low = k;
    k = 0.5 * (low + high);
    diff = powerAt(s, k) - target;
    if (Math.abs(diff) < TOLERANCE) break;
  }
  return { power, additionalUsers: s.users * k, scalingFactor: k, status: 'MORE_USERS' };
}
