/**
 * What `#prom-client` resolves to without the "node" export condition (package.json "imports"):
 * browser and Edge bundles get this instead of prom-client and its Node built-ins. The SDK's
 * loader sees `unavailable` and rejects with this reason rather than calling a missing `Registry`.
 */

/** Why metrics cannot load in this build. */
export const unavailable =
  'prom-client loads on Node.js only: this build resolved "#prom-client" without the "node" export condition (a browser or Edge runtime bundle), so metrics are off here';
