import { defineConfig, type Plugin } from 'vitest/config';

/** `import sql from './x.sql'` as text, as tsup's `.sql` loader does in the build. */
export const sqlAsText: Plugin = {
  name: 'sql-as-text',
  transform(code, id) {
    return id.endsWith('.sql') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

/** The package's own name, as the CLI imports it, resolved to the sources (tsconfig "paths" does the same for tsc). */
export const selfAlias = [
  { find: /^@tiqology\/elite$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
  { find: /^@tiqology\/elite\/flags$/, replacement: new URL('./src/flags/index.ts', import.meta.url).pathname },
  { find: /^@tiqology\/elite\/flags\/(overrides|openfeature|vercel|validate)$/, replacement: new URL('./src/flags/$1.ts', import.meta.url).pathname },
  { find: /^@tiqology\/elite\/adapters\/(.*)$/, replacement: new URL('./src/adapters/$1.ts', import.meta.url).pathname },
  { find: /^@tiqology\/elite\/(experiments|forecast|rollouts|telemetry)$/, replacement: new URL('./src/$1/index.ts', import.meta.url).pathname },
];

export default defineConfig({
  plugins: [sqlAsText],
  resolve: { alias: selfAlias },
  test: {
    // Needs a running PostgreSQL: its own config and command (npm run test:postgres).
    // test/e2e needs Chromium and a Next.js build: npm run test:e2e.
    // test/prometheus needs Debian's prometheus package: npm run test:prometheus.
    // test/browser needs Chromium: npm run test:browser.
    // test/install needs the npm registry: npm run test:install.
    exclude: ['test/postgres/**', 'test/prometheus/**', 'node_modules/**', 'test/e2e/**', 'test/browser/**', 'test/install/**'],
    // Temporary files of the run under one directory, removed at the end.
    globalSetup: ['test/setup/scratch-tmpdir.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // Set per project: a project that extends this config adds its include to the one here.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      // The OpenAI (chat, embeddings) and Anthropic suites again, on old SDK releases the README
      // names: `openai` 4.12.3 and `@anthropic-ai/sdk` 0.30.0, installed under those aliases.
      {
        extends: true,
        resolve: {
          alias: [
            { find: /^openai$/, replacement: 'openai-4.12' },
            { find: /^@anthropic-ai\/sdk$/, replacement: 'anthropic-sdk-0.30' },
          ],
        },
        test: { name: 'oldest-sdks', include: ['test/telemetry/openai.test.ts', 'test/telemetry/openai-embeddings.test.ts', 'test/telemetry/anthropic.test.ts'] },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/*.case.ts', 'src/**/types.ts'],
      thresholds: { lines: 80, branches: 80 },
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
