/**
 * Series input: timestamps in any of three forms, validation with typed errors, a regular grid,
 * short-gap filling, resampling, and detection of the step and of daily/weekly seasonality.
 *
 * Pure: no clock, no I/O. Every function returns new arrays and never mutates its input.
 * @packageDocumentation
 */

import { EliteError } from '../internal/errors.js';
import { checkOptionsObject } from './options.js';
import type { RegularSeries, SeasonalPeriods, SeriesPoint, TimestampInput } from './types.js';

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;
/** One day in milliseconds (UTC days: no daylight-saving shifts). */
export const DAY_MS = 86_400_000;
/** One week in milliseconds. */
export const WEEK_MS = 7 * DAY_MS;

// ISO date-times without an offset ("2015-01-27T00:00:00") are UTC here; `Date.parse` would read
// them in the machine's zone, so the same file would give other grids on other servers.
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * The last instant a JavaScript `Date` can hold (±100,000,000 days from the epoch, ECMA-262
 * §21.4.1.1). A timestamp or a forecast step past it has no date: `toISOString()` would throw a
 * `RangeError`, so it is refused up front with `INVALID_TIMESTAMP`.
 */
export const MAX_TIMESTAMP_MS = 8.64e15;

/**
 * Most steps a forecast may look ahead: 10,000. That covers a year of hourly steps (8,784, the
 * longest cost horizon, 366 days) and five weeks of 5-minute steps, and keeps one `traffic()`
 * call near half a second. Farther out, seasonal models only repeat their last season and the
 * backtested intervals (a few days of origins) say nothing; without a bound, `horizon: 1e6`
 * runs for minutes. Beyond it: `INVALID_OPTIONS`; resample to a coarser step instead.
 */
export const MAX_HORIZON_STEPS = 10_000;

// Most grid points a series may span, gaps included (≈ 19 years of minutes): the grid is one
// Float64Array, and a few stray points far apart would otherwise ask for terabytes.
const MAX_GRID_POINTS = 10_000_000;

/** Throws `INVALID_OPTIONS` when `steps` is past {@link MAX_HORIZON_STEPS}. */
export function checkHorizonSteps(steps: number, field = 'horizon'): number {
  if (!(steps <= MAX_HORIZON_STEPS)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: ${field} is ${String(steps)} steps ahead, more than the ${MAX_HORIZON_STEPS} allowed; shorten it or resample to a coarser step`,
      { field },
    );
  }
  return steps;
}

/** Throws `INVALID_TIMESTAMP` when a forecast of `steps` after `lastMs` would end past {@link MAX_TIMESTAMP_MS}. */
export function checkForecastEnd(lastMs: number, stepMs: number, steps: number, field = 'horizon'): void {
  const endMs = lastMs + steps * stepMs;
  if (!(Math.abs(endMs) <= MAX_TIMESTAMP_MS)) {
    throw new EliteError(
      'INVALID_TIMESTAMP',
      `elite/forecast: the forecast would end past the last date JavaScript can represent (±8.64e15 ms from 1970); check the series' timestamps`,
      { field },
    );
  }
}

/**
 * Epoch milliseconds of a `Date`, ISO 8601 string or epoch-ms number.
 * Strings without an offset are read as UTC. Throws `INVALID_TIMESTAMP` for anything else,
 * including numbers past ±{@link MAX_TIMESTAMP_MS} (no date exists there).
 */
export function toEpochMs(timestamp: TimestampInput, field = 'timestamp'): number {
  let ms: number;
  if (timestamp instanceof Date) ms = timestamp.getTime();
  else if (typeof timestamp === 'number') ms = timestamp;
  else if (typeof timestamp === 'string') {
    const text = timestamp.trim();
    ms = Date.parse(ISO_WITHOUT_ZONE.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  } else ms = Number.NaN;
  if (!(Math.abs(ms) <= MAX_TIMESTAMP_MS)) {
    throw new EliteError(
      'INVALID_TIMESTAMP',
      `elite/forecast: ${field} must be a valid Date, an ISO 8601 string or epoch milliseconds (±8.64e15)`,
      {
        field,
      },
    );
  }
  return ms;
}

/** Options of {@link toSeries}. */
export interface ToSeriesOptions {
  /** Grid step in ms. Default: detected from the data ({@link detectStep}). */
  stepMs?: number;
  /**
   * Longest run of missing grid points that is filled in (see {@link fillGaps} for the rule); a longer
   * gap throws `SERIES_IRREGULAR_STEP`. Default: a quarter of a day in steps (6 for hourly data), at
   * least 1. `0` makes any gap an error.
   */
  maxGapSteps?: number;
  /** Fewest points accepted. Default 2. */
  minLength?: number;
}

/**
 * Validates points and puts them on a regular grid.
 *
 * Throws `EliteError` with code `SERIES_TOO_SHORT` (fewer than `minLength` points),
 * `SERIES_NON_FINITE` (NaN or ±Infinity value), `INVALID_TIMESTAMP`, `SERIES_UNSORTED`,
 * `SERIES_DUPLICATE_TIMESTAMP`, or `SERIES_IRREGULAR_STEP` (a spacing that is not a whole number of
 * steps, or a gap longer than `maxGapSteps`). Short gaps are filled and flagged in `imputed`.
 * @example
 * const series = toSeries([{ timestamp: '2026-01-01T00:00:00Z', value: 12 }, { timestamp: '2026-01-01T01:00:00Z', value: 15 }]);
 */
export function toSeries(points: readonly SeriesPoint[], options: ToSeriesOptions = {}): RegularSeries {
  checkOptionsObject(options);
  if (!Array.isArray(points)) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: series must be an array of { timestamp, value }');
  }
  const timestamps = new Array<number>(points.length);
  const values = new Array<number>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as SeriesPoint | undefined;
    if (p === null || typeof p !== 'object') {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: series[${i}] must be an object { timestamp, value }`, { field: `[${i}]` });
    }
    timestamps[i] = toEpochMs(p.timestamp, `[${i}].timestamp`);
    values[i] = p.value;
  }
  return fromColumns(timestamps, values, options);
}

/**
 * Same as {@link toSeries} for two parallel columns (as read from a CSV or a database).
 * Throws as `toSeries` does, and `INVALID_OPTIONS` when the columns differ in length.
 */
export function fromColumns(
  timestamps: readonly TimestampInput[],
  values: readonly number[] | Float64Array,
  options: ToSeriesOptions = {},
): RegularSeries {
  if (timestamps.length !== values.length) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: timestamps and values must have the same length, got ${timestamps.length} and ${values.length}`,
    );
  }
  const minLength = options.minLength ?? 2;
  if (timestamps.length < minLength) {
    throw new EliteError('SERIES_TOO_SHORT', `elite/forecast: the series needs at least ${minLength} points, got ${timestamps.length}`);
  }
  const ms = new Float64Array(timestamps.length);
  for (let i = 0; i < timestamps.length; i++) {
    ms[i] = toEpochMs(timestamps[i] as TimestampInput, `[${i}].timestamp`);
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new EliteError('SERIES_NON_FINITE', `elite/forecast: value at ${i} must be a finite number, got ${String(v)}`, {
        field: `[${i}].value`,
      });
    }
    if (i > 0) {
      const d = ms[i]! - ms[i - 1]!;
      if (d === 0) {
        throw new EliteError('SERIES_DUPLICATE_TIMESTAMP', `elite/forecast: timestamp at ${i} repeats the one before; aggregate first`, {
          field: `[${i}].timestamp`,
        });
      }
      if (d < 0) {
        throw new EliteError(
          'SERIES_UNSORTED',
          `elite/forecast: timestamps must increase; ${i} is earlier than ${i - 1}. Sort the points`,
          {
            field: `[${i}].timestamp`,
          },
        );
      }
    }
  }
  const stepMs = options.stepMs ?? detectStep(ms);
  if (!Number.isFinite(stepMs) || stepMs <= 0) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: stepMs must be a positive number of milliseconds, got ${stepMs}`);
  }
  const maxGap = options.maxGapSteps ?? Math.max(1, Math.floor(DAY_MS / 4 / stepMs));
  const startMs = ms[0]!;
  const last = ms[ms.length - 1]!;
  const length = Math.round((last - startMs) / stepMs) + 1;
  // n points leave at most n - 1 gaps of maxGap each: more grid points means a gap too long.
  if (length > MAX_GRID_POINTS || length - ms.length > (ms.length - 1) * maxGap) {
    throw new EliteError(
      'SERIES_IRREGULAR_STEP',
      `elite/forecast: ${ms.length} points every ${stepMs} ms span ${length} steps: a gap is longer than maxGapSteps (${maxGap}) or the grid is past ${MAX_GRID_POINTS} points; fill, cut or resample the series`,
    );
  }
  const grid = new Float64Array(length);
  const seen = new Uint8Array(length);
  for (let i = 0; i < ms.length; i++) {
    const k = (ms[i]! - startMs) / stepMs;
    const index = Math.round(k);
    if (Math.abs(k - index) > 1e-6) {
      throw new EliteError(
        'SERIES_IRREGULAR_STEP',
        `elite/forecast: point ${i} is off the ${stepMs} ms grid; resample the series to a regular step first`,
        { field: `[${i}].timestamp` },
      );
    }
    grid[index] = values[i] as number;
    seen[index] = 1;
  }
  if (length === ms.length) return { startMs, stepMs, values: grid };
  let run = 0;
  for (let i = 0; i < length; i++) {
    run = seen[i] ? 0 : run + 1;
    if (run > maxGap) {
      throw new EliteError(
        'SERIES_IRREGULAR_STEP',
        `elite/forecast: ${run}+ missing steps before ${new Date(startMs + (i + 1) * stepMs).toISOString()}, more than maxGapSteps (${maxGap}); fill or cut the series`,
      );
    }
  }
  const imputed = new Uint8Array(length);
  for (let i = 0; i < length; i++) imputed[i] = seen[i] ? 0 : 1;
  return fillGaps({ startMs, stepMs, values: grid, imputed });
}

/**
 * The step of sorted epoch-ms timestamps: the most common positive spacing (ties go to the smaller).
 * Gaps (multiples of the step) do not change it. Throws `SERIES_TOO_SHORT` with fewer than 2 points.
 */
export function detectStep(timestampsMs: ArrayLike<number>): number {
  if (timestampsMs.length < 2)
    throw new EliteError('SERIES_TOO_SHORT', 'elite/forecast: at least 2 timestamps are needed to find the step');
  const counts = new Map<number, number>();
  for (let i = 1; i < timestampsMs.length; i++) {
    const d = timestampsMs[i]! - timestampsMs[i - 1]!;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = Number.NaN;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/**
 * Fills the points flagged in `series.imputed` (values there are ignored), by the rule the
 * benchmark panel uses: the value one week earlier when it was observed, else one day earlier,
 * else linear interpolation between the nearest observed neighbours (the nearest one at either
 * end). Weekly and daily lags apply only when the step divides a day. Returns a new series.
 */
export function fillGaps(series: RegularSeries): RegularSeries {
  const { values, imputed, stepMs } = series;
  const out = Float64Array.from(values);
  if (imputed === undefined) return { ...series, values: out };
  const mask = Uint8Array.from(imputed);
  const day = DAY_MS % stepMs === 0 ? DAY_MS / stepMs : 0;
  const n = out.length;
  const filled = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    if (day > 0 && i - 7 * day >= 0 && !mask[i - 7 * day]) out[i] = out[i - 7 * day]!;
    else if (day > 0 && i - day >= 0 && !mask[i - day]) out[i] = out[i - day]!;
    else continue;
    filled[i] = 1;
  }
  for (let i = 0; i < n; i++) {
    if (!mask[i] || filled[i]) continue;
    let a = i - 1;
    while (a >= 0 && mask[a] && !filled[a]) a--;
    let b = i + 1;
    while (b < n && mask[b] && !filled[b]) b++;
    if (a < 0 && b >= n) throw new EliteError('SERIES_TOO_SHORT', 'elite/forecast: the series has no observed value');
    if (a < 0) out[i] = out[b]!;
    else if (b >= n) out[i] = out[a]!;
    else out[i] = out[a]! + ((out[b]! - out[a]!) * (i - a)) / (b - a);
  }
  return { ...series, values: out, imputed: mask };
}

/**
 * Aggregates a series to a coarser step that is a whole multiple of its own: `'sum'` for counts
 * (requests, tokens), `'mean'` for levels (utilisation, prices). Buckets are aligned to multiples of
 * `stepMs` since the epoch (UTC midnight for hours and days); a partial first or last bucket is
 * dropped so every value covers a full step. Throws `INVALID_OPTIONS` for a step that is not a
 * multiple, and `SERIES_TOO_SHORT` when no full bucket remains.
 */
export function resample(series: RegularSeries, stepMs: number, how: 'sum' | 'mean'): RegularSeries {
  const ratio = stepMs / series.stepMs;
  if (!Number.isInteger(ratio) || ratio < 1) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: resample step must be a whole multiple of the series step (${series.stepMs} ms), got ${stepMs}`,
    );
  }
  if (how !== 'sum' && how !== 'mean')
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: resample how must be 'sum' or 'mean', got ${String(how)}`);
  const firstBucket = Math.ceil(series.startMs / stepMs) * stepMs;
  const offset = Math.round((firstBucket - series.startMs) / series.stepMs);
  const buckets = Math.floor((series.values.length - offset) / ratio);
  if (buckets < 1) throw new EliteError('SERIES_TOO_SHORT', 'elite/forecast: the series is shorter than one full bucket of the new step');
  const out = new Float64Array(buckets);
  const imputed = series.imputed === undefined ? undefined : new Uint8Array(buckets);
  for (let b = 0; b < buckets; b++) {
    let sum = 0;
    for (let k = 0; k < ratio; k++) {
      const i = offset + b * ratio + k;
      sum += series.values[i]!;
      if (imputed !== undefined && series.imputed![i]) imputed[b] = 1;
    }
    out[b] = how === 'sum' ? sum : sum / ratio;
  }
  return imputed === undefined ? { startMs: firstBucket, stepMs, values: out } : { startMs: firstBucket, stepMs, values: out, imputed };
}

/** Autocorrelation of `values` at `lag` (0 for a constant series). */
export function autocorrelation(values: ArrayLike<number>, lag: number): number {
  const n = values.length;
  if (lag <= 0 || lag >= n) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let den = 0;
  for (let i = 0; i < n; i++) den += (values[i]! - mean) ** 2;
  if (den === 0) return 0;
  let num = 0;
  for (let i = lag; i < n; i++) num += (values[i]! - mean) * (values[i - lag]! - mean);
  return num / den;
}

/**
 * The daily and weekly periods of a series, in steps, from the calendar and the data: a period is
 * reported when the step divides it, the series covers at least two of them, and the autocorrelation
 * at that lag is at least `minAutocorrelation` (default 0.2).
 */
export function detectSeasonality(series: RegularSeries, minAutocorrelation = 0.2): SeasonalPeriods {
  const out: SeasonalPeriods = {};
  const check = (periodMs: number): number | undefined => {
    if (periodMs % series.stepMs !== 0) return undefined;
    const p = periodMs / series.stepMs;
    if (p < 2 || series.values.length < 2 * p) return undefined;
    return autocorrelation(series.values, p) >= minAutocorrelation ? p : undefined;
  };
  const daily = check(DAY_MS);
  const weekly = check(WEEK_MS);
  if (daily !== undefined) out.daily = daily;
  if (weekly !== undefined) out.weekly = weekly;
  return out;
}

/**
 * Seasonal periods the models use: daily and weekly whenever the step divides them and the
 * history holds two full cycles (no autocorrelation test: a model weighs a weak season itself).
 */
export function calendarPeriods(length: number, stepMs: number): number[] {
  const periods: number[] = [];
  for (const periodMs of [DAY_MS, WEEK_MS]) {
    if (periodMs % stepMs !== 0) continue;
    const p = periodMs / stepMs;
    if (p >= 2 && length >= 2 * p) periods.push(p);
  }
  return periods;
}

/**
 * Parses a horizon (`'24h'`, `'90m'`, `'7d'`, `'1w'`, or a number of hours) into steps of `stepMs`,
 * rounded up. Throws `INVALID_OPTIONS` for anything else, a non-positive horizon, or one past
 * {@link MAX_HORIZON_STEPS} steps.
 */
export function horizonSteps(horizon: string | number, stepMs: number): number {
  let ms: number;
  if (typeof horizon === 'number') ms = horizon * HOUR_MS;
  else {
    const m = typeof horizon === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(m|h|d|w)\s*$/i.exec(horizon) : null;
    if (m === null) ms = Number.NaN;
    else {
      const unit = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS }[(m[2] as string).toLowerCase() as 'm' | 'h' | 'd' | 'w'];
      ms = Number(m[1]) * unit;
    }
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: horizon must be like '24h', '90m', '7d' or a number of hours > 0, got ${typeof horizon === 'string' || typeof horizon === 'number' ? String(horizon) : typeof horizon}`,
      {
        field: 'horizon',
      },
    );
  }
  return checkHorizonSteps(Math.ceil(ms / stepMs - 1e-9));
}

/** True for a `RegularSeries` (`{ startMs, stepMs, values }`), false for an array of points. */
export function isRegularSeries(input: unknown): input is RegularSeries {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && (input as RegularSeries).values !== undefined;
}

/**
 * The timestamps of a `RegularSeries` built elsewhere, after checking its shape: `values` an array
 * (or Float64Array) of at most {@link MAX_GRID_POINTS} entries, `startMs` and `stepMs` finite. A
 * hostile `{ values: { length: 1e10 } }` would otherwise throw a `RangeError` or run for minutes.
 * @internal
 */
export function regularSeriesTimestamps(series: RegularSeries): number[] {
  const { startMs, stepMs, values } = series;
  if (!(Array.isArray(values) || values instanceof Float64Array) || values.length > MAX_GRID_POINTS) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: a series' values must be an array of at most ${MAX_GRID_POINTS} numbers`, {
      field: 'values',
    });
  }
  if (typeof stepMs !== 'number' || !Number.isFinite(stepMs) || stepMs <= 0) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: stepMs must be a positive number of milliseconds, got ${String(stepMs)}`, {
      field: 'stepMs',
    });
  }
  return Array.from(values, (_, i) => startMs + i * stepMs);
}

/**
 * {@link toSeries} for a named argument of a larger call (`history`, `drivers.requests`): the same
 * checks and codes, with the name in the message and the `field` (`history[5].value`), so one
 * validation path serves every forecast function. Not part of the public API.
 * @internal
 */
export function namedSeries(points: readonly SeriesPoint[] | RegularSeries, name: string, options: ToSeriesOptions = {}): RegularSeries {
  try {
    if (isRegularSeries(points)) {
      // A series built elsewhere (parseCsvSeries, resample, by hand): checked again, on its own step.
      return fromColumns(regularSeriesTimestamps(points), points.values, { ...options, stepMs: points.stepMs });
    }
    return toSeries(points, options);
  } catch (error) {
    if (!(error instanceof EliteError)) throw error;
    const field = error.field === undefined ? name : `${name}${error.field}`;
    const rest = error.message.replace(/^elite\/forecast: /, '');
    const message = /^(the )?series/.test(rest)
      ? rest.replace(/^(the )?series/, name)
      : rest.startsWith('[')
        ? `${name}${rest}`
        : `${name}: ${rest}`;
    throw new EliteError(error.code, `elite/forecast: ${message}`, { field, cause: error });
  }
}
