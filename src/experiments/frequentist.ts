/**
 * Frequentist tests of an effect: the unequal-variance (Welch) t-test, two-sided or one-sided,
 * at a fixed horizon or sequential (confidence sequences, valid under continuous peeking).
 */
import type { EffectMoments } from './effect-moments.js';
import {
  sequentialHalfWidth,
  sequentialOneSidedHalfWidth,
  sequentialOneSidedPValue,
  sequentialPValue,
  sequentialRho,
} from './sequential.js';
import { studentTCdf, studentTQuantile } from './student-t.js';

/**
 * Which hypothesis is tested: `two-sided` (any difference), `harm-below` (one-sided: is the
 * variant lower? the interval is `(−∞, upper]`), `harm-above` (is it higher? `[lower, ∞)`).
 */
export type TestSide = 'two-sided' | 'harm-below' | 'harm-above';

/** Settings of a frequentist test. */
export interface FrequentistSettings {
  /** Significance level; intervals are at `1 − alpha`. */
  alpha: number;
  /** The hypothesis tested. */
  side: TestSide;
  /** Confidence sequences with this tuning parameter (users of both arms) instead of the fixed-horizon t-test. */
  sequentialTuning?: number;
}

/** A frequentist test's answer. */
export interface FrequentistAnswer {
  /** The interval at `1 − alpha`; one of its ends is infinite for one-sided tests. */
  interval: [number, number];
  /** The p-value; absent only when the one-sided sequential search did not settle. */
  pValue?: number;
}

function interval(estimate: number, halfWidth: number, side: TestSide): [number, number] {
  if (side === 'harm-below') return [Number.NEGATIVE_INFINITY, estimate + halfWidth];
  if (side === 'harm-above') return [estimate - halfWidth, Number.POSITIVE_INFINITY];
  return [estimate - halfWidth, estimate + halfWidth];
}

function fixedHorizon(m: EffectMoments, s: FrequentistSettings): FrequentistAnswer {
  const t = m.estimate / m.standardError;
  if (s.side === 'two-sided') {
    // 2·(1 − CDF(|t|)) rather than the exact tail: p-values below ~1e-15 round as GrowthBook's do, so
    // that the adjusted intervals derived from them (which amplify tiny differences) agree too.
    const pValue = 2 * (1 - studentTCdf(Math.abs(t), m.dof));
    return { interval: interval(m.estimate, studentTQuantile(1 - s.alpha / 2, m.dof) * m.standardError, s.side), pValue };
  }
  const pValue = s.side === 'harm-below' ? studentTCdf(t, m.dof) : 1 - studentTCdf(t, m.dof);
  return { interval: interval(m.estimate, studentTQuantile(1 - s.alpha, m.dof) * m.standardError, s.side), pValue };
}

function sequential(m: EffectMoments, s: FrequentistSettings, tuning: number): FrequentistAnswer {
  const n = m.users;
  const s2 = m.standardError ** 2 * n;
  if (s.side === 'two-sided') {
    const rho = sequentialRho(s.alpha, tuning);
    return {
      interval: interval(m.estimate, sequentialHalfWidth(s2, n, s.alpha, rho), s.side),
      pValue: sequentialPValue(m.estimate, m.standardError, n, rho),
    };
  }
  const rho = sequentialRho(s.alpha, tuning, false);
  const halfWidth = (alpha: number) => sequentialOneSidedHalfWidth(s2, n, alpha, rho);
  const below = s.side === 'harm-below';
  const bound = (alpha: number) => (below ? m.estimate + halfWidth(alpha) : m.estimate - halfWidth(alpha));
  const pValue = sequentialOneSidedPValue(bound, below);
  const answer: FrequentistAnswer = { interval: interval(m.estimate, halfWidth(s.alpha), s.side) };
  if (pValue !== undefined) answer.pValue = pValue;
  return answer;
}

/** The t-test (or confidence sequence) of an effect. */
export function frequentistTest(m: EffectMoments, settings: FrequentistSettings): FrequentistAnswer {
  return settings.sequentialTuning === undefined ? fixedHorizon(m, settings) : sequential(m, settings, settings.sequentialTuning);
}
