/**
 * Asymptotic confidence sequences (Waudby-Smith et al., "Time-uniform central limit theory and
 * asymptotic confidence sequences", 2023): intervals and p-values that stay valid however often
 * results are read. The tuning parameter τ is the sample size, in users of both arms, at which
 * the sequence is tightest; ρ follows from it and α.
 * @see https://arxiv.org/abs/2103.06476
 */

/** ρ of the confidence sequence; one-sided sequences use 2α in place of α. */
export function sequentialRho(alpha: number, tuning: number, twoSided = true): number {
  const a = twoSided ? alpha : 2 * alpha;
  return Math.sqrt((-2 * Math.log(a) + Math.log(-2 * Math.log(a) + 1)) / tuning);
}

/**
 * Half-width of the two-sided sequence at `n` users for a per-user variance `s2` (the
 * estimator's variance times n): `√s2 · √(2(nρ²+1)·ln(√(nρ²+1)/α) / (nρ)²)`.
 */
export function sequentialHalfWidth(s2: number, n: number, alpha: number, rho: number): number {
  const r = n * rho * rho + 1;
  return Math.sqrt(s2) * Math.sqrt((2 * r * Math.log(Math.sqrt(r) / alpha)) / (n * rho) ** 2);
}

/** Half-width of the one-sided sequence: `√(s2 · 2(nρ²+1)/(nρ)² · ln(1 + √(nρ²+1)/(2α)))`. */
export function sequentialOneSidedHalfWidth(s2: number, n: number, alpha: number, rho: number): number {
  const r = n * rho * rho + 1;
  return Math.sqrt(((s2 * 2 * r) / (n * rho) ** 2) * Math.log(1 + Math.sqrt(r) / (2 * alpha)));
}

/** The two-sided sequential p-value, `min(1, 1/e)` with the e-value of the mixture martingale. */
export function sequentialPValue(estimate: number, standardError: number, n: number, rho: number): number {
  const st2 = (estimate ** 2 * n) / standardError ** 2;
  const r = n * rho * rho + 1;
  const evalue = Math.exp((rho * rho * st2) / (2 * r)) / Math.sqrt(r);
  return Math.min(1 / evalue, 1);
}

/** Bounds of the one-sided sequential p-value search, and its tolerance on the interval's bound. */
const MIN_ALPHA = 1e-5;
const MAX_ALPHA = 0.4999;
const TOLERANCE = 1e-6;
const MAX_STEPS = 100;

/**
 * The one-sided sequential p-value: the α at which the sequence's bound (`bound(α)`, decreasing
 * in α for a lower bound, increasing for an upper one) reaches 0, by bisection within
 * [1e-5, 0.4999] (the ends themselves when 0 lies outside). `undefined` if the search does not
 * settle.
 * @param harmBelow true when the interval is `(−∞, upper]` (harm is a decrease).
 */
export function sequentialOneSidedPValue(bound: (alpha: number) => number, harmBelow: boolean): number | undefined {
  let low = MIN_ALPHA;
  let high = MAX_ALPHA;
  const atSmall = bound(low);
  if (harmBelow ? atSmall < 0 : atSmall > 0) return MIN_ALPHA;
  const atBig = bound(high);
  if (harmBelow ? atBig > 0 : atBig < 0) return MAX_ALPHA;
  let alpha = 0.5 * (low + high);
  let diff = 0;
  for (let i = 0; i < MAX_STEPS; i++) {
    diff = bound(alpha);
    if (harmBelow ? diff > 0 : diff < 0) low = alpha;
    else high = alpha;
    alpha = 0.5 * (low + high);
    if (Math.abs(diff) < TOLERANCE) break;
  }
  return Math.abs(diff) < TOLERANCE ? alpha : undefined;
}
