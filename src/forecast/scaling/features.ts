/**
 * The features of the learned scaling policy: past-only load features per history point, and
 * the labels that compare the coming two hours with the last one.
 */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { HOUR_MS, namedSeries } from '../series.js';
import type { RegularSeries, SeriesPoint } from '../types.js';
import { FORECAST_DIRECTION_FEATURES, forecastDirection } from './forecast-direction.js';
import type { ScalingDecision, ScalingFeatureSet } from './types.js';

/** Options of {@link scalingFeatures}: the labelling rule. */
export interface ScalingLabelOptions {
  /** Relative rise of the next-2 h mean over the last hour's mean that labels SCALE_UP. Default 0.15. */
  upThreshold?: number;
  /** Relative fall that labels SCALE_DOWN. Default 0.15. */
  downThreshold?: number;
  /** Compute labels (and drop the last 2 h, which have no future). Default true. */
  labels?: boolean;
  /**
   * Which features: `'directional'` (default, {@link DIRECTIONAL_SCALING_FEATURES}: scale-free, with
   * the direction the load took at the same hour yesterday and last week, and the calendar) or
   * `'reference'` ({@link SCALING_FEATURES}: those of the scaling_decisions reference data, in load units).
   */
  featureSet?: ScalingFeatureSet;
}

/** Feature rows (and labels) computed from a load history. */
export interface ScalingTable {
  /** Names of the columns of `x`, in order ({@link SCALING_FEATURES}). */
  featureNames: readonly string[];
  /** One feature row per usable step of the history. */
  x: number[][];
  /** One per row when labels were asked for, else empty. */
  y: ScalingDecision[];
  /** Epoch ms of each row's "now". */
  timestamps: number[];
  /** Grid step of the history, ms. */
  stepMs: number;
}

/** The features, in order, of {@link scalingFeatures} (those of the scaling_decisions reference data). */
export const SCALING_FEATURES = [
  'load',
  'load_mean_1h',
  'load_mean_3h',
  'load_slope_1h',
  'load_yesterday',
  'load_last_week',
  'hour',
  'dow',
] as const;

/**
 * The directional features, in order: scale-free (relative changes, so one policy serves series of
 * any unit), past-only, and carrying what a seasonal forecast of the next 2 h reads (how the load
 * moved over the same 2 h yesterday and a week ago) and the calendar.
 * `change_1h`: load over load 1 h earlier, − 1; `vs_3h`: last hour's mean over the last 3 h's mean,
 * − 1; `vs_yesterday` and `vs_last_week`: last hour's mean over the same hour's 24 h and 168 h
 * earlier, − 1; `next_2h_yesterday` and `next_2h_last_week`: the mean of the 2 h that followed the
 * same moment 24 h and 168 h earlier over that moment's last-hour mean, − 1 (the direction a seasonal
 * forecast gives); `hour` (UTC, fractional), `dow` (Monday = 0), `hour_of_week` (dow × 24 + hour).
 */
export const DIRECTIONAL_SCALING_FEATURES = [
  'change_1h',
  'vs_3h',
  'vs_yesterday',
  'vs_last_week',
  'next_2h_yesterday',
  'next_2h_last_week',
  'next_1h_days',
  'next_2h_days',
  ...FORECAST_DIRECTION_FEATURES,
  'hour',
  'dow',
  'hour_of_week',
] as const;

/** `a / b − 1`, kept finite when `b` is not positive (0 for equal values, else ±1). */
function rel(a: number, b: number): number {
  if (b > 0) return a / b - 1;
  return a === b ? 0 : a > b ? 1 : -1;
}

/**
 * Computes past-only features for each point of a load history whose step divides an hour: the
 * {@link DIRECTIONAL_SCALING_FEATURES} by default; with `featureSet: 'reference'`
 * `load`, the means over the last 1 h and 3 h (current point included), `load_slope_1h` (load
 * minus load 1 h earlier), the load 24 h and 168 h earlier, the UTC hour (fractional) and the
 * day of week (Monday = 0). Rows start one week in. Labels compare the mean load over the next
 * 2 h (current point excluded) with the last hour's mean: SCALE_UP above +15 %, SCALE_DOWN below
 * −15 %, else MAINTAIN. The history is validated as `toSeries` does (short gaps filled) and
 * throws its codes; `SERIES_IRREGULAR_STEP` also for a step that does not divide an hour and
 * `SERIES_TOO_SHORT` for less than one week (and 1 h with the directional set, 2 h with labels).
 * The directional set runs one traffic forecast per row (a few ms each: about a minute for a
 * year of hourly history); `decide` computes only the latest row.
 */
export function scalingFeatures(history: readonly SeriesPoint[] | RegularSeries, options: ScalingLabelOptions = {}): ScalingTable {
  checkOptionsObject(options);
  return buildTable(history, options, false);
}

/** The feature row of the latest point of `history` (no labels), as `decide` reads it. */
export function latestScalingRow(
  history: readonly SeriesPoint[] | RegularSeries,
  featureSet: ScalingFeatureSet,
): { row: number[]; stepMs: number } {
  const table = buildTable(history, { labels: false, featureSet }, true);
  return { row: table.x[0]!, stepMs: table.stepMs };
}

function buildTable(history: readonly SeriesPoint[] | RegularSeries, options: ScalingLabelOptions, latestOnly: boolean): ScalingTable {
  const withLabels = options.labels ?? true;
  const upT = options.upThreshold ?? 0.15;
  const downT = options.downThreshold ?? 0.15;
  if (!(upT > 0) || !(downT > 0) || !(downT < 1)) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: upThreshold must be > 0 and downThreshold in (0, 1)', {
      field: 'upThreshold',
    });
  }
  const { startMs, values: v, stepMs } = namedSeries(history, 'history');
  if (stepMs > HOUR_MS || HOUR_MS % stepMs !== 0) {
    throw new EliteError('SERIES_IRREGULAR_STEP', `elite/forecast: the load history's step must divide an hour, got ${stepMs} ms`, {
      field: 'history',
    });
  }
  const h = HOUR_MS / stepMs;
  const directional = (options.featureSet ?? 'directional') === 'directional';
  if (!directional && options.featureSet !== 'reference') {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: featureSet must be 'directional' or 'reference', got ${String(options.featureSet)}`,
      {
        field: 'featureSet',
      },
    );
  }
  // The directional features also read the hour before the moment a week earlier.
  const first = directional ? 169 * h : 168 * h;
  const last = withLabels ? v.length - 1 - 2 * h : v.length - 1;
  if (last < first) {
    throw new EliteError(
      'SERIES_TOO_SHORT',
      `elite/forecast: the load history needs at least ${first + 1 + (withLabels ? 2 * h : 0)} points (one week${directional ? ' and 1 h' : ''}${withLabels ? ' and 2 h' : ''}), got ${v.length}`,
      {
        field: 'history',
      },
    );
  }
  const mean = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i <= to; i++) s += v[i]!;
    return s / (to - from + 1);
  };
  const featureNames = directional ? DIRECTIONAL_SCALING_FEATURES : SCALING_FEATURES;
  const table: ScalingTable = { featureNames, x: [], y: [], timestamps: [], stepMs };
  for (let i = latestOnly ? last : first; i <= last; i++) {
    const now = startMs + i * stepMs;
    const date = new Date(now);
    const mean1h = mean(i - h + 1, i);
    const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
    const dow = (date.getUTCDay() + 6) % 7;
    table.x.push(
      directional
        ? [...directionalRow(v, i, h, mean), ...forecastDirection(v, startMs, stepMs, i, h), hour, dow, dow * 24 + hour]
        : [v[i]!, mean1h, mean(i - 3 * h + 1, i), v[i]! - v[i - h]!, v[i - 24 * h]!, v[i - 168 * h]!, hour, dow],
    );
    table.timestamps.push(now);
    if (withLabels) {
      const ratio = mean(i + 1, i + 2 * h) / mean1h;
      table.y.push(ratio > 1 + upT ? 'SCALE_UP' : ratio < 1 - downT ? 'SCALE_DOWN' : 'MAINTAIN');
    }
  }
  return table;
}

/** The seasonal and recent-change part of a {@link DIRECTIONAL_SCALING_FEATURES} row at index `i` (`h` steps per hour). */
function directionalRow(v: ArrayLike<number>, i: number, h: number, mean: (from: number, to: number) => number): number[] {
  const mean1h = mean(i - h + 1, i);
  // Mean over the 7 previous days at the same moment.
  const dayMean = (f: (day: number) => number): number => {
    let sum = 0;
    for (let d = 1; d <= 7; d++) sum += f(d);
    return sum / 7;
  };
  const nextOf = (lag: number): number => rel(mean(i - lag + 1, i - lag + 2 * h), mean(i - lag - h + 1, i - lag));
  return [
    rel(v[i]!, v[i - h]!),
    rel(mean1h, mean(i - 3 * h + 1, i)),
    rel(mean1h, mean(i - 24 * h - h + 1, i - 24 * h)),
    rel(mean1h, mean(i - 168 * h - h + 1, i - 168 * h)),
    nextOf(24 * h),
    nextOf(168 * h),
    dayMean((d) => rel(mean(i - 24 * d * h + 1, i - 24 * d * h + h), mean(i - 24 * d * h - h + 1, i - 24 * d * h))),
    dayMean((d) => rel(mean(i - 24 * d * h + h + 1, i - 24 * d * h + 2 * h), mean(i - 24 * d * h - h + 1, i - 24 * d * h))),
  ];
}
