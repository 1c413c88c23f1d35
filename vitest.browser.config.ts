import { defineConfig } from 'vitest/config';

// Suites that drive a real browser (Debian's chromium, headless): npm run test:browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
