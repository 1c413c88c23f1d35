import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
