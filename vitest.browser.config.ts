import { defineConfig } from 'vitest/config';

// Suites that drive a real browser (Debian's chromium, headless): npm run test:browser. The studio on
// PostgreSQL (test/browser/studio-postgres.test.ts) needs DATABASE_URL (npm run db:start).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
