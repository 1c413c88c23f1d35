/**
 * `traffic()`: validate the series, backtest the models on the caller's own history, combine the
 * best, and wrap the forecast in intervals taken from the combination's out-of-sample residuals.
 * @packageDocumentation
 */

import { EliteError } from '../internal/errors.js';
import { seasonalNaiveMae } from './accuracy.js';
import { autoModels, DAY_AHEAD_BACKTEST_ORIGINS, DAY_AHEAD_WIDENING, isWeekAhead, WEEK_AHEAD_BACKTEST_ORIGINS } from './auto-models.js';
import { backtestModel, type ModelBacktest, planOrigins, residualHalfWidths, selectWeights } from './backtest.js';
import { weekAheadWidening } from './interval-drift.js';
import { lagRegression } from './models/lag-regression.js';
import { mstlEts } from './models/mstl-ets.js';
import { prophet } from './models/prophet.js';
import { seasonalMean, seasonalMean8w } from './models/seasonal-mean.js';
import { seasonalMedian, seasonalMedianLevel } from './models/seasonal-median.js';
import { seasonalNaiveDay, seasonalNaiveWeek } from './models/seasonal-naive.js';
import { checkOptionsObject } from './options.js';
import {
  calendarPeriods,
  checkForecastEnd,
  DAY_MS,
  fromColumns,
  horizonSteps,
  isRegularSeries,
  regularSeriesTimestamps,
  toSeries,
  WEEK_MS,
} from './series.js';
import type {
  ForecastComponents,
  Forecaster,
  ForecastStep,
  ModelContext,
  RegularSeries,
  SeriesPoint,
  TrafficFallback,
  TrafficForecast,
  TrafficModelName,
  TrafficOptions,
} from './types.js';

/** The built-in models by name (which of them `auto` tries depends on the horizon: see `autoModels`). */
export const TRAFFIC_MODELS: Readonly<Record<Exclude<TrafficModelName, 'auto'>, Forecaster>> = {
  'seasonal-naive-day': seasonalNaiveDay,
  'seasonal-naive-week': seasonalNaiveWeek,
  'seasonal-mean': seasonalMean,
  'seasonal-mean-8w': seasonalMean8w,
  'seasonal-median': seasonalMedian,
  'seasonal-median-level': seasonalMedianLevel,
  prophet,
  'mstl-ets': mstlEts,
  'lag-regression': lagRegression,
};

const DEFAULT_LEVELS = [80, 95];

function checkOptions(options: TrafficOptions): {
  levels: number[];
  model: TrafficModelName;
  originCount: number | undefined;
  widening: number | undefined;
} {
  checkOptionsObject(options);
  const levels = options.levels ?? DEFAULT_LEVELS;
  if (!Array.isArray(levels) || levels.some((l) => typeof l !== 'number' || !(l > 0 && l < 100))) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: levels must be percentages between 0 and 100, got ${JSON.stringify(levels)}`, {
      field: 'levels',
    });
  }
  const model = options.model ?? 'auto';
  if (model !== 'auto' && !Object.hasOwn(TRAFFIC_MODELS, model)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: model must be 'auto' or one of ${Object.keys(TRAFFIC_MODELS).join(', ')}, got ${String(model)}`,
      { field: 'model' },
    );
  }
  const originCount = options.backtestOrigins;
  if (originCount !== undefined && (!Number.isInteger(originCount) || originCount < 1 || originCount > 100)) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: backtestOrigins must be a whole number 1–100, got ${String(originCount)}`, {
      field: 'backtestOrigins',
    });
  }
  const widening = options.intervalWidening;
  if (widening !== undefined && (typeof widening !== 'number' || !(widening > 0 && widening <= 10))) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: intervalWidening must be a number in (0, 10], got ${String(widening)}`, {
      field: 'intervalWidening',
    });
  }
  return { levels: [...levels].sort((a, b) => a - b), model, originCount, widening };
}

/** A validated copy of a `RegularSeries` (values are checked again: it may come from anywhere). */
function checkSeries(series: RegularSeries): RegularSeries {
  return fromColumns(regularSeriesTimestamps(series), series.values, { stepMs: series.stepMs, minLength: 2 });
}

/**
 * Forecasts a traffic series (requests, tokens, users per step) `horizon` ahead with intervals.
 *
 * `model: 'auto'` (default) backtests the day-ahead models (for a horizon past a day: the week-ahead
 * ones, see `autoModels`) from `backtestOrigins` past origins, one day apart, and forecasts the mean of the
 * (up to) three with the lowest out-of-sample MAE, leaving out any more than 15% (week ahead: 50%) worse
 * than the best. With less than three weeks of history it forecasts with `seasonal-naive-day` and sets
 * `fallback` to say why.
 * Interval half-widths at each step are conformal quantiles of that mean's absolute backtest
 * residuals at nearby steps (no normal assumption), times `intervalWidening` (default 1.2 up to a day
 * ahead; past a day, from 14 origins, times a factor measured on the history itself: how far the older
 * origins' quantiles had to stretch to cover the newer origins' errors, square-rooted, at least 1).
 * When the whole history is ≥ 0 the forecast and bounds are clipped at 0.
 *
 * Needs at least three days of history (two to fit, one to backtest) when the step divides a day,
 * else 12 points. Throws `EliteError` (`SERIES_*`, `INVALID_TIMESTAMP`, `INVALID_OPTIONS`) for bad
 * input; numerical trouble while fitting goes to `warnings`.
 * @example
 * const result = forecast.traffic(points, { horizon: '24h', levels: [80, 95] });
 * result.steps[0]; // { timestamp, mean, bounds: { 80: { lower, upper }, 95: { lower, upper } } }
 */
export function traffic(input: readonly SeriesPoint[] | RegularSeries, options: TrafficOptions = {}): TrafficForecast {
  const checked = checkOptions(options);
  const { levels, model } = checked;
  const series = isRegularSeries(input) ? checkSeries(input) : toSeries(input as readonly SeriesPoint[]);
  const { values, stepMs, startMs } = series;
  const n = values.length;
  const dayLength = DAY_MS % stepMs === 0 ? DAY_MS / stepMs : 0;
  const spacing = dayLength > 1 ? dayLength : 4;
  const minTrain = 2 * spacing;
  if (n < minTrain + spacing) {
    throw new EliteError(
      'SERIES_TOO_SHORT',
      `elite/forecast: traffic needs at least ${minTrain + spacing} points (${dayLength > 1 ? 'three days' : 'twelve steps'}), got ${n}`,
    );
  }
  const horizon = horizonSteps(options.horizon ?? '24h', stepMs);
  checkForecastEnd(startMs + (n - 1) * stepMs, stepMs, horizon);
  const context: ModelContext = { startMs, stepMs, periods: calendarPeriods(n, stepMs) };
  const weekAhead = isWeekAhead(horizon, dayLength);
  const originCount = checked.originCount ?? (weekAhead ? WEEK_AHEAD_BACKTEST_ORIGINS : DAY_AHEAD_BACKTEST_ORIGINS);
  const widening = checked.widening ?? (weekAhead ? 1 : DAY_AHEAD_WIDENING);
  const plan = planOrigins(n, horizon, spacing, originCount, minTrain);
  const earliest = plan.origins[0]!;
  const warnings: string[] = [];
  let candidates: Forecaster[];
  let maxRatio = 1.15;
  let fallback: TrafficFallback | undefined;
  if (model === 'auto') {
    ({ candidates, maxRatio, fallback } = autoModels(n, horizon, dayLength, context, earliest));
  } else {
    const chosen = TRAFFIC_MODELS[model];
    if (chosen.minLength(context) > n) {
      throw new EliteError(
        'SERIES_TOO_SHORT',
        `elite/forecast: model ${model} needs at least ${chosen.minLength(context)} points, got ${n}`,
      );
    }
    candidates = [chosen];
  }
  const runs: ModelBacktest[] = [];
  for (const m of candidates) {
    const run = backtestModel(m, values, plan, context);
    if (Number.isFinite(run.mae) && run.final.mean.every(Number.isFinite)) runs.push(run);
    else warnings.push(`${m.name}: non-finite backtest forecast, model left out`);
  }
  if (runs.length === 0) {
    // Every candidate failed: the day-ago value is always computable.
    runs.push(backtestModel(seasonalNaiveDay, values, plan, context));
    warnings.push('falling back to seasonal-naive-day');
    fallback = {
      model: 'seasonal-naive-day',
      reason: 'models-failed',
      message: 'elite/forecast: every model gave a non-finite forecast; forecasting with seasonal-naive-day',
    };
  }
  // Models are ranked on the newest origins of a day-ahead-sized plan (recent errors say most about which model
  // fits now, and a level that drifts makes older ones misleading); every origin feeds the intervals.
  const ranked = planOrigins(n, horizon, spacing, Math.min(originCount, DAY_AHEAD_BACKTEST_ORIGINS), minTrain).origins.length;
  const selection =
    model === 'auto'
      ? selectWeights(values, plan.origins, runs, 3, maxRatio, plan.origins.length - ranked)
      : { weights: [1], ...bt(runs[0]!) };

  const mean = new Float64Array(horizon);
  const weights: Record<string, number> = {};
  let components: ForecastComponents | undefined;
  let componentWeight = 0;
  runs.forEach((run, m) => {
    const w = selection.weights[m]!;
    if (w === 0) return;
    weights[run.name] = w;
    const out = run.final;
    for (let h = 0; h < horizon; h++) mean[h] = mean[h]! + w * out.mean[h]!;
    if (out.components !== undefined && w > componentWeight) {
      components = out.components;
      componentWeight = w;
    }
  });
  // Models without components (the naive ones): the decomposition of MSTL + ETS, the cheapest that has them.
  components ??= mstlEts.forecast(values, horizon, context).components ?? { trend: [], daily: [], weekly: [] };

  const window = Math.max(1, Math.round((dayLength || spacing) / 8));
  const halfWidths = residualHalfWidths(values, plan.origins, selection.forecasts, horizon, levels, window);
  // Past a day, unless the caller set a factor: widen by how much the history's own recent errors outgrew
  // the older ones' quantiles (interval-drift.ts).
  const factors =
    checked.widening === undefined && weekAhead
      ? weekAheadWidening(values, plan.origins, selection.forecasts, horizon, levels, window)
      : levels.map(() => widening);
  let nonNegative = true;
  for (let i = 0; i < n; i++) if (values[i]! < 0) nonNegative = false;
  const clip = (v: number) => (nonNegative && v < 0 ? 0 : v);

  // Levels from the narrowest: a wider level's interval never falls inside a narrower one's, even when
  // its widening factor came out smaller.
  const ascending = levels.map((level, li) => ({ level, li })).sort((a, b) => a.level - b.level);
  const steps: ForecastStep[] = [];
  for (let h = 0; h < horizon; h++) {
    const m = mean[h]!;
    const bounds: ForecastStep['bounds'] = {};
    let narrower = 0;
    for (const { level, li } of ascending) {
      const half = Math.max(narrower, factors[li]! * halfWidths[li]![h]!);
      narrower = half;
      bounds[level] = { lower: clip(m - half), upper: clip(m + half) };
    }
    steps.push({ timestamp: new Date(startMs + (n + h) * stepMs), mean: clip(m), bounds });
  }

  const scale = seasonalNaiveMae(values, Math.max(dayLength, 1)) || 1;
  const perModel: Record<string, number> = {};
  for (const run of runs) perModel[run.name] = run.mae / scale;
  const used = Object.keys(weights);
  const keep = Math.min(n, dayLength > 1 && WEEK_MS % stepMs === 0 ? 2 * (WEEK_MS / stepMs) : n);
  return {
    model: used.length === 1 ? used[0]! : `ensemble(${used.join('+')})`,
    weights,
    stepMs,
    levels,
    steps,
    components,
    backtest: {
      origins: plan.origins.length,
      mae: selection.mae,
      mase: selection.mae / scale,
      smape: smape(values, plan.origins, selection.forecasts),
      models: perModel,
    },
    history: { startMs: startMs + (n - keep) * stepMs, stepMs, values: Array.from(values.subarray(n - keep)) },
    ...(fallback === undefined ? {} : { fallback }),
    warnings,
  };
}

function bt(run: ModelBacktest): { mae: number; forecasts: Float64Array[] } {
  return { mae: run.mae, forecasts: run.forecasts };
}

function smape(values: Float64Array, origins: number[], forecasts: Float64Array[]): number {
  let sum = 0;
  let count = 0;
  forecasts.forEach((f, j) => {
    for (let k = 0; k < f.length; k++) {
      const y = values[origins[j]! + k]!;
      const den = Math.abs(y) + Math.abs(f[k]!);
      sum += den === 0 ? 0 : (200 * Math.abs(y - f[k]!)) / den;
      count++;
    }
  });
  return count === 0 ? Number.NaN : sum / count;
}
