/**
 * Types shared by the forecast module: input points, the regular series every model works on,
 * the model contract and the traffic forecast result.
 * @packageDocumentation
 */

/** A point in time: a `Date`, an ISO 8601 string, or epoch milliseconds. */
export type TimestampInput = Date | string | number;

/** One observation as callers hand it in. */
export interface SeriesPoint {
  /** When it was observed: a `Date`, an ISO 8601 string (UTC when it has no offset) or epoch ms. */
  timestamp: TimestampInput;
  /** The observed value; must be finite. */
  value: number;
}

/**
 * A validated series on a regular grid: `values[i]` is the observation at `startMs + i * stepMs`.
 * Built by `toSeries` (or `fromColumns`, `parseCsvSeries`); models never see gaps or NaN.
 */
export interface RegularSeries {
  /** Epoch milliseconds of `values[0]`. */
  startMs: number;
  /** Grid step in milliseconds (1 minute … 1 day). */
  stepMs: number;
  /** One finite value per grid step, gaps already filled. */
  values: Float64Array;
  /** 1 where a value was filled in by `fillGaps` (not observed). Absent when nothing was filled. */
  imputed?: Uint8Array;
}

/** Seasonal periods of a series, in steps (24 and 168 for hourly data). */
export interface SeasonalPeriods {
  /** Steps per day, when the step divides a day and at least two days are present. */
  daily?: number;
  /** Steps per week, when the step divides a week and at least two weeks are present. */
  weekly?: number;
}

/** What a model knows about the series besides its values. */
export interface ModelContext {
  /** Epoch milliseconds of the first value. */
  startMs: number;
  /** Grid step in milliseconds. */
  stepMs: number;
  /** Seasonal periods in steps, ascending (for hourly data over two weeks: `[24, 168]`). */
  periods: number[];
}

/** Additive components of a forecast, one value per future step; absent when a model has none. */
export interface ForecastComponents {
  /** The slow-moving level (growth or decline), in the units of the series. */
  trend: number[];
  /** The daily cycle's contribution (0 when the series has no daily period). */
  daily: number[];
  /** The weekly cycle's contribution (0 when the series has no weekly period). */
  weekly: number[];
}

/** What a model returns for one forecast. */
export interface ModelOutput {
  /** The point forecast, one value per future step. */
  mean: Float64Array;
  /** The additive decomposition of `mean`, for models that have one. */
  components?: ForecastComponents;
}

/**
 * The contract of a traffic model (one per file in `src/forecast/models/`): pure, deterministic,
 * no clock or I/O. `forecast` sees the first `values.length` points and predicts the next `horizon`.
 */
export interface Forecaster {
  /** Stable name, shown in results and benchmarks (`seasonal-naive-week`). */
  readonly name: string;
  /** Fewest points the model needs; `auto` skips it on shorter histories. */
  minLength(context: ModelContext): number;
  /** Forecasts the `horizon` steps after `values`; pure, so the same input gives the same output. */
  forecast(values: Float64Array, horizon: number, context: ModelContext): ModelOutput;
  /**
   * Optional fast path for rolling-origin backtests: the forecasts from every origin (each the
   * number of points seen; ascending, the last may be `values.length`), sharing work between them.
   * Settings that depend on the history length (changepoint positions) may be taken from the whole
   * of `values`, so results can differ slightly from `forecast` on each prefix.
   */
  forecastAtOrigins?(values: Float64Array, origins: number[], horizon: number, context: ModelContext): ModelOutput[];
}

/** Names of the built-in traffic models; `auto` combines them by backtest. */
export type TrafficModelName =
  | 'auto'
  | 'seasonal-naive-day'
  | 'seasonal-naive-week'
  | 'seasonal-mean'
  | 'seasonal-mean-8w'
  | 'seasonal-median'
  | 'seasonal-median-level'
  | 'prophet'
  | 'mstl-ets'
  | 'lag-regression';

/** Options of `forecast.traffic`. */
export interface TrafficOptions {
  /**
   * How far ahead: `'24h'`, `'90m'`, `'7d'` or a number of hours. Default `'24h'`. Rounded up to whole
   * steps of the series.
   */
  horizon?: string | number;
  /** Interval levels in percent, each in (0, 100). Default `[80, 95]`. */
  levels?: number[];
  /**
   * `'auto'` (default) backtests the models suited to the horizon and forecasts the mean of the (up to) three
   * with the lowest out-of-sample error, within 15% of the best (50% past a day); with less than three weeks of
   * history it uses `seasonal-naive-day` and sets `fallback`. A model name forces that model (still backtested,
   * for the intervals and `backtest` figures).
   */
  model?: TrafficModelName;
  /**
   * Rolling-origin backtest origins, one day apart, ending `horizon` before the last point. Default 7 up to a
   * day ahead, 14 past a day (the week-ahead intervals take the residual quantiles as they are, so they need more
   * residuals). More origins give steadier intervals and model weights and cost proportionally more time.
   */
  backtestOrigins?: number;
  /**
   * Factor on the interval half-widths found by the backtest. Default 1.2 up to a day ahead: the backtest's
   * last week resembles itself more than it resembles tomorrow, and on the benchmark panel the raw conformal
   * intervals covered 73% (80% level) and 91% (95% level) of what happened; ×1.2 gives 79% and 92%.
   * Past a day there is no constant: the per-step residual quantiles of 14 backtest origins, widened when the
   * history's newer origins erred more than its older ones' quantiles allow (by the square root of the needed
   * factor, never narrowed); 81% / 94% coverage on the tuning half of the panel's weekly tasks, 85% / 96% on the
   * held-out half. Setting this option replaces that with the given factor at every horizon.
   * Use 1 for the raw backtest quantiles; raise it when missing a peak costs more than idle capacity.
   */
  intervalWidening?: number;
}

/** The interval at one level for one step. */
export interface IntervalBounds {
  /** Lower bound, in the units of the series; never above the step's `mean`. */
  lower: number;
  /** Upper bound, in the units of the series; never below the step's `mean`. */
  upper: number;
}

/** One future step of a traffic forecast. */
export interface ForecastStep {
  /** When the step starts, on the series' grid after its last point. */
  timestamp: Date;
  /** The point forecast, in the units of the series. */
  mean: number;
  /** Interval bounds keyed by level (`bounds[80].lower`). */
  bounds: Record<number, IntervalBounds>;
}

/** Out-of-sample accuracy of the forecast as delivered, from the rolling-origin backtest. */
export interface BacktestSummary {
  /** Number of origins scored. */
  origins: number;
  /** Mean absolute error, in the units of the series. */
  mae: number;
  /** MAE divided by the in-sample MAE of the one-day seasonal naive forecast. */
  mase: number;
  /** Symmetric MAPE in percent (0–200). */
  smape: number;
  /** Per-model MASE from the same backtest, for every model tried. */
  models: Record<string, number>;
}

/**
 * Why `auto` forecast with a single fallback model instead of its usual combination (`TrafficForecast.fallback`).
 * `short-history`: less than three weeks of history (with a step that divides a day), too little for the weekly
 * models, so `auto` uses `seasonal-naive-day`. `models-failed`: every candidate gave a non-finite forecast.
 */
export interface TrafficFallback {
  /** The model the forecast comes from. */
  model: Exclude<TrafficModelName, 'auto'>;
  /** Machine-readable cause. */
  reason: 'short-history' | 'models-failed';
  /** The cause in words, with what to do about it. */
  message: string;
}

/** Result of `forecast.traffic`. */
export interface TrafficForecast {
  /** The model used: one name, or `ensemble(a+b+…)` when `auto` combined several. */
  model: string;
  /** Weight of each model in the forecast (sums to 1). */
  weights: Record<string, number>;
  /** Grid step of the series and of the forecast, ms. */
  stepMs: number;
  /** Interval levels in percent, as asked for (`[80, 95]` by default). */
  levels: number[];
  /** One entry per future step, in time order. */
  steps: ForecastStep[];
  /**
   * Additive components on the forecast steps: those of the highest-weighted model that has them
   * (Prophet-style or MSTL + ETS), else the MSTL + ETS decomposition.
   */
  components: ForecastComponents;
  /** How accurate this forecast was out of sample, from the rolling-origin backtest. */
  backtest: BacktestSummary;
  /** The last two weeks of history (or all of it), for plots. */
  history: {
    /** Epoch milliseconds of `values[0]`. */
    startMs: number;
    /** Grid step, ms. */
    stepMs: number;
    /** The observed (or gap-filled) values. */
    values: number[];
  };
  /**
   * Set when `auto` fell back to one simple model (too short a history, or every model failed); absent when
   * the usual backtested combination was used or a model was forced.
   */
  fallback?: TrafficFallback;
  /** Numerical trouble met while fitting (no exception for these). */
  warnings: string[];
}
