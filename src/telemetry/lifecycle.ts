/**
 * `init()`, `flush()` and `shutdown()` of a telemetry instance: tracing registered and torn down,
 * prom-client loaded, the alert timer started and stopped, the Discord notifiers drained. None of
 * them rejects on an SDK or network failure: the cause goes to the logger, credentials redacted.
 */
import { EliteError, messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import { redactUrlCredentials } from '../internal/redact.js';
import { withTimeout } from '../internal/timeout.js';
import type { DiscordNotifier } from './discord.js';
import { createExportReporter } from './export-guard.js';
import { initOtlpMetrics, type OtlpMetricsHandle } from './otlp-metrics.js';
import type { PromMetricLike } from './prom-metric.js';
import type { PromRegistryLike } from './registry.js';
import type { TelemetryCounts } from './self-metrics.js';
import { checkInitOptions, initTracing, type TracingHandle } from './tracing.js';
import type { InitOptions, InitResult } from './types.js';

/** The lifecycle methods of a telemetry instance; see the file comment and `Telemetry` for each contract. */
export interface Lifecycle {
  /** `telemetry.init()`. */
  init(options?: InitOptions): Promise<InitResult>;
  /** `telemetry.flush()`. */
  flush(): Promise<void>;
  /** `telemetry.shutdown()`. */
  shutdown(): Promise<void>;
}

/**
 * Builds the lifecycle methods; they share the tracing handle `init()` got. (Positional
 * parameters: an options object here would keep its property names in the minified bundle.)
 * @param logger The instance's logger, already made safe to call.
 * @param shutdownTimeoutMs Longest wait of `shutdown()`, ms.
 * @param registry The instance's `registry()`.
 * @param alertTimer The instance's alert timer, started by `init()` and stopped by `shutdown()`.
 * @param discordNotifiers The notifiers `telemetry.discord()` created, flushed and closed here.
 * @param exported The metric families and self-metrics, read by the OTLP metrics export.
 * @param counts The instance's own counters (failed OTLP exports go there).
 */
export function createLifecycle(
  logger: SafeLogger,
  shutdownTimeoutMs: number,
  registry: () => Promise<PromRegistryLike>,
  alertTimer: { startTimer(): void; stopTimer(): void },
  discordNotifiers: ReadonlySet<DiscordNotifier>,
  exported: readonly PromMetricLike[],
  counts: TelemetryCounts,
): Lifecycle {
  let initPromise: Promise<InitResult> | undefined;
  let tracing: TracingHandle | undefined;
  let otlpMetrics: OtlpMetricsHandle | undefined;
  // One for both signals: a collector that is down gives one warning, not one per signal.
  const reporter = createExportReporter(logger, counts);
  const failure = (what: string, error: unknown) => {
    if (!reporter.reported(error)) logger.warn(`elite/telemetry: ${what} failed: ${redactUrlCredentials(messageOf(error))}`);
  };

  return {
    init(initOptions: InitOptions = {}) {
      checkInitOptions(initOptions);
      initPromise ??= (async () => {
        const result = await initTracing(initOptions, logger, reporter);
        tracing = result.handle;
        try {
          otlpMetrics = await initOtlpMetrics(initOptions, exported, reporter);
        } catch (error) {
          // Tracing is up already: undo it, so that a retried init() after the install starts from scratch.
          await tracing?.shutdown().catch(() => undefined);
          tracing = undefined;
          throw error;
        }
        let metrics = true;
        try {
          await registry();
        } catch (error) {
          metrics = false;
          logger.warn(`elite/telemetry: metrics are off: ${redactUrlCredentials(messageOf(error))}`);
        }
        alertTimer.startTimer();
        return { tracing: result.tracing, metrics, otlpMetrics: otlpMetrics !== undefined };
      })();
      initPromise.catch(() => {
        initPromise = undefined;
      });
      return initPromise;
    },

    async flush() {
      await Promise.all([
        tracing?.forceFlush().catch((error: unknown) => failure('span flush', error)),
        otlpMetrics?.forceFlush().catch((error: unknown) => failure('metrics flush', error)),
      ]);
      await Promise.all([...discordNotifiers].map((notifier) => notifier.flush()));
    },

    async shutdown() {
      alertTimer.stopTimer();
      // One deadline for the whole shutdown: a process manager waits only so long before SIGKILL.
      const deadline = Date.now() + shutdownTimeoutMs;
      await Promise.all([...discordNotifiers].map((notifier) => notifier.close(shutdownTimeoutMs)));
      const within = (work: Promise<void>, what: string) =>
        withTimeout(
          work,
          Math.max(0, deadline - Date.now()),
          () => new EliteError('TIMEOUT', `${what} still running after shutdownTimeoutMs (${shutdownTimeoutMs} ms); left to finish`),
        ).catch((error: unknown) => failure(what, error));
      await Promise.all([
        tracing === undefined ? undefined : within(tracing.shutdown(), 'tracer shutdown'),
        otlpMetrics === undefined ? undefined : within(otlpMetrics.shutdown(), 'OTLP metrics shutdown'),
      ]);
      tracing = undefined;
      otlpMetrics = undefined;
      initPromise = undefined;
    },
  };
}
