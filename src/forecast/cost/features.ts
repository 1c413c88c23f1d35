/**
 * The model's features: the history and drivers on one grid, calendar columns (UTC hour and day
 * of week, or day of week and month at daily steps), a trend index without drivers, and the fit
 * and forecast of the tree model from one cut of that table.
 */
import { EliteError } from '../../internal/errors.js';
import { DAY_MS, namedSeries } from '../series.js';
import { fitGradientBoosting, type GradientBoostingOptions } from '../trees/index.js';
import type { CostOptions, DriverForecaster } from './types.js';

/** A validated history on its grid: epoch-ms timestamps and values (gaps already filled). */
export interface Grid {
  /** Epoch ms of each step. */
  t: Float64Array;
  /** Value of each step. */
  v: Float64Array;
  /** Grid step, ms. */
  stepMs: number;
}

/** A driver series aligned with the cost history's grid. */
export interface Driver {
  /** The driver's name, as keyed in `drivers`; also its feature name. */
  name: string;
  /** One value per step of the history grid. */
  v: Float64Array;
}

/** The {@link Grid} of a regular series. */
export function toGrid(series: { startMs: number; stepMs: number; values: Float64Array }): Grid {
  const { startMs, stepMs, values } = series;
  return { t: Float64Array.from(values, (_, i) => startMs + i * stepMs), v: values, stepMs };
}

/**
 * The `drivers` option as series on the history's grid. Throws `INVALID_OPTIONS` for a
 * non-object or a name taken by a calendar feature, and `SERIES_IRREGULAR_STEP` for a driver
 * whose timestamps are not exactly the history's.
 */
export function checkDrivers(drivers: CostOptions['drivers'], history: Grid): Driver[] {
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

/** The model's feature columns, in order: calendar features for the step, the trend, then each driver. */
export function featureNames(stepMs: number, drivers: Driver[]): string[] {
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
export function forecastSteps(
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
