/** The result type of the sample-ratio-mismatch check, shared by computeResults and analyzeExperiment. */

/** Chi-square goodness-of-fit test of exposures against the configured weights. */
export interface SampleRatioCheck {
  /** The chi-square statistic of observed against expected exposures. */
  chiSquare: number;
  /** Variants with a positive weight, minus one. */
  degreesOfFreedom: number;
  /** Probability of a mismatch at least this large if assignment worked as configured. */
  pValue: number;
  /** `pValue < 0.001`: assignment or exposure logging is broken, so the comparison cannot be trusted. */
  mismatch: boolean;
}
