/** The pooled two-proportion z-test of a variant against control. */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

/** Two-sided p-value of z = (p̂₁ − p̂₀) / √(p̄(1−p̄)(1/n₁ + 1/n₀)), p̄ the pooled rate. */
export function pooledZTest(x1: number, n1: number, x0: number, n0: number): number {
  const pooled = (x1 + x0) / (n1 + n0);
  // Both rates are 0 (or both 1): no difference, and z would be 0/0.
  if (pooled === 0 || pooled === 1) return 1;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const z = (x1 / n1 - x0 / n0) / se;
  // The lower tail, doubled, keeps precision for tiny p-values (1 − cdf would round to 0).
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}
