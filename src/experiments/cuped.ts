/**
 * CUPED: regression adjustment of a metric by the same metric measured before exposure. The
 * adjusted mean is `post − θ·pre`, with one θ shared by control and variant (the pooled
 * regression slope), which removes the variance the pre-period explains without biasing the
 * difference. Mean and binomial metrics adjust by their own pre-period; ratio metrics by the
 * pre-period ratio, with the delta method over the four means (m, d after and before).
 */
import { type ArmEstimate, covarianceOf, type Moments, meanOf, moments, postMoments, varianceOf } from './arm-statistic.js';
import type { MeanStats, RatioStats } from './metric-stats.js';

/** A regression-adjusted mean metric in one arm. */
interface AdjustedMean {
  post: Moments;
  pre: Moments;
  sumProducts: number;
}

/** A regression-adjusted ratio metric in one arm: means, their covariance matrix (m, d, m_pre, d_pre). */
interface AdjustedRatio {
  n: number;
  means: [number, number, number, number];
  lambda: number[][];
  postSums: [number, number];
  preSums: [number, number];
}

/** Below this |θ| the pre-period explains nothing and the ratio is analysed without it. */
const RATIO_THETA_FLOOR = 1e-8;

function adjustedMean(stats: MeanStats): AdjustedMean | undefined {
  if (stats.pre === undefined) return undefined;
  const proportion = stats.kind === 'binomial';
  return { post: postMoments(stats), pre: moments(stats.units, stats.pre, proportion), sumProducts: stats.pre.sumProducts };
}

/** θ of mean metrics: cov(post, pre) / var(pre) over both arms pooled; 0 when either pooled variance is 0. */
export function meanTheta(a: MeanStats, b: MeanStats): number {
  const ra = adjustedMean(a);
  const rb = adjustedMean(b);
  if (ra === undefined || rb === undefined) return 0;
  const n = ra.post.n + rb.post.n;
  const join = (x: Moments, y: Moments): Moments => ({
    n,
    sum: x.sum + y.sum,
    sumSquares: x.sumSquares + y.sumSquares,
    proportion: x.proportion,
  });
  const post = join(ra.post, rb.post);
  const pre = join(ra.pre, rb.pre);
  const preVariance = varianceOf(pre);
  if (preVariance === 0 || varianceOf(post) === 0) return 0;
  return covarianceOf(n, post, pre, ra.sumProducts + rb.sumProducts) / preVariance;
}

/** An arm's CUPED-adjusted mean metric for a given θ. */
export function adjustedMeanEstimate(
  stats: MeanStats,
  theta: number,
): ArmEstimate & { covariance: number; preVariance: number; postVariance: number } {
  const r = adjustedMean(stats) as AdjustedMean;
  const postMean = meanOf(r.post);
  const covariance = covarianceOf(r.post.n, r.post, r.pre, r.sumProducts);
  const postVariance = varianceOf(r.post);
  const preVariance = varianceOf(r.pre);
  const variance = r.post.n <= 1 ? 0 : postVariance + theta ** 2 * preVariance - 2 * theta * covariance;
  return { n: r.post.n, mean: postMean - theta * meanOf(r.pre), unadjustedMean: postMean, variance, covariance, preVariance, postVariance };
}

/**
 * Variance of the relative effect of CUPED mean metrics, `(μ̂_b − μ̂_a) / μ_a`, by the delta method
 * with the control's unadjusted mean in the denominator; 0 when that mean is 0.
 */
export function relativeAdjustedMeanVariance(a: MeanStats, b: MeanStats, theta: number): number {
  const ea = adjustedMeanEstimate(a, theta);
  const eb = adjustedMeanEstimate(b, theta);
  const baseline = ea.unadjustedMean;
  const denB = eb.n * baseline ** 2;
  const denA = ea.n * baseline ** 2;
  if (denA === 0 || denB === 0) return 0;
  const varB = (eb.postVariance + theta ** 2 * eb.preVariance - 2 * theta * eb.covariance) / denB;
  const slope = -eb.unadjustedMean;
  const varA =
    (ea.postVariance * slope ** 2) / baseline ** 2 + (2 * theta * ea.covariance * slope) / baseline + theta ** 2 * ea.preVariance;
  return varB + varA / denA;
}

function adjustedRatio(stats: RatioStats): AdjustedRatio | undefined {
  const pre = stats.pre;
  if (pre === undefined) return undefined;
  const n = stats.units;
  const m = moments(n, stats.numerator);
  const d = moments(n, stats.denominator);
  const mp = moments(n, pre.numerator);
  const dp = moments(n, pre.denominator);
  const cov = (x: Moments, y: Moments, sp: number) => covarianceOf(n, x, y, sp);
  const mD = cov(m, d, stats.sumProducts);
  const mMp = cov(m, mp, pre.cross.numeratorNumerator);
  const mDp = cov(m, dp, pre.cross.numeratorDenominator);
  const dMp = cov(d, mp, pre.cross.denominatorNumerator);
  const dDp = cov(d, dp, pre.cross.denominatorDenominator);
  const mpDp = cov(mp, dp, pre.sumProducts);
  return {
    n,
    means: [meanOf(m), meanOf(d), meanOf(mp), meanOf(dp)],
    lambda: [
      [varianceOf(m), mD, mMp, mDp],
      [mD, varianceOf(d), dMp, dDp],
      [mMp, dMp, varianceOf(mp), mpDp],
      [mDp, dDp, mpDp, varianceOf(dp)],
    ],
    postSums: [m.sum, d.sum],
    preSums: [mp.sum, dp.sum],
  };
}

/** Gradient of `m/d − θ·m_pre/d_pre` in the four means; zero when a denominator mean is 0. */
function gradient(r: AdjustedRatio, theta: number): number[] {
  const [m, d, mp, dp] = r.means;
  if (d === 0 || dp === 0) return [0, 0, 0, 0];
  return [1 / d, -m / d ** 2, -theta / dp, (theta * mp) / dp ** 2];
}

/** xᵀ·Λ[rows, cols]·y over index ranges, for the blocks of the 4×4 covariance matrix. */
function quadratic(x: number[], lambda: number[][], y: number[], rows: number[], cols: number[]): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    let inner = 0;
    for (let j = 0; j < cols.length; j++)
      inner += ((lambda[rows[i] as number] as number[])[cols[j] as number] as number) * (y[j] as number);
    total += (x[i] as number) * inner;
  }
  return total;
}

const ALL = [0, 1, 2, 3];
const POST = [0, 1];
const PRE = [2, 3];

/** θ of ratio metrics: −Σ cov(post ratio, pre ratio) / Σ var(pre ratio) over the two arms, 0 when the latter is 0. */
export function ratioTheta(a: RatioStats, b: RatioStats): number {
  const ra = adjustedRatio(a);
  const rb = adjustedRatio(b);
  if (ra === undefined || rb === undefined) return 0;
  const parts = [ra, rb].map((r) => {
    const g = gradient(r, 1);
    const gPre = [g[2] as number, g[3] as number];
    return {
      preVariance: quadratic(gPre, r.lambda, gPre, PRE, PRE),
      covariance: quadratic(gPre, r.lambda, [g[0] as number, g[1] as number], PRE, POST),
    };
  });
  const [pa, pb] = parts as [(typeof parts)[0], (typeof parts)[0]];
  if (pa.preVariance + pb.preVariance === 0) return 0;
  const theta = -(pa.covariance + pb.covariance) / (pa.preVariance + pb.preVariance);
  return Math.abs(theta) < RATIO_THETA_FLOOR ? 0 : theta;
}

/** An arm's CUPED-adjusted ratio metric for a given θ. */
export function adjustedRatioEstimate(stats: RatioStats, theta: number): ArmEstimate {
  const r = adjustedRatio(stats) as AdjustedRatio;
  const post = r.postSums[1] === 0 ? 0 : r.postSums[0] / r.postSums[1];
  const pre = r.preSums[1] === 0 ? 0 : r.preSums[0] / r.preSums[1];
  const mean = r.postSums[1] === 0 || r.preSums[1] === 0 ? 0 : post - theta * pre;
  const g = gradient(r, theta);
  return { n: r.n, mean, unadjustedMean: post, variance: quadratic(g, r.lambda, g, ALL, ALL) };
}

/** Variance of the relative effect of CUPED ratio metrics, by the delta method over both arms' eight means. */
export function relativeAdjustedRatioVariance(a: RatioStats, b: RatioStats, theta: number): number {
  const ra = adjustedRatio(a) as AdjustedRatio;
  const rb = adjustedRatio(b) as AdjustedRatio;
  const ea = adjustedRatioEstimate(a, theta);
  const eb = adjustedRatioEstimate(b, theta);
  const baseline = ea.unadjustedMean;
  const [mA, dA] = ra.means;
  if (baseline === 0 || dA === 0) return 0;
  const difference = (eb.mean - ea.mean) * Math.sign(baseline);
  const scale = Math.abs(baseline);
  const ga = gradient(ra, theta);
  const gradientA = [
    -(scale + difference) / dA / scale ** 2,
    ((mA * scale) / dA ** 2 + (mA * difference) / dA ** 2) / scale ** 2,
    -(ga[2] as number) / scale,
    -(ga[3] as number) / scale,
  ];
  const gradientB = gradient(rb, theta).map((x) => x / scale);
  return quadratic(gradientA, ra.lambda, gradientA, ALL, ALL) / ra.n + quadratic(gradientB, rb.lambda, gradientB, ALL, ALL) / rb.n;
}
