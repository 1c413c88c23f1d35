/**
 * `@tiqology/elite/forecast`: traffic forecasts with calibrated intervals, series helpers, accuracy
 * metrics and SVG charts. Plain TypeScript, no WASM, no `node:` modules.
 * @packageDocumentation
 */

import { parseCsv, parseCsvSeries } from './csv.js';
import { scoreForecast, seasonalNaiveMae } from './metrics.js';
import { detectSeasonality, detectStep, fillGaps, fromColumns, horizonSteps, resample, toEpochMs, toSeries } from './series.js';
import { type ChartMarker, type SvgOptions, toSVG } from './svg.js';
import { TRAFFIC_MODELS, traffic } from './traffic.js';

export type { CsvSeriesOptions } from './csv.js';
export type { ScoredInterval, ScoreInput, Scores } from './metrics.js';
export type { ToSeriesOptions } from './series.js';
export type {
  BacktestSummary,
  ForecastComponents,
  Forecaster,
  ForecastStep,
  IntervalBounds,
  ModelContext,
  ModelOutput,
  RegularSeries,
  SeasonalPeriods,
  SeriesPoint,
  TimestampInput,
  TrafficForecast,
  TrafficModelName,
  TrafficOptions,
} from './types.js';
export type { ChartMarker, SvgOptions };
export {
  detectSeasonality,
  detectStep,
  fillGaps,
  fromColumns,
  horizonSteps,
  parseCsv,
  parseCsvSeries,
  resample,
  scoreForecast,
  seasonalNaiveMae,
  TRAFFIC_MODELS,
  toEpochMs,
  toSeries,
  toSVG,
  traffic,
};

/**
 * The forecast namespace: `forecast.traffic(series, options)` and the helpers, as one object.
 * Cost forecasts, scaling decisions and the autoscaler join it from `cost.ts`, `decide.ts` and
 * `autoscale.ts`.
 */
export const forecast = {
  traffic,
  toSVG,
  toSeries,
  fromColumns,
  parseCsv,
  parseCsvSeries,
  resample,
  fillGaps,
  detectStep,
  detectSeasonality,
  scoreForecast,
} as const;
