/**
 * The OTLP exporters of spans and metrics, wrapped so that a collector that is down costs the app
 * one warning and a count, and at most `finalExportTimeoutMs` at shutdown.
 *
 * Why a second exporter for the last export: the OTLP exporter retries a refused connection after
 * about 1 s, 1.5 s, 2.25 s… within its `timeoutMillis` (10 s by default), which is right while the app
 * runs and held `shutdown()` for about 8 s when nothing listens. The retry cannot be turned off per
 * call, and a retry left running keeps the process alive; an exporter whose timeout is shorter than
 * the first backoff makes exactly one attempt.
 */
import { messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import { redactUrlCredentials } from '../internal/redact.js';
import type { TelemetryCounts } from './self-metrics.js';

/** Default of `InitOptions.otlp.finalExportTimeoutMs`: shorter than the exporter's first retry backoff (1 s ± 20 %). */
export const DEFAULT_FINAL_EXPORT_TIMEOUT_MS = 500;

/** An export's outcome as OpenTelemetry's exporters report it (`code` 0 is success). */
export interface ExportResultLike {
  /** 0 success, 1 failure. */
  code: number;
  /** Why it failed. */
  error?: Error;
}

/** What the span processor and the metric reader call on an exporter. */
export interface ExporterLike {
  /** Exports `items` and reports the outcome through `done`. */
  export(items: unknown, done: (result: ExportResultLike) => void): void;
  /** Waits for pending exports, then releases the exporter. */
  shutdown(): Promise<void>;
  /** Exports anything the exporter itself buffers. */
  forceFlush?(): Promise<void>;
}

/** The signal an exporter carries; names the counter a failure goes to. */
export type Signal = 'spans' | 'metrics';

/** Counts failed exports and warns once per outage, for every exporter of a telemetry instance. */
export interface ExportReporter {
  /** An export of `items` spans or metric points failed; the returned error is the one reported. */
  failed(signal: Signal, items: number, error: Error | undefined): Error;
  /** An export succeeded: the next failure warns again. */
  succeeded(): void;
  /** True for an error `failed` returned (already counted and warned about). */
  reported(error: unknown): boolean;
}

/**
 * One reporter per instance: the first failure warns (with the collector's message, credentials
 * redacted), later ones are only counted until an export succeeds. So a collector that is down
 * while both spans and metrics flush at shutdown gives one warning, not one per signal.
 */
export function createExportReporter(logger: SafeLogger, counts: TelemetryCounts): ExportReporter {
  let quiet = false;
  const reported = new WeakSet<Error>();
  return {
    failed(signal, items, error) {
      if (signal === 'spans') counts.droppedSpans += items;
      else counts.failedMetricExports++;
      const why = redactUrlCredentials(messageOf(error ?? 'export failed'));
      if (!quiet) {
        quiet = true;
        const lost =
          signal === 'spans'
            ? `${items} spans dropped (stats().droppedSpans)`
            : 'metrics not delivered this time (stats().failedMetricExports; the next export carries the totals)';
        logger.warn(
          `elite/telemetry: OTLP export of ${signal} failed: ${why}; ${lost}. Further failures are only counted until an export succeeds.`,
        );
      }
      const out = error ?? new Error(why);
      reported.add(out);
      return out;
    },
    succeeded() {
      quiet = false;
    },
    reported: (error) => error instanceof Error && reported.has(error),
  };
}

/** An exporter with {@link guardExporter}'s accounting and final phase. */
export interface GuardedExporter extends ExporterLike {
  /** From now on exports go to the final exporter (one attempt, short deadline). Call it before the provider's shutdown. */
  finalPhase(): void;
}

/**
 * Wraps `main`: every outcome goes to `reporter` (`count` says how many items an export carried),
 * and after `finalPhase()` exports go to the exporter `makeFinal` builds, when given.
 */
export function guardExporter(
  signal: Signal,
  main: ExporterLike,
  makeFinal: (() => ExporterLike) | undefined,
  count: (items: unknown) => number,
  reporter: ExportReporter,
): GuardedExporter {
  let final: ExporterLike | undefined;
  let closing: Promise<void> | undefined;
  return {
    export(items, done) {
      (final ?? main).export(items, (result) => {
        if (result.code === 0) {
          reporter.succeeded();
          done(result);
        } else done({ code: result.code, error: reporter.failed(signal, count(items), result.error) });
      });
    },
    finalPhase() {
      if (makeFinal !== undefined) final ??= makeFinal();
    },
    forceFlush: async () => {
      await Promise.all([main.forceFlush?.(), final?.forceFlush?.()]);
    },
    shutdown() {
      closing ??= Promise.all([main.shutdown(), final?.shutdown()]).then(() => undefined);
      return closing;
    },
  };
}

/**
 * The main exporter (`otlp.timeoutMs`, else the exporter's own reading of `OTEL_EXPORTER_OTLP_TIMEOUT`)
 * and, built at shutdown, the final one (`otlp.finalExportTimeoutMs`, at most `otlp.timeoutMs`), guarded.
 * @param make Builds an OTLP exporter with the given `timeoutMillis` config (empty: the exporter's default).
 */
export function createExporterPair(
  signal: Signal,
  otlp: { timeoutMs?: number | undefined; finalExportTimeoutMs?: number | undefined } | undefined,
  make: (timeout: { timeoutMillis?: number }) => ExporterLike,
  count: (items: unknown) => number,
  reporter: ExportReporter,
): GuardedExporter {
  const main = make(otlp?.timeoutMs === undefined ? {} : { timeoutMillis: otlp.timeoutMs });
  const finalMs = Math.min(otlp?.finalExportTimeoutMs ?? DEFAULT_FINAL_EXPORT_TIMEOUT_MS, otlp?.timeoutMs ?? Number.POSITIVE_INFINITY);
  return guardExporter(signal, main, () => make({ timeoutMillis: finalMs }), count, reporter);
}
