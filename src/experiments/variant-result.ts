/** One row of the results: a variant's rate and interval, and its comparison with control. */
import type { Counts } from './input.js';
import { upliftInterval, wilsonInterval } from './intervals.js';
import { probabilityToBeat } from './probability-to-beat.js';
import type { VariantResult } from './types.js';
import { pooledZTest } from './z-test.js';

/** The statistics of `row`, compared with `control` unless it is the control row (`undefined`); `z` sets the interval level. */
export function variantResult(row: Counts, control: Counts | undefined, z: number): VariantResult {
  const { variant, exposures: n, conversions: x, valueSum } = row;
  const rate = n > 0 ? x / n : 0;
  const result: VariantResult = {
    variant,
    exposures: n,
    conversions: x,
    conversionRate: rate,
    conversionRateInterval: wilsonInterval(x, n, z),
    valueSum,
    valueMean: n > 0 ? valueSum / n : 0,
  };
  if (control === undefined || n === 0 || control.exposures === 0) return result;
  const { exposures: n0, conversions: x0 } = control;
  if (x0 > 0) {
    const ratio = rate / (x0 / n0);
    result.uplift = ratio - 1;
    if (x > 0) result.upliftInterval = upliftInterval(ratio, x, n, x0, n0, z);
  }
  result.pValue = pooledZTest(x, n, x0, n0);
  result.probabilityToBeatControl = probabilityToBeat(x, n, x0, n0);
  return result;
}
