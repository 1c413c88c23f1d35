import type { ResolvedDetectorOptions } from './detector-options.js';

/** Residuals are counted in one-decade bins of their evidence; larger ones share the last bin. */
const BINS = 256;
/** Only residuals with at least this many decades are remembered: smaller ones never alert anyway. */
const MIN_DECADES = 5;
/**
 * Decades of evidence per decade of empirical tail once a residual has recurred: its evidence becomes
 * this times −log10((m + 1) / n), far below an alert for any series shorter than millions of points.
 */
const EMPIRICAL_WEIGHT = 3;

/**
 * How often large residuals have occurred, as plain JSON-safe data: a residual the series has already
 * produced `residualRepeats` times (a daily batch job's spike, a periodic burst) is no longer news.
 */
export interface RecurrenceState {
  /** Points counted. */
  n: number;
  /** Past residuals of at least 5 decades, counted by the whole decades of their evidence (the last bin holds all larger ones). */
  counts: number[];
}

/** An empty recurrence memory. */
export function createRecurrence(): RecurrenceState {
  return { n: 0, counts: new Array<number>(BINS).fill(0) };
}

/**
 * The residual's evidence in decades, discounted when it recurs, then learned. When at least
 * `residualRepeats` earlier residuals were as large (to the decade), the evidence is at most
 * 3 × −log10((m + 1) / n) for m such residuals in n points: the empirical tail replaces the normal
 * one, which a recurring pattern has shown to be wrong for this series. O(1) (at most 256 bins read,
 * only for residuals of 5 decades or more); `residualRepeats` 0 turns it off.
 */
export function recurrenceDecades(state: RecurrenceState, options: ResolvedDetectorOptions, decades: number): number {
  state.n++;
  if (options.residualRepeats === 0 || !(decades >= MIN_DECADES)) return decades;
  const bin = Math.min(BINS - 1, Math.floor(decades));
  let m = 0;
  for (let k = bin; k < BINS; k++) m += state.counts[k] as number;
  state.counts[bin] = (state.counts[bin] as number) + 1;
  if (m < options.residualRepeats) return decades;
  return Math.min(decades, EMPIRICAL_WEIGHT * -Math.log10((m + 1) / state.n));
}
