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
import type { PromRegistryLike } from './registry.js';
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
 */
export function createLifecycle(
  logger: SafeLogger,
  shutdownTimeoutMs: number,
  registry: () => Promise<PromRegistryLike>,
  alertTimer: { startTimer(): void; stopTimer(): void },
  discordNotifiers: ReadonlySet<DiscordNotifier>,
): Lifecycle {
  let initPromise: Promise<InitResult> | undefined;
  let tracing: TracingHandle | undefined;

  return {
    init(initOptions: InitOptions = {}) {
      checkInitOptions(initOptions);
      initPromise ??= (async () => {
        const result = await initTracing(initOptions, logger);
        tracing = result.handle;
        let metrics = true;
        try {
          await registry();
        } catch (error) {
          metrics = false;
          logger.warn(`elite/telemetry: metrics are off: ${redactUrlCredentials(messageOf(error))}`);
        }
        alertTimer.startTimer();
        return { tracing: result.tracing, metrics };
      })();
      initPromise.catch(() => {
        initPromise = undefined;
      });
      return initPromise;
    },

    async flush() {
      try {
        await tracing?.forceFlush();
      } catch (error) {
        logger.warn(`elite/telemetry: span flush failed: ${redactUrlCredentials(messageOf(error))}`);
      }
      await Promise.all([...discordNotifiers].map((notifier) => notifier.flush()));
    },

    async shutdown() {
      alertTimer.stopTimer();
      // One deadline for the whole shutdown: a process manager waits only so long before SIGKILL.
      const deadline = Date.now() + shutdownTimeoutMs;
      await Promise.all([...discordNotifiers].map((notifier) => notifier.close(shutdownTimeoutMs)));
      try {
        if (tracing !== undefined) {
          await withTimeout(
            tracing.shutdown(),
            Math.max(0, deadline - Date.now()),
            () =>
              new EliteError('TIMEOUT', `tracer shutdown still running after shutdownTimeoutMs (${shutdownTimeoutMs} ms); left to finish`),
          );
        }
      } catch (error) {
        logger.warn(`elite/telemetry: tracer shutdown failed: ${redactUrlCredentials(messageOf(error))}`);
      }
      tracing = undefined;
      initPromise = undefined;
    },
  };
}
