/**
 * Which models `auto` backtests, by horizon and history length: the six day-ahead models; for a horizon
 * of more than one day, the four week-ahead models (seasonal median, level-matched seasonal median, eight-week mean, lag regression); and with
 * less than three weeks of history, seasonal naive day alone, as an explicit fallback with its reason.
 *
 * The thresholds were chosen on the tuning half of the benchmark panel's series (docs/benchmarks.md,
 * "Week ahead" and "Short histories"); pure, no clock or I/O.
 * @packageDocumentation
 */

import { lagRegression } from './models/lag-regression.js';
import { mstlEts } from './models/mstl-ets.js';
import { prophet } from './models/prophet.js';
import { seasonalMean, seasonalMean8w } from './models/seasonal-mean.js';
import { seasonalMedian, seasonalMedianLevel } from './models/seasonal-median.js';
import { seasonalNaiveDay, seasonalNaiveWeek } from './models/seasonal-naive.js';
import type { Forecaster, ModelContext, TrafficFallback } from './types.js';

/** The models `auto` tries for horizons up to a day, in order. */
export const DAY_AHEAD_MODELS: readonly Forecaster[] = [seasonalNaiveDay, seasonalNaiveWeek, seasonalMean, prophet, mstlEts, lagRegression];

/** The models `auto` combines for horizons of more than a day. */
export const WEEK_AHEAD_MODELS: readonly Forecaster[] = [seasonalMedian, seasonalMedianLevel, seasonalMean8w, lagRegression];

/** Days of history below which `auto` falls back to seasonal naive day. */
export const MIN_AUTO_HISTORY_DAYS = 21;

/** Horizons of more than this many days use the week-ahead models. */
export const WEEK_AHEAD_AFTER_DAYS = 1;

/** Whether `horizon` steps is past the day ahead (`dayLength` steps a day; 0 when the step does not divide a day). */
export function isWeekAhead(horizon: number, dayLength: number): boolean {
  return dayLength > 1 && horizon > WEEK_AHEAD_AFTER_DAYS * dayLength;
}

/** Default `backtestOrigins` up to a day ahead. */
export const DAY_AHEAD_BACKTEST_ORIGINS = 7;

/**
 * Default `backtestOrigins` past a day ahead: two weeks of daily origins, each weekday twice. The week-ahead
 * intervals are the residual quantiles with no constant factor (only the history's own drift widens them,
 * interval-drift.ts), so they need more residuals per step than the day ahead's: with 7 origins the tuning
 * half's raw 80% intervals covered 77%, with 14 79% (docs/benchmarks.md). The models are still ranked on
 * the newest origins of a 7-origin plan.
 */
export const WEEK_AHEAD_BACKTEST_ORIGINS = 14;

/**
 * Default `intervalWidening` up to a day ahead (chosen on the benchmark panel: the raw conformal intervals
 * covered 73% at the 80% level there). Past a day there is no default factor: the backtest's residual
 * quantiles per step, from {@link WEEK_AHEAD_BACKTEST_ORIGINS} origins, widened by the history's own drift.
 */
export const DAY_AHEAD_WIDENING = 1.2;

/** The candidates of `auto` and how strictly they are pruned. */
export interface AutoModels {
  /** Models to backtest. */
  candidates: Forecaster[];
  /** A model whose backtest MAE is more than this times the best one's is left out of the mean. */
  maxRatio: number;
  /** Set when `auto` forecasts with a single model because the history is too short for the others. */
  fallback?: TrafficFallback;
}

/**
 * The models `auto` backtests for a history of `n` steps (`dayLength` steps a day, 0 when the step does not
 * divide a day), `horizon` steps ahead, whose earliest backtest origin sees `earliest` points.
 */
export function autoModels(n: number, horizon: number, dayLength: number, context: ModelContext, earliest: number): AutoModels {
  if (dayLength > 1 && n < MIN_AUTO_HISTORY_DAYS * dayLength) {
    const days = Math.floor((10 * n) / dayLength) / 10;
    return {
      candidates: [seasonalNaiveDay],
      maxRatio: 1,
      fallback: {
        model: 'seasonal-naive-day',
        reason: 'short-history',
        message:
          `elite/forecast: ${days} days of history is less than the ${MIN_AUTO_HISTORY_DAYS} days auto needs to fit weekly patterns; ` +
          'forecasting with seasonal-naive-day (yesterday repeated), which beat every other model on two-week histories. ' +
          'Pass model to force another one.',
      },
    };
  }
  if (isWeekAhead(horizon, dayLength)) {
    return { candidates: WEEK_AHEAD_MODELS.filter((m) => m.minLength(context) <= earliest), maxRatio: 1.5 };
  }
  return { candidates: DAY_AHEAD_MODELS.filter((m) => m.minLength(context) <= earliest), maxRatio: 1.15 };
}
