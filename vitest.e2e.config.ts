import { defineConfig } from 'vitest/config';

// The Next.js example end to end: packs the SDK, installs it into examples/nextjs, runs
// `next build` and `next start` on 127.0.0.1 and drives Debian's Chromium. Run by .ci/run
// (`npm run test:e2e`); not part of `npm test`, which needs no browser and no network.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    // Install, pack, build and start happen once, in beforeAll.
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
