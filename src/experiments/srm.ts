/**
 * The sample-ratio-mismatch check: do exposures follow the configured weights? A mismatch means
 * assignment or exposure logging is broken, whatever the comparisons say.
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import type { Counts } from './input.js';
import type { SampleRatioCheck } from './types.js';

/** The usual threshold for a sample ratio mismatch: strict, since it is checked on every read of results. */
const SRM_ALPHA = 0.001;

/** χ² = Σ (observed − expected)² / expected over configured variants with a positive weight; p from the χ² survival function. */
export function sampleRatioCheck(configured: ReadonlyMap<string, number>, rows: ReadonlyMap<string, Counts>): SampleRatioCheck {
  const arms = [...configured].filter(([, weight]) => weight > 0);
  const degreesOfFreedom = Math.max(arms.length - 1, 0);
  const total = arms.reduce((sum, [name]) => sum + (rows.get(name)?.exposures ?? 0), 0);
  if (arms.length < 2 || total === 0) return { chiSquare: 0, degreesOfFreedom, pValue: 1, mismatch: false };
  // Weights as shares of the largest one, so that huge weights cannot overflow their sum.
  const largest = Math.max(...arms.map(([, weight]) => weight));
  const shareSum = arms.reduce((sum, [, weight]) => sum + weight / largest, 0);
  let chiSquare = 0;
  for (const [name, weight] of arms) {
    const expected = (total * (weight / largest)) / shareSum;
    const gap = (rows.get(name)?.exposures ?? 0) - expected;
    // A subnormal weight can make the expected count 0: any user there is then infinitely unlikely.
    chiSquare += gap === 0 ? 0 : expected > 0 ? gap ** 2 / expected : Number.POSITIVE_INFINITY;
  }
  // Upper regularised incomplete gamma Q(k/2, χ²/2) is the χ² survival function, precise in the far tail.
  const pValue = Number.isFinite(chiSquare) ? gammainc(chiSquare / 2, degreesOfFreedom / 2, true, true) : 0;
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < SRM_ALPHA };
}
