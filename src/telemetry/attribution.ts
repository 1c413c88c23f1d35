/**
 * Attribution of LLM calls: who (`userId`, `sessionId`), for which product surface (`feature`),
 * under which flag variants. Given per record, or for every call made inside
 * `telemetry.withAttribution(attribution, fn)`: an async-context scope, as tracing does for spans,
 * so the instrumented clients pick it up without a per-call option.
 *
 * With an OpenTelemetry context manager registered (any tracer provider's `register()`), the scope
 * is a value of the OpenTelemetry context: the process keeps one `AsyncLocalStorage` (the context
 * manager's), where a second one would add its bookkeeping to every promise the process creates
 * (Node 20 propagates each enabled storage in a promise hook). Otherwise the scope uses its own
 * `AsyncLocalStorage` where the runtime has it (Node, Bun, Deno; the Edge runtimes expose it as a
 * global). Both are kept under `Symbol.for` keys, so every copy of the package in a process shares
 * them. Without either (a browser) the scope holds for the synchronous part of `fn` only.
 */
import { type Context, context, createContextKey, type Span } from '@opentelemetry/api';

/** Who and what an LLM call is for. Every field is optional. */
export interface Attribution {
  /** The end user (`user.id` on spans; a `user` label only for the top spenders of each window). Prefer a pseudonymous id. */
  userId?: string | undefined;
  /** The user's session or conversation (`session.id` on spans; never a metric label). */
  sessionId?: string | undefined;
  /** The product surface making the call: `search`, `chat`, `summaries` (`app.feature` on spans, the `feature` label). */
  feature?: string | undefined;
  /** Flag key → variant served to this user (`feature_flag.evaluation` span events; labels for the flags listed in `attribution.flags`). */
  flags?: Readonly<Record<string, string>> | undefined;
}

/** The span attribute and event names attribution uses (OpenTelemetry semantic conventions where one exists). */
export const ATTRIBUTION_ATTRIBUTES = {
  /** `user.id` (semantic conventions, user attributes). */
  USER_ID: 'user.id',
  /** `session.id` (semantic conventions, session attributes). */
  SESSION_ID: 'session.id',
  /** `app.feature`: the product surface; no convention exists, `app.` marks it as the application's own. */
  FEATURE: 'app.feature',
  /** The span event of one flag evaluation (semantic conventions, feature flags). */
  FLAG_EVALUATION_EVENT: 'feature_flag.evaluation',
  /** `feature_flag.key` on that event. */
  FLAG_KEY: 'feature_flag.key',
  /** `feature_flag.result.variant` on that event. */
  FLAG_VARIANT: 'feature_flag.result.variant',
} as const;

interface ScopeStorage {
  getStore(): Attribution | undefined;
  run<R>(store: Attribution, fn: () => R): R;
}

type StorageClass = new () => ScopeStorage;

/** `AsyncLocalStorage` if this runtime has it, found without a static import (the module stays Edge- and browser-safe). */
function asyncLocalStorageClass(): StorageClass | undefined {
  const global = globalThis as { AsyncLocalStorage?: StorageClass; process?: { getBuiltinModule?: (id: string) => unknown } };
  if (typeof global.AsyncLocalStorage === 'function') return global.AsyncLocalStorage;
  try {
    const hooks = global.process?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: StorageClass } | undefined;
    return typeof hooks?.AsyncLocalStorage === 'function' ? hooks.AsyncLocalStorage : undefined;
  } catch {
    return undefined;
  }
}

/** A scope for runtimes without `AsyncLocalStorage`: holds while `fn` runs synchronously. */
function synchronousStorage(): ScopeStorage {
  let current: Attribution | undefined;
  return {
    getStore: () => current,
    run(store, fn) {
      const previous = current;
      current = store;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
  };
}

const SCOPE_KEY = Symbol.for('@tiqology/elite/telemetry/attribution');

function scopeStorage(): ScopeStorage {
  const holder = globalThis as unknown as Record<symbol, ScopeStorage | undefined>;
  let storage = holder[SCOPE_KEY];
  if (storage === undefined) {
    const Storage = asyncLocalStorageClass();
    storage = Storage === undefined ? synchronousStorage() : new Storage();
    holder[SCOPE_KEY] = storage;
  }
  return storage;
}

let storage: ScopeStorage | undefined;

/** The scope's key in the OpenTelemetry context (`createContextKey` is `Symbol.for`: shared by every copy). */
const CONTEXT_KEY = createContextKey('@tiqology/elite/telemetry/attribution');

/** The attribution of the scope the caller runs in, if any. */
export function currentAttribution(): Attribution | undefined {
  return attributionIn(context.active());
}

/** The attribution of the scope whose OpenTelemetry context is `active` (the caller's, read once by the caller). */
export function attributionIn(active: Context): Attribution | undefined {
  const scoped = active.getValue(CONTEXT_KEY) as Attribution | undefined;
  if (scoped !== undefined) return scoped;
  // Another copy of the package may have opened the shared scope first.
  storage ??= (globalThis as unknown as Record<symbol, ScopeStorage | undefined>)[SCOPE_KEY];
  return storage?.getStore();
}

const isActive = (candidate: Context): boolean => context.active() === candidate;

/** `outer` with `inner`'s fields laid over it (flags merged key by key). */
export function mergeAttribution(outer: Attribution | undefined, inner: Attribution): Attribution {
  if (outer === undefined) return inner;
  return {
    userId: inner.userId ?? outer.userId,
    sessionId: inner.sessionId ?? outer.sessionId,
    feature: inner.feature ?? outer.feature,
    flags: outer.flags === undefined ? inner.flags : inner.flags === undefined ? outer.flags : { ...outer.flags, ...inner.flags },
  };
}

/**
 * Runs `fn` with `attribution` applying to every LLM call and `recordCompletion` made inside it,
 * across `await`s. Nested scopes add to the outer one (inner fields win, flags are merged).
 * Returns what `fn` returns.
 */
export function withAttribution<T>(attribution: Attribution, fn: () => T): T {
  if (attribution === null || typeof attribution !== 'object') return fn();
  const merged = mergeAttribution(currentAttribution(), attribution);
  const scoped = context.active().setValue(CONTEXT_KEY, merged);
  // A registered context manager makes `scoped` active inside `with` (the no-op default does not).
  if (context.with(scoped, isActive, undefined, scoped)) return context.with(scoped, fn);
  storage ??= scopeStorage();
  return storage.run(merged, fn);
}

/** Puts the attribution on a span: `user.id`, `session.id`, `app.feature`, one `feature_flag.evaluation` event per flag. */
export function attributeSpan(span: Span, attribution: Attribution): void {
  if (typeof attribution.userId === 'string') span.setAttribute(ATTRIBUTION_ATTRIBUTES.USER_ID, attribution.userId);
  if (typeof attribution.sessionId === 'string') span.setAttribute(ATTRIBUTION_ATTRIBUTES.SESSION_ID, attribution.sessionId);
  if (typeof attribution.feature === 'string') span.setAttribute(ATTRIBUTION_ATTRIBUTES.FEATURE, attribution.feature);
  const flags = attribution.flags;
  if (flags === null || typeof flags !== 'object') return;
  for (const key of Object.keys(flags)) {
    const variant = flags[key];
    if (typeof variant !== 'string') continue;
    span.addEvent(ATTRIBUTION_ATTRIBUTES.FLAG_EVALUATION_EVENT, {
      [ATTRIBUTION_ATTRIBUTES.FLAG_KEY]: key,
      [ATTRIBUTION_ATTRIBUTES.FLAG_VARIANT]: variant,
    });
  }
}
