/**
 * The `telemetry` namespace of the root entry: a small stand-in that loads the telemetry module
 * on first use with a dynamic `import()`. The root entry is bundled into Edge middleware and
 * holds a 16 kB budget (15 kB for the flags entry); the telemetry module (with @opentelemetry/api) stays out of it until a
 * telemetry method is called. Node servers that want the full synchronous API import
 * `@tiqology/elite/telemetry` instead; both share one default instance.
 *
 * Before the module is loaded: `trace()` runs `fn` without a span, records are queued (up to
 * 1,000) and replayed, `instrumentOpenAI()` defers the wrapping to the first call. `await
 * telemetry.init()` (or `ready()`) at startup, as in Next.js `instrumentation.ts`, avoids all three.
 */
import type { Span } from '@opentelemetry/api';
import { forwardOnLoad } from '../internal/lazy-namespace.js';
import type { Telemetry } from './telemetry.js';
import type { TelemetryOptions } from './types.js';

/**
 * The root entry's `telemetry`: the recording half of {@link Telemetry} (same signatures and
 * contracts), plus `ready()` for the rest.
 */
export interface LazyTelemetry
  extends Pick<
    Telemetry,
    | 'init'
    | 'shutdown'
    | 'flush'
    | 'trace'
    | 'recordCompletion'
    | 'recordRequest'
    | 'withAttribution'
    | 'instrumentOpenAI'
    | 'observeFlags'
    | 'metricsHandler'
    | 'webMetricsHandler'
    | 'metrics'
  > {
  /** Loads the telemetry module; resolves to the full instance (`discord()`, `snapshot()`, alerts, …). */
  ready(): Promise<Telemetry>;
}

const noop = () => {};
// What fn receives before the module is loaded: a span that records nothing.
const idleSpan = {
  setAttribute: () => idleSpan,
  setAttributes: () => idleSpan,
  addEvent: () => idleSpan,
  addLink: () => idleSpan,
  addLinks: () => idleSpan,
  setStatus: () => idleSpan,
  updateName: () => idleSpan,
  recordException: noop,
  end: noop,
  isRecording: () => false,
  spanContext: () => ({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 }),
} as unknown as Span;

function lazy(make: (telemetryModule: typeof import('./index.js')) => Telemetry): LazyTelemetry {
  let impl: Telemetry | undefined;
  let loading: Promise<Telemetry> | undefined;
  let queue: [keyof Telemetry, unknown[]][] = [];
  let dropped = 0; // records beyond the queue's 1,000, reported to the instance when it loads
  const load = () =>
    (loading ??= import('./index.js').then((telemetryModule) => {
      // From the CJS build, Node may expose the module's exports as `default` only.
      impl = make(
        'createTelemetry' in telemetryModule ? telemetryModule : (telemetryModule as { default: typeof telemetryModule }).default,
      );
      for (const [method, args] of queue) (impl[method] as (...args: unknown[]) => unknown)(...args);
      queue = [];
      if (dropped > 0) impl.countDropped('queue_overflow', dropped);
      dropped = 0;
      return impl;
    }));
  const later = (method: keyof Telemetry) => (arg: unknown) => {
    if (impl) return (impl[method] as (value: unknown) => void)(arg);
    if (queue.length < 1000) queue.push([method, [arg]]);
    else dropped++;
    void load().catch(noop);
  };
  // Typed as LazyTelemetry: a method left out of this object fails to compile.
  return {
    ready: load,
    // The methods that return a promise anyway: load, then call.
    ...forwardOnLoad<Pick<Telemetry, 'init' | 'shutdown' | 'flush' | 'metrics'>>(load, {
      init: true,
      shutdown: true,
      flush: true,
      metrics: true,
    }),
    trace: (name, fn, attributes) => {
      if (impl) return impl.trace(name, fn, attributes);
      void load().catch(noop);
      return fn(idleSpan);
    },
    recordCompletion: later('recordCompletion'),
    // Before the module loads there is no scope to open: fn runs as is (await ready() first).
    withAttribution: (attribution, fn) => (impl ? impl.withAttribution(attribution, fn) : fn()),
    recordRequest: later('recordRequest'),
    observeFlags: later('observeFlags'),
    instrumentOpenAI(client, options) {
      if (impl) return impl.instrumentOpenAI(client, options);
      // Each resource's first call loads the module, restores every original and instruments them.
      const resources = [client.chat?.completions, client.responses, client.embeddings].filter(Boolean) as {
        create: (...args: unknown[]) => unknown;
      }[];
      const originals = resources.map((resource) => resource.create);
      for (const resource of resources) {
        resource.create = function (this: unknown, ...args: unknown[]) {
          return load().then((instance) => {
            resources.forEach((each, i) => {
              each.create = originals[i] as (...args: unknown[]) => unknown;
            });
            instance.instrumentOpenAI(client, options);
            return resource.create.apply(this, args);
          });
        };
      }
      return client;
    },
    metricsHandler: () => (req, res) => load().then((instance) => instance.metricsHandler()(req, res)),
    webMetricsHandler: () => (request) => load().then((instance) => instance.webMetricsHandler()(request)),
  };
}

/**
 * The ready-made telemetry instance, loaded on first use; the same instance as `telemetry` from
 * `@tiqology/elite/telemetry`.
 * @example
 * // instrumentation.ts (Next.js)
 * export async function register() {
 *   if (process.env.NEXT_RUNTIME === 'nodejs') {
 *     const { telemetry } = await import('@tiqology/elite');
 *     await telemetry.init({ serviceName: 'chat-app' });
 *   }
 * }
 */
export const telemetry: LazyTelemetry = lazy((telemetryModule) => telemetryModule.telemetry);

/**
 * A telemetry instance loaded on first use. Invalid options reject `ready()`/`init()` (the
 * check runs when the module loads); `createTelemetry` from `@tiqology/elite/telemetry` throws
 * them synchronously and returns the full instance.
 */
export const createTelemetry = (options?: TelemetryOptions): LazyTelemetry =>
  lazy((telemetryModule) => telemetryModule.createTelemetry(options));
