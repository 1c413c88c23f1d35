// `#prom-client` is the package's import map entry (package.json "imports"): prom-client on Node,
// the stand-in in prom-client-unavailable.ts elsewhere. Typed loosely here (typed structurally where
// used, in telemetry/registry.ts), so type checking depends on neither target nor on a build.
declare module '#prom-client' {
  const mod: Record<string, unknown>;
  export = mod;
}
