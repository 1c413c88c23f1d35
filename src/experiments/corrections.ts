/**
 * Multiple comparisons: adjusted p-values over a family of tests (every non-guardrail metric of
 * every variant), and intervals widened to match them.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * How p-values are adjusted for multiple comparisons: `holm-bonferroni` controls the family-wise
 * error rate (the chance of any false positive), `benjamini-hochberg` the false discovery rate
 * (the expected share of false positives among the significant results), `none` adjusts nothing.
 */
export type PValueCorrection = 'none' | 'holm-bonferroni' | 'benjamini-hochberg';

/** Holm's step-down adjustment: the i-th smallest p times (m − i), made non-decreasing, capped at 1. */
export function holmBonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min((pValues[index] as number) * (m - rank), 1));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg's step-up adjustment: p·m/rank from the largest down, made non-increasing, capped at 1. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[b] as number) - (pValues[a] as number));
  const adjusted = new Array<number>(m).fill(1);
  let running = 1;
  order.forEach((index, rank) => {
    running = Math.min(running, Math.min(((pValues[index] as number) * m) / (m - rank), 1));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Adjusted p-values by the chosen correction (the p-values themselves for `none`). */
export function adjustPValues(pValues: readonly number[], correction: PValueCorrection): number[] {
  if (correction === 'holm-bonferroni') return holmBonferroni(pValues);
  if (correction === 'benjamini-hochberg') return benjaminiHochberg(pValues);
  return [...pValues];
}

/**
 * The interval matching an adjusted p-value: the standard error implied by the estimate and the
 * adjusted p-value (normal approximation) times the `1 − alpha/2` quantile, around the estimate.
 * It only ever widens `interval`; an adjusted p-value of (nearly) 1 gives `(−∞, ∞)`.
 */
export function adjustedInterval(adjustedPValue: number, estimate: number, alpha: number, interval: [number, number]): [number, number] {
  if (adjustedPValue > 0.999999) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  let candidate: [number, number] = [0, 0];
  if (estimate !== 0) {
    const width = normalQuantile(1 - alpha / 2, 0, 1) * Math.abs(estimate / normalQuantile(1 - adjustedPValue / 2, 0, 1));
    candidate = [estimate - width, estimate + width];
  }
  return candidate[0] < interval[0] && candidate[1] > interval[1] ? candidate : interval;
}
