import { EliteError } from '../internal/errors.js';

/** A timestamp as callers give it: a Date, an ISO 8601 string or epoch milliseconds. */
export type TimestampInput = Date | string | number;

/** One observation of a series. */
export interface SeriesPoint {
  timestamp: TimestampInput;
  value: number;
}

/** A validated regular series: epoch-ms timestamps, values, and the step between them. */
export interface RegularSeries {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly stepMs: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Epoch ms of a timestamp, or NaN when it cannot be read. */
export function toEpochMs(timestamp: TimestampInput): number {
  if (timestamp instanceof Date) return timestamp.getTime();
  if (typeof timestamp === 'number') return timestamp;
  if (typeof timestamp === 'string') return Date.parse(timestamp);
  return Number.NaN;
}

/**
 * Validates a caller's series (STYLE section 4: caller-controlled forecast input is a typed
 * throw): at least `minPoints` points, finite values, readable timestamps in strictly
 * increasing order, one regular step. Throws `INVALID_SERIES` naming the first bad point.
 */
export function toRegularSeries(series: readonly SeriesPoint[], name: string, minPoints: number): RegularSeries {
  if (!Array.isArray(series)) {
    throw new EliteError('INVALID_SERIES', `elite/forecast: ${name} must be an array of { timestamp, value }`, { field: name });
  }
  if (series.length < minPoints) {
    throw new EliteError('INVALID_SERIES', `elite/forecast: ${name} needs at least ${minPoints} points, got ${series.length}`, {
      field: name,
    });
  }
  const n = series.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const point = series[i];
    const ms = point === null || typeof point !== 'object' ? Number.NaN : toEpochMs(point.timestamp);
    if (!Number.isFinite(ms)) {
      throw new EliteError('INVALID_SERIES', `elite/forecast: ${name}[${i}].timestamp must be a Date, ISO string or epoch ms`, {
        field: `${name}[${i}].timestamp`,
      });
    }
    if (!Number.isFinite(point!.value)) {
      throw new EliteError('INVALID_SERIES', `elite/forecast: ${name}[${i}].value must be a finite number, got ${String(point!.value)}`, {
        field: `${name}[${i}].value`,
      });
    }
    if (i > 0 && ms <= t[i - 1]!) {
      throw new EliteError(
        'INVALID_SERIES',
        `elite/forecast: ${name}[${i}] is ${ms === t[i - 1] ? 'a duplicate timestamp' : 'earlier than the point before'}; sort the points and remove duplicates`,
        { field: `${name}[${i}].timestamp` },
      );
    }
    t[i] = ms;
    v[i] = point!.value;
  }
  const stepMs = n > 1 ? t[1]! - t[0]! : 0;
  for (let i = 2; i < n; i++) {
    if (t[i]! - t[i - 1]! !== stepMs) {
      throw new EliteError(
        'INVALID_SERIES',
        `elite/forecast: ${name} has an irregular step at [${i}] (${t[i]! - t[i - 1]!} ms after the point before, expected ${stepMs} ms); resample or fill gaps first`,
        { field: `${name}[${i}].timestamp` },
      );
    }
  }
  return { t, v, stepMs };
}
