/**
 * The frequentist intervals: Wilson for a conversion rate, Katz (log method) for the ratio of
 * two rates, i.e. the relative uplift.
 * @see Wilson EB (1927), Probable inference, the law of succession, and statistical inference. JASA 22:209–212.
 * @see Katz D et al. (1978), Obtaining confidence intervals for the risk ratio in cohort studies. Biometrics 34:469–474.
 */

/** Wilson score interval: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), clamped to [0, 1]. */
export function wilsonInterval(x: number, n: number, z: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At x = 0 (x = n) the lower (upper) end is exactly 0 (1); rounding could leave it just past the rate.
  return [x === 0 ? 0 : Math.max(0, centre - half), x === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Katz interval of the relative uplift `ratio − 1`, where `ratio = (x/n) / (x₀/n₀)` and x, x₀ > 0:
 * ln(ratio) is close to normal with variance 1/x − 1/n + 1/x₀ − 1/n₀.
 */
export function upliftInterval(ratio: number, x: number, n: number, x0: number, n0: number, z: number): [number, number] {
  const se = Math.sqrt(Math.max(0, 1 / x - 1 / n + 1 / x0 - 1 / n0));
  const log = Math.log(ratio);
  return [Math.exp(log - z * se) - 1, Math.exp(log + z * se) - 1];
}
