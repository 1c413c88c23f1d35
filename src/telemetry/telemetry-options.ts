/**
 * The options of a telemetry instance checked and given their defaults, once, when the instance
 * is built: a bad price table or cap throws there, never later on a recording path.
 */
import { coarseNow } from '../internal/clock.js';
import { EliteError } from '../internal/errors.js';
import { type AlertConfig, resolveAlertConfig } from './alerts.js';
import { type ResolvedSeriesPolicy, resolveSeriesPolicy } from './families.js';
import { DEFAULT_PRICES, type ModelPrice, priceTableProblem } from './llm.js';
import type { TelemetryOptions } from './types.js';

/** Default of `TelemetryOptions.shutdownTimeoutMs`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Default of `TelemetryOptions.maxSeriesPerMetric`. */
export const DEFAULT_MAX_SERIES_PER_METRIC = 200;

/** A telemetry instance's options, checked, with their defaults filled in. */
export interface ResolvedTelemetryOptions {
  /** Series per metric family before new label sets fold into `_overflow`. */
  maxSeries: number;
  /** Longest wait of `shutdown()`, ms. */
  shutdownTimeoutMs: number;
  /** Which series survive the cap (`keepSeries`, `seriesIdleMs`). */
  seriesPolicy: ResolvedSeriesPolicy;
  /** False when `alerts: false`: the window is still fed, no rule is evaluated. */
  alertsEnabled: boolean;
  /** The alert thresholds and window (the defaults when alerts are off). */
  alertConfig: AlertConfig;
  /** The built-in price table with `prices` laid over it. */
  prices: Record<string, ModelPrice>;
  /** The clock of the alert window and the series cap, ms since the epoch. */
  now: () => number;
  /** Whether spans of instrumented clients carry prompts and answers. */
  captureContent: boolean;
}

/** Checks `options` and fills in the defaults. Throws `EliteError('INVALID_OPTIONS')` naming the bad field. */
export function resolveTelemetryOptions(options: TelemetryOptions): ResolvedTelemetryOptions {
  const problem = options.prices === undefined ? undefined : priceTableProblem(options.prices);
  if (problem) throw new EliteError('INVALID_OPTIONS', `elite/telemetry: ${problem}`, { field: 'prices' });
  const maxSeries = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/telemetry: maxSeriesPerMetric must be a whole number ≥ 1, got ${String(maxSeries)}`, {
      field: 'maxSeriesPerMetric',
    });
  }
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: shutdownTimeoutMs must be a whole number ≥ 0 (ms), got ${String(shutdownTimeoutMs)}`,
      { field: 'shutdownTimeoutMs' },
    );
  }
  checkRegistryOption(options);
  return {
    maxSeries,
    shutdownTimeoutMs,
    seriesPolicy: resolveSeriesPolicy(options),
    alertsEnabled: options.alerts !== false,
    alertConfig: resolveAlertConfig(options.alerts === false ? {} : options.alerts),
    prices: { ...DEFAULT_PRICES, ...options.prices },
    now: options.now ?? coarseNow,
    captureContent: options.captureContent === true,
  };
}

/** `registry` must be a prom-client `Registry`, and cannot go with `globalRegistry: true`. */
function checkRegistryOption(options: TelemetryOptions): void {
  const registry = options.registry as unknown;
  if (registry === undefined) return;
  const methods = ['registerMetric', 'getSingleMetric', 'removeSingleMetric', 'metrics'] as const;
  if (
    registry === null ||
    typeof registry !== 'object' ||
    !methods.every((name) => typeof (registry as Record<string, unknown>)[name] === 'function')
  ) {
    throw new EliteError(
      'INVALID_OPTIONS',
      "elite/telemetry: registry must be a prom-client Registry (import { register } from 'prom-client', or new Registry())",
      { field: 'registry' },
    );
  }
  if (options.globalRegistry === true) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/telemetry: registry and globalRegistry: true both choose the registry; pass one of them',
      { field: 'registry' },
    );
  }
}
