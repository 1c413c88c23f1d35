/**
 * The prom-client registry of a telemetry instance: prom-client loaded on first use, a private
 * registry or the process-wide one, and the instance's metrics registered in it.
 */
import { EliteError } from '../internal/errors.js';
import { GLOBAL_KEYS, globalSingleton } from '../internal/global-keys.js';
import { importPromClient, loadFailure } from '../internal/optional-import.js';
import { addDefaultMetrics, hasDefaultMetrics, removeDefaultMetrics } from './default-metrics.js';
import type { PromMetricLike } from './prom-metric.js';

/** The subset of prom-client this module calls, typed structurally (prom-client is loaded lazily). */
export interface PromClientLike {
  /** prom-client's `Registry` class. */
  Registry: new () => PromRegistryLike;
  /** Registers the process metrics (CPU, memory, event loop lag) in `register`. */
  collectDefaultMetrics(options: { register: PromRegistryLike }): void;
  /** prom-client's default registry (the one `collectDefaultMetrics()` without options fills). */
  register?: PromRegistryLike;
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
  /** Every registered metric (prom-client's own method; used to tell which process metrics were added). */
  getMetricsAsArray?(): readonly RegisteredMetric[];
}

/** A metric as a registry lists it; only the name is read. */
export interface RegisteredMetric {
  /** The metric's name. */
  name: string;
}

/** prom-client's module object, whether the runtime hands back its named exports or a CJS default. Rejects when it cannot load. */
export async function loadPromClient(): Promise<PromClientLike> {
  const mod = await importPromClient();
  return (typeof mod.Registry === 'function' ? mod : mod.default) as unknown as PromClientLike;
}

/** Key of the process-wide prom-client registry, shared by every copy of the SDK. */
export const REGISTRY_KEY: symbol = GLOBAL_KEYS.telemetryRegistry;

/** The options that choose the registry: the app's own, the process-wide one, or a new one; process metrics or not. */
export interface RegistryChoice {
  /** `TelemetryOptions.defaultMetrics`. */
  defaultMetrics?: boolean | undefined;
  /** `TelemetryOptions.globalRegistry`. */
  globalRegistry?: boolean | undefined;
  /** `TelemetryOptions.registry`. */
  registry?: PromRegistryLike | undefined;
}

/** What the process-wide registry holds, shared by every copy of the SDK under {@link REGISTRY_KEY}. */
interface GlobalRegistryHolder {
  registry?: PromRegistryLike;
  /** Process metrics were added to it. */
  defaults?: boolean;
  /** Their names, so that a later `defaultMetrics: false` can remove them. */
  defaultNames?: string[];
}

const globalHolder = () => globalSingleton<GlobalRegistryHolder>(REGISTRY_KEY, () => ({}));

// The process metrics this copy added to registries other than the process-wide one, and prom-client's default `register` as loaded.
const addedDefaults = new WeakMap<PromRegistryLike, string[]>();
let promDefaultRegister: PromRegistryLike | undefined;

/**
 * Takes the process metrics we added out of `registry` once prom-client's default `register` holds
 * them too: an app that calls `collectDefaultMetrics()` after our registry loaded, then merges the
 * two (`Registry.merge([register, await telemetry.registry()])`), gets them once, from its own.
 */
function yieldDefaultsToApp(registry: PromRegistryLike): void {
  if (promDefaultRegister === undefined || promDefaultRegister === registry || !hasDefaultMetrics(promDefaultRegister)) return;
  const holder = globalHolder();
  const names = holder.registry === registry ? (holder.defaults ? holder.defaultNames : undefined) : addedDefaults.get(registry);
  if (!names?.length) return;
  removeDefaultMetrics(registry, names);
  addedDefaults.delete(registry);
  if (holder.registry === registry) {
    holder.defaults = false;
    holder.defaultNames = [];
  }
}

/** Whether `choice` asks for process metrics: explicit, else on for the process-wide registry only. */
const wantsDefaults = (choice: RegistryChoice): boolean => choice.defaultMetrics ?? (choice.globalRegistry === true && !choice.registry);

/**
 * Applies a `defaultMetrics: false` to the process-wide registry at once, when it is already loaded:
 * `telemetry.configure({ defaultMetrics: false })` after the first scrape takes the process metrics
 * out before the next one, instead of being silently ignored.
 */
export function dropGlobalDefaultsIfUnwanted(choice: RegistryChoice): void {
  if (choice.globalRegistry !== true || choice.registry || wantsDefaults(choice)) return;
  const holder = globalHolder();
  if (holder.registry === undefined || !holder.defaults) return;
  removeDefaultMetrics(holder.registry, holder.defaultNames ?? []);
  holder.defaults = false;
  holder.defaultNames = [];
}

/**
 * Loads prom-client and registers `metrics` in the registry `options` ask for (the app's `registry`,
 * the process-wide one with `globalRegistry`, else a new one), adding the process metrics when
 * `defaultMetrics` and nobody added them yet (see default-metrics.ts).
 * Rejects with `MISSING_DEPENDENCY` when prom-client cannot load.
 */
export async function loadRegistry(options: RegistryChoice, metrics: readonly PromMetricLike[]): Promise<PromRegistryLike> {
  let prom: Awaited<ReturnType<typeof loadPromClient>>;
  try {
    prom = await loadPromClient();
  } catch (error) {
    const install = 'it is a dependency of @tiqology/elite (npm install prom-client@15); a bundled or traced deployment must ship it';
    throw new EliteError('MISSING_DEPENDENCY', `elite/telemetry: metrics need prom-client; ${loadFailure('prom-client', error, install)}`, {
      cause: error,
    });
  }
  promDefaultRegister = prom.register;
  const defaults = wantsDefaults(options);
  // Already in prom-client's default `register`: an app that merges it with ours (`Registry.merge`) must not get them twice.
  const elsewhere = (registry: PromRegistryLike) =>
    hasDefaultMetrics(registry) || (prom.register !== registry && hasDefaultMetrics(prom.register));
  let registry: PromRegistryLike;
  if (options.registry) {
    registry = options.registry;
    if (defaults && !elsewhere(registry))
      addedDefaults.set(
        registry,
        addDefaultMetrics(registry, () => prom.collectDefaultMetrics({ register: registry })),
      );
  } else if (options.globalRegistry) {
    const holder = globalHolder();
    holder.registry ??= new prom.Registry();
    const global = holder.registry;
    registry = global;
    if (!defaults) dropGlobalDefaultsIfUnwanted(options);
    else if (!holder.defaults && !elsewhere(global)) {
      holder.defaults = true;
      holder.defaultNames = addDefaultMetrics(global, () => prom.collectDefaultMetrics({ register: global }));
    }
  } else {
    const own = new prom.Registry();
    registry = own;
    if (defaults && !elsewhere(own))
      addedDefaults.set(
        own,
        addDefaultMetrics(own, () => prom.collectDefaultMetrics({ register: own })),
      );
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
 * load is forgotten, so the next call tries again (prom-client installed meanwhile, say). Each call
 * gives the process metrics up to prom-client's default `register` when the app added them there since.
 */
export function createRegistryLoader(options: RegistryChoice, metrics: readonly PromMetricLike[]): () => Promise<PromRegistryLike> {
  let registryPromise: Promise<PromRegistryLike> | undefined;
  return () => {
    registryPromise ??= loadRegistry(options, metrics);
    registryPromise.catch(() => {
      registryPromise = undefined;
    });
    return registryPromise.then((registry) => {
      yieldDefaultsToApp(registry);
      return registry;
    });
  };
}
