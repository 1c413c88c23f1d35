/**
 * The Bayesian effect model: a Gaussian prior on the effect, the effect's sampling distribution
 * as the likelihood, and from the Gaussian posterior the chance to win, the risk (expected loss)
 * of each choice and the credible interval.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { EffectMoments } from './effect-moments.js';

/**
 * A Gaussian prior on the relative effect (0.1 is +10 %). `proper: false` (the default of
 * analyses) is the flat prior: the posterior is then the likelihood alone.
 */
export interface GaussianPrior {
  /** Prior mean of the relative effect. Default 0. */
  mean: number;
  /** Prior standard deviation of the relative effect. Default 0.3. */
  stddev: number;
  /** Use the prior (true) or a flat one (false). Default false. */
  proper: boolean;
}

/** The posterior of an effect. */
export interface BayesianAnswer {
  /** Posterior mean. */
  estimate: number;
  /** Posterior standard deviation. */
  standardError: number;
  /** Credible interval at `1 − alpha`. */
  interval: [number, number];
  /** Posterior probability that the variant is better (lower, for metrics where lower is better). */
  chanceToWin: number;
  /** Expected loss of shipping control, then of shipping the variant, in the effect's unit. */
  risk: [number, number];
}

/** Beyond this many standard deviations from 0, one side's loss is 0 in double precision. */
const RISK_CUTOFF = 37;

/** Standard normal density. */
const density = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/**
 * Expected loss of each choice under N(μ, σ²): shipping control loses E[max(X, 0)] = μΦ(μ/σ) + σφ(μ/σ),
 * shipping the variant loses E[max(−X, 0)] = σφ(μ/σ) − μΦ(−μ/σ).
 */
function risk(mu: number, sigma: number): [number, number] {
  if (sigma > 0 && Math.abs(mu / sigma) > RISK_CUTOFF) return [Math.max(mu, 0), Math.max(-mu, 0)];
  const z = mu / sigma;
  return [mu * normalCdf(z, 0, 1) + sigma * density(z), sigma * density(z) - mu * normalCdf(-z, 0, 1)];
}

/**
 * The posterior of an effect. For an absolute effect the (relative) prior is scaled by control's
 * mean. `undefined` when control's mean is 0 and a proper prior would need that scale.
 */
export function bayesianTest(
  m: EffectMoments,
  options: { alpha: number; prior: GaussianPrior; relative: boolean; baseline: number; lowerIsBetter: boolean },
): BayesianAnswer | undefined {
  let { mean: priorMean, stddev } = options.prior;
  let priorVariance = stddev * stddev;
  if (!options.relative) {
    if (options.prior.proper && options.baseline === 0) return undefined;
    priorMean *= Math.abs(options.baseline);
    priorVariance *= options.baseline ** 2;
  }
  const dataVariance = m.standardError ** 2;
  const precision = 1 / dataVariance + (options.prior.proper ? 1 / priorVariance : 0);
  const mean = options.prior.proper ? (m.estimate / dataVariance + priorMean / priorVariance) / precision : m.estimate;
  const sd = Math.sqrt(1 / precision);
  const up = normalCdf(mean / sd, 0, 1);
  const [lossControl, lossVariant] = risk(mean, sd);
  return {
    estimate: mean,
    standardError: sd,
    interval: [normalQuantile(options.alpha / 2, mean, sd), normalQuantile(1 - options.alpha / 2, mean, sd)],
    chanceToWin: options.lowerIsBetter ? 1 - up : up,
    risk: options.lowerIsBetter ? [lossVariant, lossControl] : [lossControl, lossVariant],
  };
}
