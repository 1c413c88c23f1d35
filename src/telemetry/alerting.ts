/**
 * The in-process alerting of a telemetry instance: the sliding window the records feed, the flag
 * cache counters sampled into it, the rule evaluation and its timer, and the notifiers told of
 * each transition. Pure rules live in alerts.ts; this part holds their state.
 */
import { EliteError, messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import type { WarnOnce } from '../internal/warn-once.js';
import { type AlertConfig, AlertState, measure, SlidingWindow } from './alerts.js';
import { type AnomalyWatchOptions, createAnomalyWatches } from './anomaly-watch.js';
import type { AlertEvent, AlertNotifier, FlagStatsSource, TelemetryOptions, TelemetrySnapshot } from './types.js';

/** Cumulative flag cache counters, summed over every observed flags client. */
export interface FlagTotals {
  /** Evaluations answered from a fresh cache entry. */
  cacheHits: number;
  /** Evaluations that read the store. */
  cacheMisses: number;
  /** Evaluations served stale because the store failed. */
  staleServes: number;
}

/** What {@link createAlerting} needs from its instance. */
export interface AlertingDeps {
  /** The flags client to observe from the start, and the `onAlert` callback. */
  options: Pick<TelemetryOptions, 'flags' | 'onAlert'>;
  /** The resolved thresholds and window. */
  config: AlertConfig;
  /** False with `alerts: false`: the window is fed, no rule is evaluated, no timer runs. */
  enabled: boolean;
  /** The instance's clock, ms. */
  now: () => number;
  /** Where a throwing `onAlert` or notifier is reported. */
  logger: SafeLogger;
  /** One warning per key (a flags client whose `stats()` throws). */
  warnOnce: WarnOnce;
}

/** The alerting part of a telemetry instance; see the file comment. */
export function createAlerting({ options, config, enabled, now, logger, warnOnce }: AlertingDeps) {
  const flagSources: FlagStatsSource[] = options.flags ? [options.flags] : [];
  const flagTotals = (): FlagTotals => {
    const totals = { cacheHits: 0, cacheMisses: 0, staleServes: 0 };
    for (const source of flagSources) {
      try {
        const stats = source.stats();
        totals.cacheHits += stats.cacheHits;
        totals.cacheMisses += stats.cacheMisses;
        totals.staleServes += stats.staleServes;
      } catch (error) {
        warnOnce('flags-stats', `elite/telemetry: flags stats() threw: ${messageOf(error)}`);
      }
    }
    return totals;
  };

  const window = new SlidingWindow(config.windowMs, now());
  const alertState = new AlertState();
  const notifiers = new Set<AlertNotifier>();
  let lastFlags = flagTotals();
  // Flag counters are cumulative; their growth since the last look goes into the current slot.
  const sampleFlags = (at: number) => {
    if (flagSources.length === 0) return;
    const totals = flagTotals();
    const slot = window.at(at);
    slot.flagHits += Math.max(0, totals.cacheHits - lastFlags.cacheHits);
    slot.flagMisses += Math.max(0, totals.cacheMisses - lastFlags.cacheMisses);
    lastFlags = totals;
  };

  const deliver = (event: AlertEvent): void => {
    try {
      options.onAlert?.(event);
    } catch (error) {
      logger.warn(`elite/telemetry: onAlert threw: ${messageOf(error)}`);
    }
    for (const notifier of notifiers) {
      try {
        Promise.resolve(notifier.notify(event)).catch((error: unknown) =>
          logger.warn(`elite/telemetry: notifier failed: ${messageOf(error)}`),
        );
      } catch (error) {
        logger.warn(`elite/telemetry: notifier failed: ${messageOf(error)}`);
      }
    }
  };

  const anomalies = createAnomalyWatches({ window, now, deliver });
  /** Copies of the alerts firing now: the rules', then the watches'. */
  const active = (): AlertEvent[] => [...alertState.active(), ...anomalies.active()];

  const evaluate = (): AlertEvent[] => {
    if (!enabled) return [];
    const at = now();
    sampleFlags(at);
    const changes = alertState.update(measure(window.totals(at), config), at);
    for (const event of changes) deliver(event);
    return changes;
  };

  let timer: ReturnType<typeof setInterval> | undefined;
  const startTimer = () => {
    if (!enabled || timer !== undefined) return;
    timer = setInterval(() => void evaluate(), config.evaluateIntervalMs);
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    /** The window every record adds to. */
    window,
    flagTotals,
    evaluate,
    startTimer,
    stopTimer() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      anomalies.stopAll();
    },
    active,
    /** The anomaly watches, for their metrics. */
    watches: anomalies.watches,

    /** Starts an anomaly watch whose alerts go through this instance's pipeline (one per series). */
    watchAnomalies: (watchOptions?: AnomalyWatchOptions) => anomalies.watch(watchOptions),

    observeFlags(source: FlagStatsSource) {
      if (typeof source?.stats !== 'function') {
        throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: observeFlags() needs a flags client (an object with stats())', {
          field: 'flags',
        });
      }
      if (!flagSources.includes(source)) flagSources.push(source);
      lastFlags = flagTotals();
    },

    addNotifier(notifier: AlertNotifier): () => void {
      if (typeof notifier?.notify !== 'function') {
        throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: addNotifier() needs an object with notify(event)', { field: 'notifier' });
      }
      notifiers.add(notifier);
      startTimer();
      return () => {
        notifiers.delete(notifier);
      };
    },

    snapshot(): TelemetrySnapshot {
      const at = now();
      sampleFlags(at);
      const totals = window.totals(at);
      const [errorRate, p95, cacheHitRatio] = measure(totals, config) as { value: number }[];
      return {
        windowMs: config.windowMs,
        requests: totals.requests,
        errors: totals.errors,
        errorRate: (errorRate as { value: number }).value,
        p95Ms: (p95 as { value: number }).value,
        completions: totals.completions,
        tokens: totals.tokens,
        costUsd: totals.costUsd,
        costUsdPerHour: (totals.costUsd * 3_600_000) / totals.coveredMs,
        flagLookups: totals.flagHits + totals.flagMisses,
        cacheHitRatio: (cacheHitRatio as { value: number }).value,
        activeAlerts: active(),
      };
    },
  };
}
