import { defineConfig } from 'vitest/config';

// The documented install commands against the npm registry, and the installed package's `tiqology
// --help` (test/install). Needs network to registry.npmjs.org and takes a few minutes: run by
// .ci/run, or by a developer with `npm run test:install`. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
