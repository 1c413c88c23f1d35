/**
 * What the tracing and OTLP metrics set-ups share: loading an optional OpenTelemetry package with an
 * install hint, the resource every signal carries (`service.name`, `OTEL_RESOURCE_ATTRIBUTES`), and
 * the signal URL under a collector's base endpoint.
 */
import type { Attributes } from '@opentelemetry/api';
import { EliteError } from '../internal/errors.js';
import { importOptional, loadFailure } from '../internal/optional-import.js';

/** A constructor of the loaded SDK, typed loosely (the SDK is an optional peer, loaded at run time). */
export type SdkCtor = new (...args: unknown[]) => Record<string, (...args: unknown[]) => unknown>;

/** The standard `OTEL_*` variables (empty where `process` does not exist). */
export const otelEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/** `OTEL_SDK_DISABLED=true`: the SDK exports nothing. */
export const otelDisabled = (): boolean => otelEnv().OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';

/**
 * `import()`s an optional OpenTelemetry package; rejects with `MISSING_DEPENDENCY` naming `feature`
 * and `install`, the whole command line that brings what it needs.
 */
export async function loadOtelPackage(specifier: string, feature: string, install: string): Promise<Record<string, unknown>> {
  try {
    return await importOptional(specifier);
  } catch (error) {
    const whatToDo = `install it: ${install} (a bundled or traced deployment must ship them: docs/telemetry.md)`;
    throw new EliteError(
      'MISSING_DEPENDENCY',
      `elite/telemetry: ${feature} needs ${specifier}; ${loadFailure(specifier, error, whatToDo)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The SDK's default resource, then what `OTEL_SERVICE_NAME`/`OTEL_RESOURCE_ATTRIBUTES` say, then
 * `resourceAttributes` and `serviceName`: the later wins.
 */
export function buildResource(
  resources: Record<string, unknown>,
  serviceName: string | undefined,
  resourceAttributes: Attributes | undefined,
): unknown {
  const res = resources as {
    defaultResource(): { merge(other: unknown): unknown };
    detectResources(config: { detectors: unknown[] }): unknown;
    envDetector: unknown;
    resourceFromAttributes(attributes: Attributes): unknown;
  };
  const own: Attributes = { ...resourceAttributes };
  if (serviceName !== undefined) own['service.name'] = serviceName;
  return (res.defaultResource().merge(res.detectResources({ detectors: [res.envDetector] })) as { merge(other: unknown): unknown }).merge(
    res.resourceFromAttributes(own),
  );
}

/** The URL of `signal` (`traces`, `metrics`) for a collector's base endpoint or a full signal URL. */
export function signalUrl(endpoint: string, signal: 'traces' | 'metrics'): string {
  if (new RegExp(`/v1/${signal}/?$`).test(endpoint)) return endpoint;
  // A full URL of the other signal names the collector too.
  return `${endpoint.replace(/\/v1\/(traces|metrics)\/?$/, '').replace(/\/+$/, '')}/v1/${signal}`;
}
