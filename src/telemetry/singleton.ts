import { createTelemetry, type Telemetry } from './telemetry.js';
import type { FlagStatsSource, TelemetryOptions } from './types.js';

/** The ready-made instance: {@link Telemetry} plus `configure`. */
export interface DefaultTelemetry extends Telemetry {
  /**
   * Replaces the instance behind `telemetry` with one built from `options` (the previous one is
   * shut down). Call it before `init()` and `instrumentOpenAI()`. Throws `EliteError` on invalid
   * options, like `createTelemetry`.
   */
  configure(options: TelemetryOptions): void;
}

// One instance per process, even when the ESM and CJS builds (or two bundles) are both loaded.
const GLOBAL_KEY = Symbol.for('@tiqology/elite/telemetry');
type Holder = { instance?: Telemetry };
const globalHolders = globalThis as Record<symbol, Holder | undefined>;
const holder: Holder = globalHolders[GLOBAL_KEY] ?? {};
globalHolders[GLOBAL_KEY] = holder;

// The shared `flags` client keeps itself under this documented process-global key. Reading it
// here (rather than importing the flags module) keeps the telemetry entry free of flags code, and
// creates no flags client when the app has none.
const FLAGS_KEY = Symbol.for('@tiqology/elite/flags');
const sharedFlags: FlagStatsSource = {
  stats: () =>
    (globalThis as Record<symbol, { client?: FlagStatsSource } | undefined>)[FLAGS_KEY]?.client?.stats() ?? {
      cacheHits: 0,
      cacheMisses: 0,
      staleServes: 0,
    },
};

// With the app's own `registry`, the process-wide one and its process metrics are left out (the app owns both).
const build = (options: TelemetryOptions): Telemetry =>
  createTelemetry({
    globalRegistry: options.registry === undefined,
    defaultMetrics: options.registry === undefined,
    flags: sharedFlags,
    ...options,
  });
const current = (): Telemetry => {
  holder.instance ??= build({});
  return holder.instance;
};

const METHODS = [
  'init',
  'shutdown',
  'flush',
  'trace',
  'recordCompletion',
  'recordRequest',
  'withAttribution',
  'instrumentOpenAI',
  'instrumentAnthropic',
  'instrumentGemini',
  'aiSdkMiddleware',
  'aiSdkEmbeddingMiddleware',
  'observeFlags',
  'metricsHandler',
  'webMetricsHandler',
  'metrics',
  'registry',
  'snapshot',
  'evaluateAlerts',
  'activeAlerts',
  'addNotifier',
  'watchAnomalies',
  'discord',
  'stats',
  'countDropped',
] as const;

const instance = {
  ready: () => Promise.resolve(instance),
  configure(options: TelemetryOptions): void {
    const previous = holder.instance;
    holder.instance = build(options);
    void previous?.shutdown();
  },
} as unknown as DefaultTelemetry;
// Each method forwards to the current instance, so `configure` takes effect everywhere at once.
for (const method of METHODS) {
  (instance as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
    (current()[method] as (...args: unknown[]) => unknown)(...args);
}
// The hot paths without the rest/spread of the generic forwarder.
instance.trace = (name, fn, attributes) => current().trace(name, fn, attributes);
instance.recordCompletion = (completion) => current().recordCompletion(completion);
instance.recordRequest = (request) => current().recordRequest(request);
// The shared instance already counts the shared `flags` client: observing it again (the natural
// `telemetry.observeFlags(flags)`) would count every lookup twice, so it is a no-op.
instance.observeFlags = (source) => {
  const shared = (globalThis as Record<symbol, { client?: unknown; facades?: unknown[] } | undefined>)[FLAGS_KEY];
  if (source && (source === shared?.client || shared?.facades?.includes(source))) return;
  current().observeFlags(source);
};

/**
 * The ready-made telemetry instance: the process-wide prom-client registry with process
 * metrics, the shared `flags` client's cache counters, default alerts. Created on first use.
 *
 * @example
 * import { telemetry } from '@tiqology/elite/telemetry';
 * await telemetry.init({ serviceName: 'chat-api' });
 * const answer = await telemetry.trace('answer', () => generate(prompt));
 */
export const telemetry: DefaultTelemetry = instance;
