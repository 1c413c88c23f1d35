import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The example lives inside the SDK's repository, which has a lock file of its own: trace
  // files from this folder, not the repository root.
  outputFileTracingRoot: fileURLToPath(new URL('.', import.meta.url)),
  // The example carries no ESLint setup; `next build` still type-checks.
  eslint: { ignoreDuringBuilds: true },
  poweredByHeader: false,
  output: 'standalone',
};

export default nextConfig;
