/**
 * `cost`: the daily cost forecast, from a cost history and optional drivers, with intervals
 * from rolling-origin backtests; and the two ready-made driver forecasters.
 */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { checkHorizonSteps, DAY_MS, HOUR_MS, namedSeries, WEEK_MS } from '../series.js';
import { traffic } from '../traffic.js';
import type { GradientBoostingOptions } from '../trees/index.js';
import type { RegularSeries, SeriesPoint } from '../types.js';
import { checkDrivers, featureNames, forecastSteps, toGrid } from './features.js';
import { intervalOffsets } from './intervals.js';
import type { CostDay, CostForecast, CostOptions, DriverForecaster } from './types.js';

const DEFAULT_MODEL: GradientBoostingOptions = { nEstimators: 200, learningRate: 0.05, maxDepth: 3, minSamplesLeaf: 2 };
const MAX_FOLDS = 4;

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
  checkOptionsObject(options);
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
  const horizonSteps = checkHorizonSteps(horizonDays * perDay, 'horizonDays');
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
