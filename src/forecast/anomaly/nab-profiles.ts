/**
 * The Numenta Anomaly Benchmark's application profiles and the scaled sigmoid that weights a
 * detection by where it falls relative to an anomaly window.
 * @see https://github.com/numenta/NAB (config/profiles.json; Lavin & Ahmad, "Evaluating Real-time
 * Anomaly Detection Algorithms: the Numenta Anomaly Benchmark", 2015)
 */

/** The weights of one NAB application profile (NAB's `CostMatrix`). */
export interface NabCostMatrix {
  /** Weight of the earliest detection in a window (scaled by its position, at most this). */
  readonly tpWeight: number;
  /** Penalty for each window without a detection. */
  readonly fnWeight: number;
  /** Penalty for each detection outside every window (scaled by its distance to the last window). */
  readonly fpWeight: number;
  /** Weight of true negatives; NAB lists it but it does not enter the score. */
  readonly tnWeight: number;
}

/** The name of one of NAB's three application profiles. */
export type NabProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

/** NAB's three application profiles, as in its `config/profiles.json`. */
export const NAB_PROFILES: Readonly<Record<NabProfileName, NabCostMatrix>> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22, tnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11, tnWeight: 1 },
};

/** Logistic function. */
function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * NAB's scaled sigmoid of a relative position: `2·σ(−5·y) − 1` for `y ≤ 3`, else −1. Inside a
 * window `y` runs from −1 (the window's first row, value ≈ 0.987) towards 0; after a window `y` is
 * the distance past its end in window widths, so a late false positive costs almost nothing and
 * one three widths away costs the full penalty.
 */
export function nabScaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

/** The scaled sigmoid at a window's first row: true positives are divided by it so an immediate hit scores `tpWeight`. */
export const NAB_MAX_TP = nabScaledSigmoid(-1);

/**
 * NAB's probationary period: the first 15% of a file, at most 750 rows, in which a detector
 * learns and nothing is scored.
 */
export function nabProbationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}
