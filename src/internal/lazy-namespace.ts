/**
 * The forwarding behind the root entry's lazy namespaces (`forecast`, and the plain methods of
 * `telemetry`): each function loads its module with a dynamic `import()` on first call and
 * forwards to it, so the root entry's Edge bundle does not carry the module (the `import()`
 * leaves it in a chunk of its own). The list of names is an object literal checked against the
 * module's type: a function missing from it, or a name the module does not have, fails to compile.
 */

/** `F`, resolving its result as a promise (already a promise: unchanged). */
export type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** Every function of `T`, loaded on first call: each returns a promise. */
export type AsyncNamespace<T> = { [K in keyof T]: Async<T[K]> };

/** Every key of `T` once, as `{ name: true }`: what {@link forwardOnLoad} takes as its list of names. */
export type EveryKey<T> = { readonly [K in keyof T]-?: true };

/** `load`, run once: later calls share the first call's promise (and its rejection). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}

/**
 * One forwarder per key of `names`: it awaits `load()` (pass a memoised one, see {@link once})
 * and calls the loaded object's function of the same name with the same arguments. Errors, thrown
 * or rejected, become the forwarder's rejection.
 *
 * `names` must list every key of `T` and nothing else: the compile-time completeness check.
 */
export function forwardOnLoad<T extends object>(load: () => Promise<T>, names: NoInfer<EveryKey<T>>): AsyncNamespace<T> {
  const namespace: Record<string, unknown> = {};
  for (const name of Object.keys(names)) {
    namespace[name] = async (...args: unknown[]) => {
      const loaded = (await load()) as Record<string, (...a: unknown[]) => unknown>;
      return loaded[name]!(...args);
    };
  }
  return namespace as AsyncNamespace<T>;
}
