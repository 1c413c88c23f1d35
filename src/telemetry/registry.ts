/**
 * The prom-client registry of a telemetry instance: prom-client loaded on first use, a private
 * registry or the process-wide one, and the instance's metrics registered in it.
 */
import { EliteError } from '../internal/errors.js';
import { GLOBAL_KEYS, globalSingleton } from '../internal/global-keys.js';
import { loadPromClient, type PromMetricLike, type PromRegistryLike } from './metrics.js';
import type { TelemetryOptions } from './types.js';

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
    throw new EliteError(
      'MISSING_DEPENDENCY',
      'elite/telemetry: metrics need prom-client (npm install prom-client@15); it cannot load here',
      {
        cause: error,
      },
    );
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
