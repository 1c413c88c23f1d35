/**
 * How the SDK loads the Node-only packages it does not import statically.
 *
 * prom-client is a dependency: it is loaded through the package's own import map
 * (`"imports": { "#prom-client": { "node": "prom-client", "default": <stand-in> } }` in
 * package.json). The specifier is a literal, so bundlers with the "node" condition (Next.js
 * server builds, `esbuild --platform=node`) bundle prom-client, and a deployment that ships only
 * the bundle (Next.js `output: 'standalone'`, a Lambda zip) has it; bundlers for browsers and Edge
 * runtimes resolve the stand-in, which exports no `Registry`, and never see prom-client's Node
 * built-ins.
 *
 * The OpenTelemetry SDK pieces are optional peers: a literal import would fail the build of every
 * app that bundles the SDK without them, so their specifier stays a variable, resolved by the
 * runtime (docs/telemetry.md says how to ship them in a bundled or traced deployment).
 */
import { EliteError, isEliteError, messageOf } from './errors.js';

/** `import()` of an optional peer dependency by name, resolved at run time and hidden from bundlers. */
export const importOptional = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<Record<string, unknown>>;

/**
 * prom-client's module object. Rejects with `UNSUPPORTED_RUNTIME` where `#prom-client` resolved
 * to the stand-in (a bundle made without the "node" condition), and with the runtime's error when
 * prom-client cannot load.
 */
export async function importPromClient(): Promise<Record<string, unknown>> {
  const mod = (await import('#prom-client')) as Record<string, unknown>;
  if (typeof mod.unavailable === 'string') throw new EliteError('UNSUPPORTED_RUNTIME', mod.unavailable);
  return mod;
}

/**
 * Why `specifier` did not load, for an error message: "is not installed", then `whatToDo`, when
 * the runtime (or a bundle) could not find that very package; else "is installed but could not be
 * loaded" with the cause (a dependency of it missing, a syntax error, a format the runtime refuses),
 * where an install command would not help.
 */
export function loadFailure(specifier: string, error: unknown, whatToDo: string): string {
  if (isEliteError(error, 'UNSUPPORTED_RUNTIME')) return error.message;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = messageOf(error);
  // Node: "Cannot find package 'x' imported from …" (ESM), "Cannot find module 'x'" (CJS, webpack).
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const notFound =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    new RegExp(`Cannot find (?:package|module) ['"]${quoted}(?:/[^'"]*)?['"]`).test(message);
  return notFound
    ? `${specifier} is not installed where the SDK runs (${message}); ${whatToDo}`
    : `${specifier} is installed but could not be loaded: ${message}`;
}
