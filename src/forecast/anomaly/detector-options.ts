import { EliteError } from '../../internal/errors.js';

/**
 * Options of {@link detector}. Every default was chosen once, on half of the NAB corpus, and is
 * used unchanged for every series (docs/forecast.md, "Anomaly detection").
 */
export interface DetectorOptions {
  /**
   * Smoothing of the level, 0 < α ≤ 1. Default 0.2. Higher follows level shifts faster (fewer
   * repeated alerts after a shift) but widens the forecast on noisy series.
   */
  readonly levelAlpha?: number;
  /** Smoothing of each seasonal slot's offset from the level, 0 < γ ≤ 1. Default 0.1. */
  readonly seasonAlpha?: number;
  /**
   * Length of the season in ms, keyed by the timestamp's position in it. Default one day. Set 0
   * to turn the seasonal baseline off. The detector uses the seasonal forecast only while its
   * recent error is lower than the plain level's, so a series without the season loses nothing.
   */
  readonly seasonMs?: number;
  /** Slots per season (each slot learns its own offset). Default 144 (10-minute slots of a day). */
  readonly seasonSlots?: number;
  /**
   * Smoothing of the residual scale (mean absolute residual), 0 < α ≤ 1. Default 0.001 (about 1000
   * points of memory). Lower makes the expected range steadier and slower to admit a new regime.
   */
  readonly scaleAlpha?: number;
  /** Points averaged for the short-term residual mean of the likelihood. Default 2. */
  readonly shortWindow?: number;
  /** Smoothing of the long-term residual distribution of the likelihood, 0 < α ≤ 1. Default 0.002. */
  readonly longAlpha?: number;
  /**
   * Probability above which a point is an anomaly (`anomaly: true`): the alert fires at
   * −log10(1 − p) decades of evidence (default 1 − 1e−12: 12 decades). The expected range is the
   * residual band inside which the residual alone stays below that (see `residualWeight`). Lower it
   * for more, earlier alerts.
   */
  readonly alertProbability?: number;
  /**
   * Weight of the residual's decades of tail probability in the evidence, 0 < w ≤ 1. Default 0.7: the
   * normal predictive distribution understates real tails, so a residual alert needs a far tail
   * (12 / 0.7 ≈ 17 decades, |z| ≈ 8.7 with the defaults).
   */
  readonly residualWeight?: number;
  /**
   * Value bins of the contextual novelty over the range of the first `noveltyAnchorPoints` values (bins
   * continue past it). Default 80. A value counts as a new level when no bin within two of its own
   * has been seen (so it is at least 1/40 of that range away from every value seen). 0 turns the novelty off (the residual alone scores).
   */
  readonly noveltyBins?: number;
  /**
   * Values that fix the novelty's bin width (their range over `noveltyBins`; more while they are all
   * equal). They are the novelty's first history and score no novelty themselves. Default 700.
   */
  readonly noveltyAnchorPoints?: number;
  /**
   * A second novelty, on a log scale, for series whose anchoring values are all ≥ 0 (counts, latencies,
   * utilisation): it bins log(max(value, 0) + offset), the offset this fraction of the anchoring range,
   * so a rise from 0.1 to 0.6 is a new level even when spikes reach 90; the larger of the two novelties
   * scores. Default 0.01. Larger offsets make the log scale more like the linear one; 0 turns it off.
   */
  readonly noveltyLogOffset?: number;
  /**
   * Decades of evidence of a new level (a value far from every bin seen); a new
   * (previous bin, bin) context alone counts half. Default 20, above the 12 of the default alert.
   */
  readonly noveltyDecades?: number;
  /**
   * Points after an alert during which no further alert fires and `score` is 0, so one incident
   * raises one alert. Default 35. 0 turns suppression off.
   */
  readonly suppressPoints?: number;
  /**
   * Earlier residuals at least as large (to the decade of evidence) after which a residual is no longer
   * news: its evidence drops to its empirical tail among the points seen, so a spike the series has
   * already produced twice (a nightly job, a periodic burst) stops alerting. Default 2. 0 turns it off.
   */
  readonly residualRepeats?: number;
  /** Points learned before any score: the first results have score 0. Default 30. */
  readonly warmupPoints?: number;
  /**
   * Quantile of the absolute residual tracked to widen the scale of heavy-tailed series: the scale is
   * at least this quantile over the normal's. Default 0.9995. Lower widens the range on more series.
   */
  readonly tailQuantile?: number;
  /** Step size of that quantile's tracking, 0 < η ≤ 1. Default 0.05. */
  readonly tailRate?: number;
}

/** {@link DetectorOptions} with every default filled in. */
export type ResolvedDetectorOptions = { readonly [K in keyof DetectorOptions]-?: number };

/** The defaults of {@link DetectorOptions}. */
export const DETECTOR_DEFAULTS: ResolvedDetectorOptions = {
  levelAlpha: 0.2,
  seasonAlpha: 0.1,
  seasonMs: 86_400_000,
  seasonSlots: 144,
  scaleAlpha: 0.001,
  shortWindow: 2,
  longAlpha: 0.002,
  alertProbability: 1 - 1e-12,
  residualWeight: 0.7,
  noveltyBins: 80,
  noveltyAnchorPoints: 700,
  noveltyLogOffset: 0.01,
  noveltyDecades: 20,
  suppressPoints: 35,
  residualRepeats: 2,
  warmupPoints: 30,
  tailQuantile: 0.9995,
  tailRate: 0.05,
};

type Rule = (v: number) => boolean;
const fraction: Rule = (v) => v > 0 && v <= 1;
const count: Rule = (v) => Number.isInteger(v) && v >= 0;
const positiveCount: Rule = (v) => Number.isInteger(v) && v >= 1;
const RULES: Record<keyof DetectorOptions, [Rule, string]> = {
  levelAlpha: [fraction, 'a number in (0, 1]'],
  seasonAlpha: [fraction, 'a number in (0, 1]'],
  seasonMs: [(v) => Number.isFinite(v) && v >= 0, 'milliseconds ≥ 0 (0 turns the season off)'],
  seasonSlots: [positiveCount, 'an integer ≥ 1'],
  scaleAlpha: [fraction, 'a number in (0, 1]'],
  shortWindow: [positiveCount, 'an integer ≥ 1'],
  longAlpha: [fraction, 'a number in (0, 1]'],
  alertProbability: [(v) => v > 0.5 && v < 1, 'a probability in (0.5, 1)'],
  residualWeight: [fraction, 'a number in (0, 1]'],
  noveltyBins: [(v) => count(v) && v <= 1000, 'an integer from 0 (off) to 1000'],
  noveltyAnchorPoints: [positiveCount, 'an integer ≥ 1'],
  noveltyLogOffset: [(v) => v >= 0 && v <= 1, 'a fraction in [0, 1] (0 turns the log-scale novelty off)'],
  noveltyDecades: [(v) => Number.isFinite(v) && v >= 0, 'a number of decades ≥ 0'],
  suppressPoints: [count, 'an integer ≥ 0'],
  residualRepeats: [count, 'an integer ≥ 0 (0 turns the recurrence discount off)'],
  warmupPoints: [count, 'an integer ≥ 0'],
  tailQuantile: [(v) => v > 0.5 && v < 1, 'a probability in (0.5, 1)'],
  tailRate: [fraction, 'a number in (0, 1]'],
};

/**
 * Fills in the defaults and checks every option.
 * @throws EliteError `INVALID_OPTIONS` naming the first bad option and its allowed range.
 */
export function resolveDetectorOptions(options: DetectorOptions = {}): ResolvedDetectorOptions {
  const resolved: Record<string, number> = { ...DETECTOR_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const rule = RULES[key as keyof DetectorOptions];
    if (rule === undefined) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: unknown detector option "${key}"; see DetectorOptions.`, { field: key });
    }
    if (typeof value !== 'number' || !rule[0](value)) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: detector option ${key} must be ${rule[1]}, got ${String(value)}.`, {
        field: key,
      });
    }
    resolved[key] = value;
  }
  return resolved as ResolvedDetectorOptions;
}
