import { defineConfig } from 'vitest/config';
import { selfAlias, sqlAsText } from './vitest.config.js';

// The real-Prometheus suite: promtool on the shipped rules and a Prometheus server (Debian's
// `prometheus` package) scraping a test app on 127.0.0.1. Run by .ci/run, or by a developer with
// `apt-get install -y prometheus` then `npm run test:prometheus`. Not part of `npm test`.
// rollout-postgres.test.ts also needs PostgreSQL (DATABASE_URL): .ci/run keeps the one of
// test:postgres running; locally `npm run db:start` and export the URL it prints.
export default defineConfig({
  plugins: [sqlAsText],
  resolve: { alias: selfAlias },
  test: {
    include: ['test/prometheus/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
