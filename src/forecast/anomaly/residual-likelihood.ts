import { normalCdf } from '../normal.js';
import type { ResolvedDetectorOptions } from './detector-options.js';

/** Largest z fed to the likelihood: one wild point must not dominate the long-term distribution. */
const Z_CAP = 12;

/**
 * The likelihood of the recent residuals against the long-term ones, as Numenta's anomaly
 * likelihood compares a short moving average of raw scores with their long-run distribution:
 * a burst of moderately large residuals is as telling as one huge one. Plain data, so it serialises.
 */
export interface LikelihoodState {
  /** The last `shortWindow` capped |z| values, a ring. */
  recent: number[];
  /** Index in `recent` the next value overwrites. */
  next: number;
  /** Sum of `recent`. */
  sum: number;
  /** Points seen. */
  n: number;
  /** Smoothed long-term mean of the short-window mean. */
  longMean: number;
  /** Smoothed long-term variance of the short-window mean. */
  longVar: number;
}

/** An empty likelihood for the given options. */
export function createLikelihood(options: ResolvedDetectorOptions): LikelihoodState {
  return { recent: new Array<number>(options.shortWindow).fill(0), next: 0, sum: 0, n: 0, longMean: 0, longVar: 0 };
}

/**
 * Adds |z| of the newest point and returns the upper-tail probability of the new short-window mean
 * under the long-term distribution learned from the points before it. O(1).
 */
export function likelihoodTail(state: LikelihoodState, options: ResolvedDetectorOptions, z: number): number {
  const capped = Math.min(Math.abs(z), Z_CAP);
  state.sum += capped - (state.recent[state.next] as number);
  state.recent[state.next] = capped;
  state.next = (state.next + 1) % state.recent.length;
  const shortMean = state.sum / Math.min(state.n + 1, state.recent.length);
  // |z| of a normal residual has mean 0.8 and sd 0.6: a prior that the learned distribution replaces.
  const mean = state.n === 0 ? 0.8 : state.longMean;
  const sd = Math.max(Math.sqrt(state.n === 0 ? 0.36 : state.longVar), 0.05);
  // The lower tail of the negated z keeps precision far out, where 1 − Φ(z) would round to 0.
  const tail = normalCdf(-(shortMean - mean) / sd);
  if (state.n === 0) {
    state.longMean = 0.8;
    state.longVar = 0.36 / state.recent.length;
  } else {
    const a = options.longAlpha;
    const d = shortMean - state.longMean;
    state.longMean += a * d;
    state.longVar = (1 - a) * (state.longVar + a * d * d);
  }
  state.n++;
  return Math.max(tail, 0);
}
