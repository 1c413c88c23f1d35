import { EliteError } from '../internal/errors.js';
import { normalQuantile } from './normal.js';
import { DAY_MS, HOUR_MS, namedSeries, WEEK_MS } from './series.js';
import { traffic } from './traffic.js';
import { fitGradientBoosting, type GradientBoostingOptions, quantile } from './trees/index.js';
import type { RegularSeries, SeriesPoint } from './types.js';

/** A validated history on its grid: epoch-ms timestamps and values (gaps already filled). */
interface Grid {
  t: Float64Array;
  v: Float64Array;
  stepMs: number;
}

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
  costUsd: number;
  /** Lower bound per level (`lower[80]`). */
  lower: Record<number, number>;
  upper: Record<number, number>;
}

/** The result of {@link cost}. */
export interface CostForecast {
  /** `horizonDays` consecutive 24-hour blocks starting at the step after the history's last point. */
  days: CostDay[];
  /** Sum of `days[].costUsd`. */
  total: number;
  averagePerDay: number;
  /** Bounds of the total per level: sums of the daily bounds (assumes errors of one sign over the horizon, so never too narrow). */
  totalLower: Record<number, number>;
  totalUpper: Record<number, number>;
  /** Impurity importance of each model feature, summing to 1, largest first. */
  featureImportance: Record<string, number>;
  /** `"7-Day Forecast: $142.50 (avg $20.36/day)"`. */
  summary: string;
  stepMs: number;
  /** Out-of-sample daily errors the intervals come from: folds run and the mean absolute daily error. */
  backtest: { folds: number; days: number; maeDailyUsd: number };
  /** Numerical caveats found while fitting (few backtest days, negative costs). */
  warnings: string[];
}

const DEFAULT_MODEL: GradientBoostingOptions = { nEstimators: 200, learningRate: 0.05, maxDepth: 3, minSamplesLeaf: 2 };
const MAX_FOLDS = 4;
const MIN_RESIDUAL_DAYS = 10;

/**
 * The default driver forecast: each future step repeats the value one week earlier (one day
 * earlier when the history is shorter than a week plus the horizon allows). Robust for traffic
 * with weekly seasonality; it ignores growth, so pass a trend-aware forecaster for growing load.
 */
export const seasonalNaiveDriver: DriverForecaster = (values, horizonSteps, { stepMs }) => {
  const week = Math.round(WEEK_MS / stepMs);
  const day = Math.max(1, Math.round(DAY_MS / stepMs));
  const period = values.length >= week ? week : values.length >= day ? day : 1;
  const out: number[] = [];
  for (let h = 0; h < horizonSteps; h++) out.push(values[values.length - period + (h % period)]!);
  return out;
};

/**
 * The default driver forecast: the mean of `traffic()` on the driver's history (automatic model
 * choice by backtest, so trends and daily/weekly seasonality are followed), falling back to
 * {@link seasonalNaiveDriver} when that history is too short for `traffic()` (three days at
 * sub-daily steps, twelve points at daily steps).
 */
export const trafficDriver: DriverForecaster = (values, horizonSteps, context) => {
  const { stepMs, endMs } = context;
  const series = { startMs: endMs - (values.length - 1) * stepMs, stepMs, values: Float64Array.from(values) };
  try {
    return traffic(series, { horizon: (horizonSteps * stepMs) / HOUR_MS, levels: [80] }).steps.map((s) => s.mean);
  } catch (error) {
    if (error instanceof EliteError && error.code === 'SERIES_TOO_SHORT') return seasonalNaiveDriver(values, horizonSteps, context);
    throw error;
  }
};

/**
 * Forecasts cost per day for the next `horizonDays` days from an hourly (or any step that
 * divides a day) or daily cost history, with gradient-boosted trees on calendar features
 * (UTC hour, day of week) and driver features. Intervals come from the model's own errors
 * in rolling-origin backtests (up to 4 folds of `horizonDays`, with drivers forecast as in
 * production), so they include the driver forecasts' error and are not assumed normal.
 *
 * The history and each driver are validated as `toSeries` does (short gaps filled by its rule)
 * and throw its codes: `SERIES_TOO_SHORT` (under 7 days), `SERIES_NON_FINITE`, `INVALID_TIMESTAMP`, `SERIES_UNSORTED`,
 * `SERIES_DUPLICATE_TIMESTAMP`, `SERIES_IRREGULAR_STEP` (also for a step that does not divide a
 * day, and for a driver whose grid differs from the history's). `INVALID_OPTIONS` for bad options
 * or a driver forecaster that returns the wrong number of values.
 *
 * @example
 * const result = cost(hourlyCost, { horizonDays: 7, drivers: { requests } });
 * result.summary; // "7-Day Forecast: $142.50 (avg $20.36/day)"
 */
export function cost(history: readonly SeriesPoint[] | RegularSeries, options: CostOptions = {}): CostForecast {
  const horizonDays = options.horizonDays ?? 7;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 366) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: horizonDays must be a whole number in 1…366, got ${String(horizonDays)}`, {
      field: 'horizonDays',
    });
  }
  const levels = checkLevels(options.levels ?? [80, 95]);
  const forecastDriver = options.forecastDriver ?? trafficDriver;
  if (typeof forecastDriver !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: forecastDriver must be a function (values, horizonSteps) => number[]', {
      field: 'forecastDriver',
    });
  }
  const series = toGrid(namedSeries(history, 'history'));
  const { stepMs } = series;
  if (stepMs > DAY_MS || DAY_MS % stepMs !== 0) {
    throw new EliteError(
      'SERIES_IRREGULAR_STEP',
      `elite/forecast: history's step must divide a day (hourly, daily, 15 min…), got ${stepMs} ms`,
      {
        field: 'history',
      },
    );
  }
  const perDay = DAY_MS / stepMs;
  const n = series.v.length;
  if (n < 7 * perDay) {
    throw new EliteError(
      'SERIES_TOO_SHORT',
      `elite/forecast: history needs at least 7 days (${7 * perDay} points at this step), got ${n}`,
      {
        field: 'history',
      },
    );
  }
  const drivers = checkDrivers(options.drivers, series);
  const names = featureNames(stepMs, drivers);
  const model = { ...DEFAULT_MODEL, ...options.model };
  const horizonSteps = horizonDays * perDay;
  const nonNegative = series.v.every((v) => v >= 0);
  const warnings: string[] = [];

  // Rolling-origin backtest: each fold trains on everything before its cut and forecasts the
  // next horizon as production would, driver forecasts included.
  const residuals: number[][] = [];
  for (let k = 1; k <= MAX_FOLDS; k++) {
    const cut = n - k * horizonSteps;
    if (cut < 7 * perDay) break;
    const predicted = forecastSteps(series, drivers, cut, horizonSteps, model, forecastDriver, nonNegative).values;
    const fold: number[] = [];
    for (let d = 0; d < horizonDays; d++) {
      let actual = 0;
      let pred = 0;
      for (let s = d * perDay; s < (d + 1) * perDay; s++) {
        actual += series.v[cut + s]!;
        pred += predicted[s]!;
      }
      fold.push(actual - pred);
    }
    residuals.push(fold);
  }

  const fitted = forecastSteps(series, drivers, n, horizonSteps, model, forecastDriver, nonNegative);
  const bounds = intervalOffsets(residuals, levels, warnings);
  const allDays = residuals.flat();
  const days: CostDay[] = [];
  const start = series.t[n - 1]! + stepMs;
  for (let d = 0; d < horizonDays; d++) {
    let sum = 0;
    for (let s = d * perDay; s < (d + 1) * perDay; s++) sum += fitted.values[s]!;
    const lower: Record<number, number> = {};
    const upper: Record<number, number> = {};
    for (const level of levels) {
      const [lo, hi] = bounds.get(level)!;
      lower[level] = nonNegative ? Math.max(0, sum + lo) : sum + lo;
      upper[level] = Math.max(lower[level], sum + hi);
    }
    const timestamp = start + d * DAY_MS;
    days.push({ date: new Date(timestamp).toISOString().slice(0, 10), timestamp, costUsd: sum, lower, upper });
  }
  if (!nonNegative) warnings.push('history has negative costs (credits?); bounds are not clipped at 0');

  const total = days.reduce((a, d) => a + d.costUsd, 0);
  const totalLower: Record<number, number> = {};
  const totalUpper: Record<number, number> = {};
  for (const level of levels) {
    totalLower[level] = days.reduce((a, d) => a + d.lower[level]!, 0);
    totalUpper[level] = days.reduce((a, d) => a + d.upper[level]!, 0);
  }
  const averagePerDay = total / horizonDays;
  const importance = names
    .map((name, i) => [name, fitted.importance[i]!] as const)
    .sort((a, b) => b[1] - a[1])
    .reduce<Record<string, number>>((acc, [name, v]) => {
      acc[name] = v;
      return acc;
    }, {});
  return {
    days,
    total,
    averagePerDay,
    totalLower,
    totalUpper,
    featureImportance: importance,
    summary: `${horizonDays}-Day Forecast: $${usd(total)} (avg $${usd(averagePerDay)}/day)`,
    stepMs,
    backtest: {
      folds: residuals.length,
      days: allDays.length,
      maeDailyUsd: allDays.length ? allDays.reduce((a, r) => a + Math.abs(r), 0) / allDays.length : Number.NaN,
    },
    warnings,
  };
}

/** `1234.5` → `"1,234.50"`. */
function usd(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function checkLevels(levels: number[]): number[] {
  if (!Array.isArray(levels) || levels.length === 0 || levels.some((l) => typeof l !== 'number' || !(l > 0 && l < 100))) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: levels must be percentages in (0, 100), such as [80, 95], got ${JSON.stringify(levels)}`,
      {
        field: 'levels',
      },
    );
  }
  return [...new Set(levels)].sort((a, b) => a - b);
}

interface Driver {
  name: string;
  v: Float64Array;
}

function toGrid(series: { startMs: number; stepMs: number; values: Float64Array }): Grid {
  const { startMs, stepMs, values } = series;
  return { t: Float64Array.from(values, (_, i) => startMs + i * stepMs), v: values, stepMs };
}

function checkDrivers(drivers: CostOptions['drivers'], history: Grid): Driver[] {
  if (drivers === undefined) return [];
  if (drivers === null || typeof drivers !== 'object' || Array.isArray(drivers)) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: drivers must be an object of named series, such as { requests: [...] }', {
      field: 'drivers',
    });
  }
  return Object.keys(drivers).map((name) => {
    const field = `drivers.${name}`;
    if (name === '' || CALENDAR_FEATURES.includes(name)) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/forecast: driver name "${name}" is empty or taken by a calendar feature (${CALENDAR_FEATURES.join(', ')})`,
        {
          field,
        },
      );
    }
    const series = namedSeries(drivers[name]!, field, { stepMs: history.stepMs, minLength: 2 });
    // A driver becomes a feature column: it must sit on the history's grid, point for point.
    if (series.values.length !== history.v.length || series.startMs !== history.t[0]) {
      throw new EliteError(
        'SERIES_IRREGULAR_STEP',
        `elite/forecast: ${field} must have exactly the history's timestamps (${history.v.length} points every ${history.stepMs} ms from ${new Date(history.t[0]!).toISOString()})`,
        { field },
      );
    }
    return { name, v: series.values };
  });
}

const CALENDAR_FEATURES = ['hourOfDay', 'dayOfWeek', 'dayOfMonth', 'trend'];

function featureNames(stepMs: number, drivers: Driver[]): string[] {
  const calendar = stepMs < DAY_MS ? ['hourOfDay', 'dayOfWeek'] : ['dayOfWeek', 'dayOfMonth'];
  // A tree cannot extrapolate a trend index; with no drivers it still lets the model follow
  // level shifts (the future falls in the last segment). With drivers, the drivers carry growth.
  return drivers.length ? [...calendar, ...drivers.map((d) => d.name)] : [...calendar, 'trend'];
}

function calendarRow(ms: number, stepMs: number, index: number, hasDrivers: boolean): number[] {
  const date = new Date(ms);
  const dow = (date.getUTCDay() + 6) % 7; // Monday = 0, as ISO 8601
  const row = stepMs < DAY_MS ? [date.getUTCHours() + date.getUTCMinutes() / 60, dow] : [dow, date.getUTCDate()];
  if (!hasDrivers) row.push(index);
  return row;
}

/** Fits on points [0, cut) and predicts `horizonSteps` steps from `cut`, clipping at 0 for non-negative costs. */
function forecastSteps(
  series: Grid,
  drivers: Driver[],
  cut: number,
  horizonSteps: number,
  model: GradientBoostingOptions,
  forecastDriver: DriverForecaster,
  nonNegative: boolean,
): { values: number[]; importance: Float64Array } {
  const { t, v, stepMs } = series;
  const has = drivers.length > 0;
  const x: number[][] = [];
  for (let i = 0; i < cut; i++) {
    const row = calendarRow(t[i]!, stepMs, i, has);
    for (const d of drivers) row.push(d.v[i]!);
    x.push(row);
  }
  const fit = fitGradientBoosting(x, v.subarray(0, cut), model);
  const futureDrivers = drivers.map((d) => {
    const out = forecastDriver(Array.from(d.v.subarray(0, cut)), horizonSteps, { stepMs, endMs: t[cut - 1]! });
    if (!Array.isArray(out) || out.length !== horizonSteps || out.some((value) => !Number.isFinite(value))) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/forecast: forecastDriver must return ${horizonSteps} finite numbers for driver ${d.name}`,
        {
          field: 'forecastDriver',
        },
      );
    }
    return out;
  });
  const values: number[] = [];
  for (let h = 0; h < horizonSteps; h++) {
    const row = calendarRow(t[cut - 1]! + (h + 1) * stepMs, stepMs, cut + h, has);
    for (const f of futureDrivers) row.push(f[h]!);
    const y = fit.predictOne(row);
    values.push(nonNegative ? Math.max(0, y) : y);
  }
  return { values, importance: fit.featureImportance };
}

/**
 * Offsets [low, high] to add to a daily forecast for each level, from backtest residuals
 * grouped by fold. Days of one fold share its error (a level shift since training), so a few
 * folds see few independent errors and their days' empirical quantiles alone come out too narrow
 * (about 65 % coverage at the 80 % level on a drifting synthetic series with 4 folds). Besides
 * those quantiles, a normal interval on the between-fold spread (inflated by 1 + 1/folds, the
 * error of estimating it) plus the within-fold spread is computed, and the wider bound of the
 * two is used: about 81 % and 95 % coverage on the drifting series with the default driver
 * forecaster (78 % and 93 % with the seasonal naive one), 86 % and 97 % on a stationary one
 * (test/forecast/cost-calibration.test.ts, bench/cost-drivers.mjs).
 */
function intervalOffsets(folds: number[][], levels: number[], warnings: string[]): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const all = folds.flat();
  const n = all.length;
  const K = folds.length;
  const mean = n ? all.reduce((a, r) => a + r, 0) / n : 0;
  if (K >= 2) {
    const means = folds.map((f) => f.reduce((a, r) => a + r, 0) / f.length);
    const between = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (K - 1);
    let within = 0;
    folds.forEach((f, k) => {
      for (const r of f) within += (r - means[k]!) ** 2;
    });
    within = n > K ? within / (n - K) : 0;
    const sd = Math.sqrt(between * (1 + 1 / K) + within);
    for (const level of levels) {
      const tail = (1 - level / 100) / 2;
      const t = normalQuantile(1 - tail) * sd;
      const lo = Math.min(mean - t, n >= MIN_RESIDUAL_DAYS ? quantile(all, tail) : Number.POSITIVE_INFINITY);
      const hi = Math.max(mean + t, n >= MIN_RESIDUAL_DAYS ? quantile(all, 1 - tail) : Number.NEGATIVE_INFINITY);
      out.set(level, [lo, hi]);
    }
    return out;
  }
  // One fold (or none): a normal interval on the days' spread, widened by the small-sample
  // factor 1 + 1/√n; said so in warnings.
  const sd = n > 1 ? Math.sqrt(all.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1)) : Math.abs(mean);
  warnings.push(
    `only ${K} backtest fold${K === 1 ? '' : 's'} (${n} out-of-sample days): give at least 7 days plus two horizons of history; intervals assume normal daily errors`,
  );
  for (const level of levels) {
    const z = normalQuantile(1 - (1 - level / 100) / 2) * (1 + 1 / Math.max(1, Math.sqrt(n)));
    out.set(level, [mean - z * sd, mean + z * sd]);
  }
  return out;
}
