/**
 * The prom-client registry of a telemetry instance: prom-client loaded on first use, a private
 * registry or the process-wide one, and the instance's metrics registered in it.
 */
import { EliteError } from '../internal/errors.js';
import { GLOBAL_KEYS, globalSingleton } from '../internal/global-keys.js';
import { importPromClient, loadFailure } from '../internal/optional-import.js';
import type { PromMetricLike } from './prom-metric.js';
import type { TelemetryOptions } from './types.js';

/** The subset of prom-client this module calls, typed structurally (prom-client is loaded lazily). */
export interface PromClientLike {
  /** prom-client's `Registry` class. */
  Registry: new () => PromRegistryLike;
  /** Registers the process metrics (CPU, memory, event loop lag) in `register`. */
  collectDefaultMetrics(options: { register: PromRegistryLike }): void;
}

/** The prom-client registry methods the SDK calls, typed structurally; a real `Registry` satisfies it. */
export interface PromRegistryLike {
  /** The exposition's `content-type` header value. */
  contentType: string;
  /** The Prometheus text exposition of every registered metric. */
  metrics(): Promise<string>;
  /** Adds a metric; prom-client throws when the name is taken. */
  registerMetric(metric: unknown): void;
  /** Removes the metric of that name, if any. */
  removeSingleMetric(name: string): void;
  /** The metric of that name, or `undefined`. */
  getSingleMetric(name: string): unknown;
}

/** prom-client's module object, whether the runtime hands back its named exports or a CJS default. Rejects when it cannot load. */
export async function loadPromClient(): Promise<PromClientLike> {
  const mod = await importPromClient();
  return (typeof mod.Registry === 'function' ? mod : mod.default) as unknown as PromClientLike;
}

/** Key of the process-wide prom-client registry, shared by every copy of the SDK. */
export const REGISTRY_KEY: symbol = GLOBAL_KEYS.telemetryRegistry;

/**
 * Loads prom-client and registers `metrics` in the registry `options` ask for (the process-wide
 * one with `globalRegistry`, else a new one), adding the process metrics when `defaultMetrics`.
 * Rejects with `MISSING_DEPENDENCY` when prom-client cannot load.
 */
export async function loadRegistry(
  options: Pick<TelemetryOptions, 'defaultMetrics' | 'globalRegistry'>,
  metrics: readonly PromMetricLike[],
): Promise<PromRegistryLike> {
  let prom: Awaited<ReturnType<typeof loadPromClient>>;
  try {
    prom = await loadPromClient();
  } catch (error) {
    const install = 'it is a dependency of @tiqology/elite: npm install prom-client@15, and ship it with a bundled or traced deployment';
    throw new EliteError('MISSING_DEPENDENCY', `elite/telemetry: metrics need prom-client; ${loadFailure('prom-client', error, install)}`, {
      cause: error,
    });
  }
  const defaults = options.defaultMetrics ?? options.globalRegistry === true;
  let registry: PromRegistryLike;
  if (options.globalRegistry) {
    const holder = globalSingleton<{ registry?: PromRegistryLike; defaults?: boolean }>(REGISTRY_KEY, () => ({}));
    holder.registry ??= new prom.Registry();
    registry = holder.registry;
    if (defaults && !holder.defaults) {
      holder.defaults = true;
      prom.collectDefaultMetrics({ register: registry });
    }
  } else {
    registry = new prom.Registry();
    if (defaults) prom.collectDefaultMetrics({ register: registry });
  }
  for (const metric of metrics) {
    // The newest instance wins a name (configure() replaces the default instance).
    if (registry.getSingleMetric(metric.name) !== undefined) registry.removeSingleMetric(metric.name);
    registry.registerMetric(metric);
  }
  return registry;
}

/**
 * `telemetry.registry()`: {@link loadRegistry} once, its promise shared by every caller; a failed
 * load is forgotten, so the next call tries again (prom-client installed meanwhile, say).
 */
export function createRegistryLoader(
  options: Pick<TelemetryOptions, 'defaultMetrics' | 'globalRegistry'>,
  metrics: readonly PromMetricLike[],
): () => Promise<PromRegistryLike> {
  let registryPromise: Promise<PromRegistryLike> | undefined;
  return () => {
    registryPromise ??= loadRegistry(options, metrics);
    registryPromise.catch(() => {
      registryPromise = undefined;
    });
    return registryPromise;
  };
}
