import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Needs a running PostgreSQL: its own config and command (npm run test:postgres).
    exclude: ['test/postgres/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/*.case.ts', 'src/**/types.ts'],
      thresholds: { lines: 80, branches: 80 },
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
