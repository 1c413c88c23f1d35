/**
 * The keys of process-global state. `Symbol.for` returns the same symbol in every copy of the
 * package loaded in one process (ESM and CJS builds, two bundles), so they share one instance.
 */
export const GLOBAL_KEYS = {
  /** The ready-made `flags` client. */
  flags: Symbol.for('@tiqology/elite/flags'),
  /** The ready-made `telemetry`. */
  telemetry: Symbol.for('@tiqology/elite/telemetry'),
  /** The prom-client registry that telemetry's metric families are registered in. */
  telemetryRegistry: Symbol.for('@tiqology/elite/telemetry/registry'),
  /** Marks an OpenAI client as already instrumented. */
  openaiInstrumented: Symbol.for('@tiqology/elite/telemetry/openai'),
} as const;

/** The process-global value under `key`, created by `create` on first use. */
export function globalSingleton<T>(key: symbol, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  let value = store[key];
  if (value === undefined) {
    value = create();
    store[key] = value;
  }
  return value;
}
