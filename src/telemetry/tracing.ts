/**
 * Spans through the OpenTelemetry API (so they reach whatever provider the app registered), and
 * `init()`, which registers a Node tracer provider with a batch processor and the OTLP/HTTP
 * exporter when the app has none. The SDK pieces are optional peers, loaded only by `init()`.
 */
import {
  type Attributes,
  context,
  ProxyTracerProvider,
  propagation,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { EliteError, messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import { redactUrlCredentials } from '../internal/redact.js';
import { createExporterPair, type ExporterLike, type ExportReporter, guardExporter } from './export-guard.js';
import { GEN_AI } from './llm.js';
import { buildResource, loadOtelPackage, otelDisabled, otelEnv, type SdkCtor, signalUrl } from './otel-sdk.js';
import type { InitOptions, InitResult } from './types.js';

/** Instrumentation scope of every span we create. */
export const TRACER_NAME = '@tiqology/elite';

/**
 * Our tracer, bound late: each span asks the global API for the current provider, and a new
 * tracer is taken when the provider changed. A tracer taken once, up front, stays a no-op when
 * the provider is registered later through another copy of `@opentelemetry/api` — what happens
 * in a bundled app (Next.js), where this module's copy is bundled and the SDK that `init()`
 * loads at runtime registers through the one in node_modules. Copies share the global, not
 * their proxies.
 */
export function getTracer(): Tracer {
  let provider: TracerProvider | undefined;
  let current: Tracer | undefined;
  const resolve = (): Tracer => {
    const now = trace.getTracerProvider();
    if (now !== provider || current === undefined) {
      provider = now;
      current = now.getTracer(TRACER_NAME);
    }
    return current;
  };
  return {
    startSpan: (name, options, ctx) => resolve().startSpan(name, options, ctx),
    startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) =>
      (resolve().startActiveSpan as (...args: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
  };
}

/** Marks `span` failed: the exception recorded as an event, status ERROR, `error.type` set. */
export function recordFailure(span: Span, error: unknown, errorType?: string): void {
  const type = errorType ?? (error instanceof Error ? error.constructor.name || error.name : typeof error);
  span.recordException(error instanceof Error ? error : { name: type, message: messageOf(error) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
  span.setAttribute(GEN_AI.ERROR_TYPE, type);
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';

/**
 * Runs `fn` inside a new active span named `name` and ends the span on every exit path: return,
 * throw, resolved or rejected promise. Failures are recorded (exception event, status ERROR,
 * `error.type`) and rethrown unchanged; success leaves the status unset, as the OpenTelemetry
 * spec asks of instrumentation. The value `fn` returns is returned (a promise stays a promise).
 */
export function runInSpan<T>(tracer: Tracer, name: string, fn: (span: Span) => T, attributes?: Attributes): T {
  // startSpan + context.with rather than startActiveSpan: the same work, without a closure per call.
  const span = attributes === undefined ? tracer.startSpan(name) : tracer.startSpan(name, { attributes });
  return context.with(trace.setSpan(context.active(), span), runBody<T>, undefined, span, fn);
}

function runBody<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (error) {
    recordFailure(span, error);
    span.end();
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordFailure(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** What `initTracing` registered, for shutdown. */
export interface TracingHandle {
  /** Exports the spans the batch processor holds. */
  forceFlush(): Promise<void>;
  /** Shuts the provider down and unregisters the global tracer, so `init()` can register again. */
  shutdown(): Promise<void>;
}

/** True when a real tracer provider (not the API's no-op) is registered globally. */
export function hasRegisteredProvider(): boolean {
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  // Duck-typed: the global may be the proxy of another copy of @opentelemetry/api.
  const delegate = typeof global.getDelegate === 'function' ? global.getDelegate() : global;
  // A fresh proxy's delegate is the API's shared no-op provider.
  if (delegate === new ProxyTracerProvider().getDelegate()) return false;
  return (delegate as { constructor?: { name?: string } })?.constructor?.name !== 'NoopTracerProvider';
}

/** Validates `init()` options synchronously; throws `INVALID_OPTIONS` with what to do. */
export function checkInitOptions(options: InitOptions): void {
  const bad = (field: string, message: string): never => {
    throw new EliteError('INVALID_OPTIONS', `elite/telemetry: ${field} ${message}`, { field });
  };
  const ratio = options.sampleRatio;
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
    bad('sampleRatio', `must be between 0 and 1, got ${String(ratio)}`);
  }
  if (options.serviceName !== undefined && (typeof options.serviceName !== 'string' || options.serviceName === '')) {
    bad('serviceName', 'must be a non-empty string');
  }
  const endpoint = options.otlp?.endpoint;
  if (endpoint !== undefined) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(endpoint).protocol);
    } catch {}
    // Redacted: an endpoint often carries its credentials (user:key@, ?api-key=).
    if (!ok)
      bad(
        'otlp.endpoint',
        `must be an http(s) URL such as http://localhost:4318, got ${typeof endpoint === 'string' ? JSON.stringify(redactUrlCredentials(endpoint)) : typeof endpoint}`,
      );
  }
  const wholeMs = (field: string, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0))
      bad(field, `must be a whole number > 0, got ${String(value)}`);
  };
  for (const [key, value] of Object.entries(options.batch ?? {})) wholeMs(`batch.${key}`, value);
  wholeMs('otlp.timeoutMs', options.otlp?.timeoutMs);
  wholeMs('otlp.finalExportTimeoutMs', options.otlp?.finalExportTimeoutMs);
  const metrics = options.otlpMetrics;
  if (metrics !== undefined && typeof metrics !== 'boolean' && (metrics === null || typeof metrics !== 'object'))
    bad('otlpMetrics', `must be true, false or { intervalMs?, timeoutMs? }, got ${String(metrics)}`);
  if (typeof metrics === 'object' && metrics !== null) {
    wholeMs('otlpMetrics.intervalMs', metrics.intervalMs);
    wholeMs('otlpMetrics.timeoutMs', metrics.timeoutMs);
  }
}

/** The traces URL for a base or full OTLP/HTTP endpoint. */
export const tracesUrl = (endpoint: string): string => signalUrl(endpoint, 'traces');

const INSTALL = 'npm install @opentelemetry/sdk-trace-node@2 @opentelemetry/exporter-trace-otlp-http@0.223 @opentelemetry/resources@2';
const load = (specifier: string) => loadOtelPackage(specifier, 'init()', INSTALL);

/**
 * Registers a NodeTracerProvider (batch processor → OTLP/HTTP exporter) unless the app already
 * registered a provider, in which case that one is kept and our spans flow into it.
 * Options left out fall to the SDK's own reading of `OTEL_*` variables.
 */
export async function initTracing(
  options: InitOptions,
  logger: SafeLogger,
  reporter: ExportReporter,
): Promise<{ tracing: InitResult['tracing']; handle?: TracingHandle }> {
  // The OpenTelemetry specification reads any value but "true" as false and asks for a warning
  // when it is neither: OTEL_SDK_DISABLED=1 would otherwise leave tracing on without a word.
  if (otelDisabled()) return { tracing: 'disabled' };
  const disabled = otelEnv().OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled && disabled !== 'false') {
    logger.warn(`elite/telemetry: OTEL_SDK_DISABLED="${disabled}" is read as false (tracing stays on); set it to true or false`);
  }
  if (hasRegisteredProvider()) {
    logger.info?.('elite/telemetry: a tracer provider is already registered; spans go to it');
    return { tracing: 'attached' };
  }
  const [node, resources, otlp] = await Promise.all([
    load('@opentelemetry/sdk-trace-node'),
    load('@opentelemetry/resources'),
    options.exporter ? Promise.resolve(undefined) : load('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const resource = buildResource(resources, options.serviceName, options.resourceAttributes);
  const exporterConfig: Record<string, unknown> = {};
  if (options.otlp?.endpoint !== undefined) exporterConfig.url = tracesUrl(options.otlp.endpoint);
  if (options.otlp?.headers !== undefined) exporterConfig.headers = options.otlp.headers;
  const countSpans = (spans: unknown) => (Array.isArray(spans) ? spans.length : 0);
  const exporter = options.exporter
    ? guardExporter('spans', options.exporter as ExporterLike, undefined, countSpans, reporter)
    : createExporterPair(
        'spans',
        options.otlp,
        (timeout) =>
          new (otlp as { OTLPTraceExporter: SdkCtor }).OTLPTraceExporter({ ...exporterConfig, ...timeout }) as unknown as ExporterLike,
        countSpans,
        reporter,
      );
  const batch: Record<string, number> = {};
  const batchOptions = options.batch ?? {};
  if (batchOptions.scheduledDelayMs !== undefined) batch.scheduledDelayMillis = batchOptions.scheduledDelayMs;
  if (batchOptions.maxQueueSize !== undefined) batch.maxQueueSize = batchOptions.maxQueueSize;
  if (batchOptions.maxExportBatchSize !== undefined) batch.maxExportBatchSize = batchOptions.maxExportBatchSize;
  if (batchOptions.exportTimeoutMs !== undefined) batch.exportTimeoutMillis = batchOptions.exportTimeoutMs;
  const sdk = node as Record<string, SdkCtor>;
  const processor = new (sdk.BatchSpanProcessor as SdkCtor)(exporter, batch);
  const config: Record<string, unknown> = { resource, spanProcessors: [processor] };
  if (options.sampleRatio !== undefined) {
    config.sampler = new (sdk.ParentBasedSampler as SdkCtor)({ root: new (sdk.TraceIdRatioBasedSampler as SdkCtor)(options.sampleRatio) });
  }
  const provider = new (sdk.NodeTracerProvider as SdkCtor)(config);
  (provider.register as () => void)();
  return {
    tracing: 'registered',
    handle: {
      // The processor's own flush: it rejects with the exporter's error (the provider's turns it into an array of states).
      forceFlush: () => processor.forceFlush?.() as Promise<void>,
      shutdown: async () => {
        exporter.finalPhase();
        try {
          await (provider.shutdown?.() as Promise<void>);
        } catch (error) {
          // A failed last export was counted and warned about by the reporter: not a second warning.
          if (!reporter.reported(error)) throw error;
        } finally {
          // The processor skips the exporter's shutdown when its last export failed.
          await exporter.shutdown();
          // Unregister so a later init() can register again (tests, hot reload).
          trace.disable();
          context.disable();
          propagation.disable();
        }
      },
    },
  };
}
