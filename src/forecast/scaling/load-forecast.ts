/**
 * The load forecast a threshold decision reads: any traffic forecast turned into steps with
 * interval bounds per level, and the probability that a step's load stays under a value.
 */
import { EliteError } from '../../internal/errors.js';
import { normalCdf, normalQuantile } from '../normal.js';
import { toEpochMs } from '../series.js';
import type { LoadForecast, LoadForecastStep } from './types.js';

/**
 * Turns a traffic forecast into a {@link LoadForecast}. Accepts the result of `traffic()` as it is
 * (steps `{ timestamp: Date, mean, bounds: { 80: { lower, upper } } }`), a `LoadForecast`, an array of
 * steps, or an object holding one under `steps`, `forecast` or `points`; each step needs a
 * timestamp (Date, ISO string or epoch ms), a `mean` (or `value`), and either `bounds` keyed by
 * level or `lower`/`upper` records keyed by level (both optional). Throws `INVALID_OPTIONS` for
 * anything else.
 */
export function toLoadForecast(source: unknown): LoadForecast {
  const list = Array.isArray(source)
    ? source
    : source !== null && typeof source === 'object'
      ? ((source as { steps?: unknown }).steps ?? (source as { forecast?: unknown }).forecast ?? (source as { points?: unknown }).points)
      : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/forecast: forecast must hold a non-empty list of steps { timestamp, mean, lower, upper }',
      {
        field: 'forecast',
      },
    );
  }
  const steps = list.map((raw, i): LoadForecastStep => {
    const step = (raw ?? {}) as {
      timestamp?: unknown;
      mean?: unknown;
      value?: unknown;
      lower?: unknown;
      upper?: unknown;
      bounds?: unknown;
    };
    const timestamp = readTimestamp(step.timestamp);
    const mean = typeof step.mean === 'number' ? step.mean : step.value;
    if (!Number.isFinite(timestamp) || typeof mean !== 'number' || !Number.isFinite(mean)) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i} needs a timestamp and a finite mean`, {
        field: `forecast[${i}]`,
      });
    }
    if (step.bounds !== undefined) {
      const { lower, upper } = splitBounds(step.bounds, i);
      return { timestamp, mean, lower: levelRecord(lower, i, 'lower'), upper: levelRecord(upper, i, 'upper') };
    }
    return { timestamp, mean, lower: levelRecord(step.lower, i, 'lower'), upper: levelRecord(step.upper, i, 'upper') };
  });
  return { steps };
}

/** Epoch ms of a step's timestamp, NaN when unreadable (reported by the caller as INVALID_OPTIONS). */
function readTimestamp(value: unknown): number {
  if (!(value instanceof Date) && typeof value !== 'number' && typeof value !== 'string') return Number.NaN;
  try {
    return toEpochMs(value);
  } catch {
    return Number.NaN;
  }
}

/** `traffic()`'s `bounds: { 80: { lower, upper } }` as the two records `lower[80]`, `upper[80]`. */
function splitBounds(bounds: unknown, i: number): { lower: Record<string, unknown>; upper: Record<string, unknown> } {
  const lower: Record<string, unknown> = {};
  const upper: Record<string, unknown> = {};
  if (bounds === null || typeof bounds !== 'object') {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i}'s bounds must be a record of level → { lower, upper }`, {
      field: `forecast[${i}].bounds`,
    });
  }
  for (const [level, pair] of Object.entries(bounds)) {
    const p = (pair ?? {}) as { lower?: unknown; upper?: unknown };
    lower[level] = p.lower;
    upper[level] = p.upper;
  }
  return { lower, upper };
}

function levelRecord(value: unknown, i: number, side: string): Record<number, number> {
  const out: Record<number, number> = {};
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object') {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i}'s ${side} must be a record of level → bound`, {
      field: `forecast[${i}].${side}`,
    });
  }
  for (const [key, bound] of Object.entries(value)) {
    const level = Number(key);
    if (!(level > 0 && level < 100) || typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/forecast: forecast step ${i}'s ${side}[${key}] must be a finite bound of a level in (0, 100)`,
        {
          field: `forecast[${i}].${side}`,
        },
      );
    }
    out[level] = bound;
  }
  return out;
}

/**
 * The probability that a step's load is at most `x`, read from its mean and interval bounds:
 * bounds at level L are the (1 − L)/2 and (1 + L)/2 quantiles and the mean is taken as the
 * median. Between those knots the CDF is interpolated linearly on the normal-quantile scale
 * (exact when the forecast distribution is normal, monotone whatever it is); outside them it
 * follows the normal tail through the two outermost knots. With no bounds the step is a point
 * mass at the mean.
 */
export function probabilityAtMost(step: LoadForecastStep, x: number): number {
  const below: Array<[number, number]> = Object.entries(step.lower).map(([k, v]) => [(1 - Number(k) / 100) / 2, v]);
  const above: Array<[number, number]> = Object.entries(step.upper).map(([k, v]) => [(1 + Number(k) / 100) / 2, v]);
  // Quantiles must not decrease with p: walking out from the median, a bound on the wrong side
  // of its inner neighbour is moved onto it.
  below.sort((a, b) => b[0] - a[0]);
  above.sort((a, b) => a[0] - b[0]);
  let inner = step.mean;
  for (const knot of below) inner = knot[1] = Math.min(knot[1], inner);
  inner = step.mean;
  for (const knot of above) inner = knot[1] = Math.max(knot[1], inner);
  const knots = [...below.reverse(), [0.5, step.mean] as [number, number], ...above].map(([p, v]) => [normalQuantile(p), v] as const);
  if (knots.length === 1) return x >= step.mean ? 1 : 0;
  let lo = 0;
  if (x < knots[0]![1]) lo = 0;
  else if (x >= knots[knots.length - 1]![1]) lo = knots.length - 2;
  else while (lo + 2 < knots.length && x >= knots[lo + 1]![1]) lo++;
  const [z0, v0] = knots[lo]!;
  const [z1, v1] = knots[lo + 1]!;
  if (v1 === v0) return x < v0 ? 0 : 1;
  return normalCdf(z0 + ((x - v0) / (v1 - v0)) * (z1 - z0));
}
