/** The options and result of `cost`, and the driver forecaster contract. */
import type { GradientBoostingOptions } from '../trees/index.js';
import type { RegularSeries, SeriesPoint } from '../types.js';

/**
 * Forecasts a driver series (requests, tokens, instance-hours) `horizonSteps` steps past its last
 * value. `values` are the driver's history at the cost history's step; `stepMs` is that step.
 * Must return `horizonSteps` finite numbers.
 */
export type DriverForecaster = (values: readonly number[], horizonSteps: number, context: { stepMs: number; endMs: number }) => number[];

/** Options of {@link cost}. */
export interface CostOptions {
  /** Days to forecast, 1…366. Default 7. */
  horizonDays?: number;
  /**
   * Series that drive the cost (`{ requests: [...], tokens: [...] }`), each with exactly the
   * history's timestamps. They become model features; their future values come from
   * `forecastDriver`. Without drivers the model uses the calendar and a trend index only.
   */
  drivers?: Record<string, readonly SeriesPoint[] | RegularSeries>;
  /** Interval levels in percent, each in (0, 100). Default [80, 95]. */
  levels?: number[];
  /**
   * How future driver values are obtained. Default {@link trafficDriver}: the driver's own traffic
   * forecast (`traffic()`'s mean), or the same hour one week earlier ({@link seasonalNaiveDriver})
   * when the driver's history is too short for `traffic()`. Pass `seasonalNaiveDriver` for the
   * cheapest forecast (about 5× faster `cost()` calls with drivers), or your own.
   */
  forecastDriver?: DriverForecaster;
  /** Tree-model settings. Default 200 trees, learning rate 0.05, depth 3, 2 rows per leaf. */
  model?: GradientBoostingOptions;
}

/** One forecast day: the sum of its steps, with interval bounds per level. */
export interface CostDay {
  /** UTC date of the day's first step, `YYYY-MM-DD`. */
  date: string;
  /** Epoch ms of the day's first step. */
  timestamp: number;
  /** Forecast cost of the day, USD. */
  costUsd: number;
  /** Lower bound per level (`lower[80]`). */
  lower: Record<number, number>;
  /** Upper bound per level (`upper[95]`). */
  upper: Record<number, number>;
}

/** The result of {@link cost}. */
export interface CostForecast {
  /** `horizonDays` consecutive 24-hour blocks starting at the step after the history's last point. */
  days: CostDay[];
  /** Sum of `days[].costUsd`. */
  total: number;
  /** `total` divided by the number of days, USD. */
  averagePerDay: number;
  /** Bounds of the total per level: sums of the daily bounds (assumes errors of one sign over the horizon, so never too narrow). */
  totalLower: Record<number, number>;
  /** Upper bound of the total per level. */
  totalUpper: Record<number, number>;
  /** Impurity importance of each model feature, summing to 1, largest first. */
  featureImportance: Record<string, number>;
  /** `"7-Day Forecast: $142.50 (avg $20.36/day)"`. */
  summary: string;
  /** Grid step of the cost history, ms. */
  stepMs: number;
  /** Out-of-sample daily errors the intervals come from. */
  backtest: {
    /** Backtest folds run. */
    folds: number;
    /** Out-of-sample days scored over all folds. */
    days: number;
    /** Mean absolute error of a day's total, USD. */
    maeDailyUsd: number;
  };
  /** Numerical caveats found while fitting (few backtest days, negative costs). */
  warnings: string[];
}
