import { defineConfig, type Plugin } from 'vitest/config';

/** `import sql from './x.sql'` as text, as tsup's `.sql` loader does in the build. */
export const sqlAsText: Plugin = {
  name: 'sql-as-text',
  transform(code, id) {
    return id.endsWith('.sql') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [sqlAsText],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Needs a running PostgreSQL: its own config and command (npm run test:postgres).
    // Needs Chromium: its own config and command (npm run test:browser).
    exclude: ['test/postgres/**', 'test/browser/**', 'node_modules/**'],
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
