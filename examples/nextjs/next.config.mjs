import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The example lives inside the SDK's repository, which has a lock file of its own: trace
  // files from this folder, not the repository root.
  outputFileTracingRoot: fileURLToPath(new URL('.', import.meta.url)),
  // `.next/standalone`: a server.js with only the node_modules files it needs, the usual Docker
  // image (`node .next/standalone/server.js`, with .next/static and public copied next to it).
  // `next start` serves the same build.
  output: 'standalone',
  // The SDK loads the OpenTelemetry SDK at run time, in `telemetry.init()`, by a name no bundler
  // or tracer can see (they are optional peers: a literal import would fail the build of apps
  // without them). Copy them into the standalone output; without tracing, leave this out.
  // prom-client needs nothing here: the SDK imports it under a literal name, so it is bundled.
  outputFileTracingIncludes: {
    '/**': ['./node_modules/@opentelemetry/**/*'],
  },
  // The example carries no ESLint setup; `next build` still type-checks.
  eslint: { ignoreDuringBuilds: true },
  poweredByHeader: false,
};

export default nextConfig;
