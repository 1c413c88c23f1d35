import { defineConfig } from 'vitest/config';
import { selfAlias, sqlAsText } from './vitest.config.js';

// The real-PostgreSQL suite: run by .ci/run after scripts/db-start.sh (DATABASE_URL set), or by a
// developer with `npm run db:start` then `npm run test:postgres`. Not part of `npm test`, which
// needs no services.
export default defineConfig({
  plugins: [sqlAsText],
  resolve: { alias: selfAlias },
  test: {
    include: ['test/postgres/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
