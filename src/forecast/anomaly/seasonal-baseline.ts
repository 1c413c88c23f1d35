import type { ResolvedDetectorOptions } from './detector-options.js';

/** σ of a normal residual from its mean absolute value: √(π/2). */
const MAE_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** The learned baseline: a level, one offset per seasonal slot, and the residual scale. Plain data, so it serialises. */
export interface BaselineState {
  /** Points learned. */
  n: number;
  /** The smoothed level of the series. */
  level: number;
  /** Offset of each slot from the level. */
  season: number[];
  /** Whether each slot has been seen. */
  seen: boolean[];
  /** Smoothed absolute one-step error of the plain level, compared with `seasonError` to choose between them. */
  levelError: number;
  /** Smoothed absolute one-step error of the seasonal forecast. */
  seasonError: number;
  /** Smoothed absolute residual of the forecast in use. */
  meanAbsResidual: number;
  /** Smoothed absolute value, to floor the residual scale on flat series. */
  meanAbsValue: number;
  /** Running estimate of the residual's `tailQuantile` quantile, so heavy-tailed series get a wider range. */
  tailResidual: number;
}

/** The one-step forecast of a point. */
export interface PointForecast {
  /** The forecast value. */
  readonly mean: number;
  /** σ of the predictive distribution (normal). */
  readonly sigma: number;
  /** The seasonal slot of the timestamp, or −1 without a season. */
  readonly slot: number;
  /** The plain level's mean, scored against the seasonal one once the value is known. */
  readonly levelMean: number;
  /** The seasonal forecast's mean. */
  readonly seasonMean: number;
}

/** An empty baseline for the given options. */
export function createBaseline(options: ResolvedDetectorOptions): BaselineState {
  const slots = options.seasonMs > 0 ? options.seasonSlots : 0;
  return {
    n: 0,
    level: 0,
    season: new Array<number>(slots).fill(0),
    seen: new Array<boolean>(slots).fill(false),
    levelError: 0,
    seasonError: 0,
    meanAbsResidual: 0,
    meanAbsValue: 0,
    tailResidual: 0,
  };
}

/** The forecast of the value at `timestampMs` from the points learned so far. */
export function forecastPoint(state: BaselineState, options: ResolvedDetectorOptions, timestampMs: number, tailZ: number): PointForecast {
  let slot = -1;
  if (state.season.length > 0) {
    const phase = (((timestampMs % options.seasonMs) + options.seasonMs) % options.seasonMs) / options.seasonMs;
    slot = Math.min(state.season.length - 1, Math.floor(phase * state.season.length));
  }
  const levelMean = state.level;
  const seasonMean = slot >= 0 && state.seen[slot] ? state.level + (state.season[slot] as number) : state.level;
  // The seasonal forecast earns its place: it is used only while its recent error is the lower one.
  const mean = state.seasonError < state.levelError ? seasonMean : levelMean;
  // The scale is the larger of the mean-absolute one and the one implied by the tail quantile: heavy
  // tails (bursty counts) widen the range instead of firing on every burst.
  // Flat series have no residual: a floor relative to the values' size keeps z finite and lets a step still show.
  const floor = 1e-3 * state.meanAbsValue + 1e-9;
  const sigma = Math.max(state.meanAbsResidual * MAE_TO_SIGMA, state.tailResidual / tailZ, floor);
  return { mean, sigma, slot, levelMean, seasonMean };
}

/** Learns the observed value `x` after its forecast `f`. O(1). */
export function learnPoint(state: BaselineState, options: ResolvedDetectorOptions, f: PointForecast, x: number): void {
  if (state.n === 0) {
    state.level = x;
    state.meanAbsValue = Math.abs(x);
    state.n = 1;
    return;
  }
  const a = options.scaleAlpha;
  const residual = Math.abs(x - f.mean);
  // Clip what one point can add to the scale, so a single spike does not blind the detector for long.
  const cap = 6 * Math.max(state.meanAbsResidual, 1e-3 * state.meanAbsValue + 1e-9);
  state.meanAbsResidual += a * ((state.n < 10 ? residual : Math.min(residual, cap)) - state.meanAbsResidual);
  state.meanAbsValue += a * (Math.abs(x) - state.meanAbsValue);
  // Stochastic quantile tracking: a step up on an exceedance, a small one down otherwise, balanced
  // where a fraction 1 − q of residuals exceed it. O(1), no window kept.
  const q = options.tailQuantile;
  if (state.tailResidual === 0) state.tailResidual = residual;
  else if (residual > state.tailResidual) state.tailResidual *= 1 + options.tailRate * q;
  else state.tailResidual *= 1 - options.tailRate * (1 - q);
  state.levelError += a * (Math.abs(x - f.levelMean) - state.levelError);
  state.seasonError += a * (Math.abs(x - f.seasonMean) - state.seasonError);
  const offset = f.slot >= 0 && state.seen[f.slot] ? (state.season[f.slot] as number) : 0;
  const previousLevel = state.level;
  state.level += options.levelAlpha * (x - offset - state.level);
  if (f.slot >= 0) {
    if (state.seen[f.slot]) state.season[f.slot] = offset + options.seasonAlpha * (x - previousLevel - offset);
    else {
      state.season[f.slot] = x - previousLevel;
      state.seen[f.slot] = true;
    }
  }
  state.n++;
}
