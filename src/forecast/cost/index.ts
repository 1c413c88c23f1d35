/**
 * Daily cost forecasts: `cost` (cost.ts) fits gradient-boosted trees on the features of
 * features.ts and takes its intervals from backtest folds (intervals.ts). Types in types.ts.
 */
export { cost, seasonalNaiveDriver, trafficDriver } from './cost.js';
export type { CostDay, CostForecast, CostOptions, DriverForecaster } from './types.js';
