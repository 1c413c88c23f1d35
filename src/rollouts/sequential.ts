/**
 * The sequential comparison behind every guardrail: an asymptotic confidence sequence for the
 * difference of two means (Waudby-Smith et al., "Time-uniform central limit theory and asymptotic
 * confidence sequences", 2023; the form GrowthBook's sequential testing uses). Unlike a fixed-
 * horizon interval it stays valid however often it is read, which is what a controller checking
 * every few minutes needs: reading a 95 % t-interval at every check would roll back healthy
 * releases far more often than 5 % of the time. The sequence itself is the experiments engine's
 * (equal to GrowthBook's to 1e-6); this file applies it to the two groups' sums.
 */
import { sequentialHalfWidth, sequentialRho } from '../experiments/sequential.js';

/** Mean and variance of the mean of one group, from its sums. */
export interface MomentEstimate {
  /** Observations. */
  n: number;
  /** Sample mean. */
  mean: number;
  /** Sample variance of one observation (n − 1 denominator; 0 below two observations). */
  variance: number;
}

/** Mean and sample variance from n, Σx and Σx²; the variance is clamped at 0 against rounding. */
export function momentsFromSums(n: number, sum: number, sumSquares: number): MomentEstimate {
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  const variance = n < 2 ? 0 : Math.max(0, (sumSquares - sum * mean) / (n - 1));
  return { n, mean, variance };
}

/**
 * Confidence sequence of `treatment.mean − control.mean` at level 1 − alpha, or undefined when a
 * group has no observation.
 */
export function differenceSequence(
  treatment: MomentEstimate,
  control: MomentEstimate,
  alpha: number,
  tuning: number,
): [number, number] | undefined {
  if (treatment.n === 0 || control.n === 0) return undefined;
  const n = treatment.n + control.n;
  const varianceOfDifference = treatment.variance / treatment.n + control.variance / control.n;
  const half = sequentialHalfWidth(varianceOfDifference * n, n, alpha, sequentialRho(alpha, tuning));
  const difference = treatment.mean - control.mean;
  return [difference - half, difference + half];
}
