/**
 * Forecast accuracy metrics, defined as in the M4 competition and the benchmark panel shipped in
 * `bench/forecast-accuracy/`: MASE, sMAPE, interval coverage, MSIS and the error of a period total.
 * @see https://www.sciencedirect.com/science/article/pii/S0169207019301128 (M4, MSIS)
 * @packageDocumentation
 */

/** Mean of `|y[t] − y[t − lag]|` over the series: the scale of MASE and MSIS (NaN when too short). */
export function seasonalNaiveMae(values: ArrayLike<number>, lag: number): number {
  let sum = 0;
  let count = 0;
  for (let t = lag; t < values.length; t++) {
    sum += Math.abs(values[t]! - values[t - lag]!);
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** One interval forecast for scoring. */
export interface ScoredInterval {
  /** The interval's level in percent (95 for the MSIS). */
  level: number;
  /** Lower bound per forecast step. */
  lower: ArrayLike<number>;
  /** Upper bound per forecast step. */
  upper: ArrayLike<number>;
}

/** Input of {@link scoreForecast}. */
export interface ScoreInput {
  /** The training window (for the MASE/MSIS scale). */
  train: ArrayLike<number>;
  /** What happened, one value per forecast step. */
  actual: ArrayLike<number>;
  /** The point forecast, as long as `actual`. */
  forecast: ArrayLike<number>;
  /** 1 for steps that are not scored (filled-in values). */
  skip?: ArrayLike<number>;
  /** Interval forecasts to score for coverage (and the 95% one for MSIS). */
  intervals?: ScoredInterval[];
  /** Seasonal lag of the scale. Default 24. */
  seasonalLag?: number;
}

/** Scores of one forecast; interval scores are present only when intervals were given. */
export interface Scores {
  /** Mean absolute error over the scored steps, in the units of the series. */
  mae: number;
  /** MAE over the in-sample seasonal-naive MAE of the training window. */
  mase: number;
  /** Mean of `200·|y − f| / (|y| + |f|)` (0 when both are 0), percent. */
  smape: number;
  /** Fraction of scored steps inside the interval, by level. */
  coverage: Record<number, number>;
  /** Mean scaled interval score of the 95% interval (M4), when a 95% interval was given. */
  msis?: number;
  /** Absolute percent error of the forecast total over the scored steps. */
  totalApe: number;
  /** Steps scored (those not marked in `skip`). */
  scored: number;
}

/** MASE, sMAPE, coverage, MSIS and total APE of one forecast against what happened. */
export function scoreForecast(input: ScoreInput): Scores {
  const { actual, forecast, skip } = input;
  const scale = seasonalNaiveMae(input.train, input.seasonalLag ?? 24);
  let abs = 0;
  let sm = 0;
  let sumY = 0;
  let sumF = 0;
  let scored = 0;
  const inside = new Map<number, number>();
  let msisSum = 0;
  const i95 = input.intervals?.find((i) => i.level === 95);
  for (let k = 0; k < actual.length; k++) {
    if (skip?.[k]) continue;
    const y = actual[k]!;
    const f = forecast[k]!;
    abs += Math.abs(y - f);
    const den = Math.abs(y) + Math.abs(f);
    sm += den === 0 ? 0 : (200 * Math.abs(y - f)) / den;
    sumY += y;
    sumF += f;
    scored++;
    for (const iv of input.intervals ?? []) {
      if (y >= iv.lower[k]! && y <= iv.upper[k]!) inside.set(iv.level, (inside.get(iv.level) ?? 0) + 1);
    }
    if (i95 !== undefined) {
      const lo = i95.lower[k]!;
      const hi = i95.upper[k]!;
      const alpha = 0.05;
      msisSum += hi - lo + (y < lo ? (2 / alpha) * (lo - y) : 0) + (y > hi ? (2 / alpha) * (y - hi) : 0);
    }
  }
  const coverage: Record<number, number> = {};
  for (const iv of input.intervals ?? []) coverage[iv.level] = (inside.get(iv.level) ?? 0) / scored;
  const scores: Scores = {
    mae: abs / scored,
    mase: abs / scored / scale,
    smape: sm / scored,
    coverage,
    totalApe: (100 * Math.abs(sumF - sumY)) / Math.abs(sumY),
    scored,
  };
  if (i95 !== undefined) scores.msis = msisSum / scored / scale;
  return scores;
}
