/**
 * Student's t distribution: the tail probability and the quantile the t-tests need, on the
 * regularised incomplete beta function (`@stdlib`, already a dependency of this module).
 */
import betainc from '@stdlib/math-base-special-betainc';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * Beyond this many degrees of freedom the t distribution is the normal one to within 1e-12 in
 * the quantiles the tests use, and the incomplete beta function's large parameter costs precision.
 */
const NORMAL_DOF = 1e12;

/** `P(T > t)` for `t ≥ 0`, computed as a tail (never as `1 − cdf`, which loses small p-values). */
function upperTail(t: number, dof: number): number {
  const t2 = t * t;
  // I_x(ν/2, 1/2) with x = ν/(ν+t²), written as the upper tail in t²/(ν+t²) so that large ν keeps its precision.
  return 0.5 * betainc(t2 / (dof + t2), 0.5, dof / 2, true, true);
}

/** The t distribution's CDF with `dof > 0` degrees of freedom (0.5 at t = 0). */
export function studentTCdf(t: number, dof: number): number {
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = upperTail(Math.abs(t), dof);
  return t >= 0 ? 1 - tail : tail;
}

/** First guess of the quantile: the normal one with the Cornish–Fisher terms in 1/ν and 1/ν². */
function cornishFisher(z: number, dof: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * (5 * z2 * z2 + 16 * z2 + 3)) / 96;
  return z + g1 / dof + g2 / (dof * dof);
}

/**
 * The t quantile: `t` with `P(T ≤ t) = p`, for `0 < p < 1`. A Cornish–Fisher start refined by the
 * secant method on the CDF, to the last bits of precision.
 */
export function studentTQuantile(p: number, dof: number): number {
  if (p === 0.5) return 0;
  const z = normalQuantile(p, 0, 1);
  if (dof >= NORMAL_DOF || !Number.isFinite(z)) return z;
  // Small ν has heavy tails where the expansion overshoots badly: start from the normal quantile there.
  let x0 = dof > 4 ? cornishFisher(z, dof) : z;
  let x1 = x0 * (1 + 1e-3) + 1e-3;
  let f0 = studentTCdf(x0, dof) - p;
  let f1 = studentTCdf(x1, dof) - p;
  for (let i = 0; i < 200 && f1 !== f0; i++) {
    const x2 = x1 - (f1 * (x1 - x0)) / (f1 - f0);
    if (!Number.isFinite(x2)) break;
    x0 = x1;
    f0 = f1;
    x1 = x2;
    f1 = studentTCdf(x1, dof) - p;
    if (Math.abs(x1 - x0) <= 1e-15 * Math.max(1, Math.abs(x1))) break;
  }
  return x1;
}
