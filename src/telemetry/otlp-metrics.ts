/**
 * OTLP/HTTP export of the metric families (`init({ otlpMetrics })`, `OTEL_METRICS_EXPORTER=otlp`):
 * a `MeterProvider` of its own (not registered globally, so the app's metrics pipeline is left as it
 * is) with a periodic reader whose metric producer reads the families at each collection. The SDK
 * pieces are optional peers, loaded only here.
 */
import { EliteError } from '../internal/errors.js';
import { createExporterPair, type ExporterLike, type ExportReporter } from './export-guard.js';
import { buildResource, loadOtelPackage, otelDisabled, otelEnv, type SdkCtor, signalUrl } from './otel-sdk.js';
import { countDataPoints, type MetricDataEnums, toScopeMetrics } from './otlp-metric-data.js';
import type { PromMetricLike } from './prom-metric.js';
import { TRACER_NAME } from './tracing.js';
import type { InitOptions } from './types.js';

/** What `initOtlpMetrics` set up, for flush and shutdown. */
export interface OtlpMetricsHandle {
  /** Collects and exports now. */
  forceFlush(): Promise<void>;
  /** Exports once more (one attempt), then stops the reader. */
  shutdown(): Promise<void>;
}

/** Default of `otlpMetrics.intervalMs` when `OTEL_METRIC_EXPORT_INTERVAL` is not set, as the SDK's. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;
/** Default of `otlpMetrics.timeoutMs` when `OTEL_METRIC_EXPORT_TIMEOUT` is not set, as the SDK's. */
export const DEFAULT_METRIC_EXPORT_TIMEOUT_MS = 30_000;

const INSTALL = 'npm install @opentelemetry/sdk-metrics@2 @opentelemetry/exporter-metrics-otlp-http@0.223 @opentelemetry/resources@2';

/** Whether `options` (else `OTEL_METRICS_EXPORTER`) ask for OTLP metrics. */
export function wantsOtlpMetrics(options: InitOptions): boolean {
  if (options.otlpMetrics !== undefined) return options.otlpMetrics !== false;
  return (otelEnv().OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .includes('otlp');
}

/** A whole number of ms > 0 from an `OTEL_*` variable; throws `INVALID_OPTIONS` naming it when it is not one. */
function envMs(name: string): number | undefined {
  const raw = otelEnv()[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new EliteError('INVALID_OPTIONS', `elite/telemetry: ${name} must be a whole number of ms > 0, got ${JSON.stringify(raw)}`, {
      field: name,
    });
  }
  return value;
}

/** The reader's interval and timeout: the options, else `OTEL_METRIC_EXPORT_*`, else the SDK's defaults; the timeout at most the interval. */
export function exportSchedule(options: InitOptions): { intervalMs: number; timeoutMs: number } {
  const own = typeof options.otlpMetrics === 'object' ? options.otlpMetrics : {};
  const intervalMs = own.intervalMs ?? envMs('OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS;
  const timeoutMs = Math.min(own.timeoutMs ?? envMs('OTEL_METRIC_EXPORT_TIMEOUT') ?? DEFAULT_METRIC_EXPORT_TIMEOUT_MS, intervalMs);
  return { intervalMs, timeoutMs };
}

/**
 * Starts exporting `metrics` over OTLP/HTTP when `options` ask for it; `undefined` when they do not
 * or `OTEL_SDK_DISABLED=true`. Rejects with `MISSING_DEPENDENCY` when an SDK piece is missing.
 */
export async function initOtlpMetrics(
  options: InitOptions,
  metrics: readonly PromMetricLike[],
  reporter: ExportReporter,
): Promise<OtlpMetricsHandle | undefined> {
  if (!wantsOtlpMetrics(options) || otelDisabled()) return undefined;
  const schedule = exportSchedule(options);
  const [sdk, otlp, resources] = await Promise.all([
    loadOtelPackage('@opentelemetry/sdk-metrics', 'otlpMetrics', INSTALL),
    loadOtelPackage('@opentelemetry/exporter-metrics-otlp-http', 'otlpMetrics', INSTALL),
    loadOtelPackage('@opentelemetry/resources', 'otlpMetrics', INSTALL),
  ]);
  const resource = buildResource(resources, options.serviceName, options.resourceAttributes);
  const config: Record<string, unknown> = {};
  // Left out, the exporter reads OTEL_EXPORTER_OTLP_METRICS_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT and the headers variables itself.
  if (options.otlp?.endpoint !== undefined) config.url = signalUrl(options.otlp.endpoint, 'metrics');
  if (options.otlp?.headers !== undefined) config.headers = options.otlp.headers;
  const Exporter = (otlp as { OTLPMetricExporter: SdkCtor }).OTLPMetricExporter;
  const exporter = createExporterPair(
    'metrics',
    options.otlp,
    (timeout) => new Exporter({ ...config, ...timeout }) as unknown as ExporterLike,
    countDataPoints,
    reporter,
  );
  const startMs = Date.now();
  const enums = sdk as unknown as MetricDataEnums;
  const producer = {
    collect: async () => ({
      resourceMetrics: { resource, scopeMetrics: [await toScopeMetrics(metrics, enums, TRACER_NAME, startMs)] },
      errors: [],
    }),
  };
  const reader = new (sdk.PeriodicExportingMetricReader as SdkCtor)({
    exporter,
    exportIntervalMillis: schedule.intervalMs,
    exportTimeoutMillis: schedule.timeoutMs,
    metricProducers: [producer],
  });
  const provider = new (sdk.MeterProvider as SdkCtor)({ resource, readers: [reader] });
  return {
    forceFlush: () => reader.forceFlush?.() as Promise<void>,
    shutdown: async () => {
      exporter.finalPhase();
      // The reader never rejects on a failed export (the reporter counted and warned); it resolves once the exporter is shut down.
      await (provider.shutdown?.() as Promise<void>);
    },
  };
}
