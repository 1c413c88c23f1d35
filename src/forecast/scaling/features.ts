/**
 * The features of the learned scaling policy: past-only load features per history point, and
 * the labels that compare the coming two hours with the last one.
 */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { HOUR_MS, namedSeries } from '../series.js';
import type { RegularSeries, SeriesPoint } from '../types.js';
import type { ScalingDecision } from './types.js';

/** Options of {@link scalingFeatures}: the labelling rule. */
export interface ScalingLabelOptions {
  /** Relative rise of the next-2 h mean over the last hour's mean that labels SCALE_UP. Default 0.15. */
  upThreshold?: number;
  /** Relative fall that labels SCALE_DOWN. Default 0.15. */
  downThreshold?: number;
  /** Compute labels (and drop the last 2 h, which have no future). Default true. */
  labels?: boolean;
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
 * Computes past-only features for each point of a load history whose step divides an hour:
 * `load`, the means over the last 1 h and 3 h (current point included), `load_slope_1h` (load
 * minus load 1 h earlier), the load 24 h and 168 h earlier, the UTC hour (fractional) and the
 * day of week (Monday = 0). Rows start one week in. Labels compare the mean load over the next
 * 2 h (current point excluded) with the last hour's mean: SCALE_UP above +15 %, SCALE_DOWN below
 * −15 %, else MAINTAIN. The history is validated as `toSeries` does (short gaps filled) and
 * throws its codes; `SERIES_IRREGULAR_STEP` also for a step that does not divide an hour and
 * `SERIES_TOO_SHORT` for less than one week (and 2 h with labels).
 */
export function scalingFeatures(history: readonly SeriesPoint[] | RegularSeries, options: ScalingLabelOptions = {}): ScalingTable {
  checkOptionsObject(options);
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
  const first = 168 * h;
  const last = withLabels ? v.length - 1 - 2 * h : v.length - 1;
  if (last < first) {
    throw new EliteError(
      'SERIES_TOO_SHORT',
      `elite/forecast: the load history needs at least ${first + 1 + (withLabels ? 2 * h : 0)} points (one week${withLabels ? ' and 2 h' : ''}), got ${v.length}`,
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
  const table: ScalingTable = { featureNames: SCALING_FEATURES, x: [], y: [], timestamps: [], stepMs };
  for (let i = first; i <= last; i++) {
    const now = startMs + i * stepMs;
    const date = new Date(now);
    const mean1h = mean(i - h + 1, i);
    table.x.push([
      v[i]!,
      mean1h,
      mean(i - 3 * h + 1, i),
      v[i]! - v[i - h]!,
      v[i - 24 * h]!,
      v[i - 168 * h]!,
      date.getUTCHours() + date.getUTCMinutes() / 60,
      (date.getUTCDay() + 6) % 7,
    ]);
    table.timestamps.push(now);
    if (withLabels) {
      const ratio = mean(i + 1, i + 2 * h) / mean1h;
      table.y.push(ratio > 1 + upT ? 'SCALE_UP' : ratio < 1 - downT ? 'SCALE_DOWN' : 'MAINTAIN');
    }
  }
  return table;
}
