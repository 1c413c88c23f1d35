// A/B of the drain after 10,000 new events, on the database bench/postgres.bench.mjs leaves
// (elite_bench, 10M events): pending events recorded one row per event (the insert trigger and the
// rollup lock of commit 26abbdd, taken from git) against one row per insert statement, moved into
// the pending ids by the lock (20261210000015_pending_batches). The two definitions are installed
// in turn; each round writes 20 batches of 500 through appendEvents, then times
// feature_flag_rollup_drain(). The current definitions are installed again at the end.
// Run: export DATABASE_URL=$(bash scripts/db-start.sh); npm run bench:postgres; npx tsup --silent;
//      node bench/postgres-ab/drain.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seededEvents } from '../postgres-events.mjs';
import { functionDefinition, migrationText } from './migration-functions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { createPostgresStorage } = await import(join(root, 'dist', 'adapters', 'postgres.js'));
const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);

const before = migrationText('20261204000002_rollup', '26abbdd');
const now = migrationText('20261210000015_pending_batches');
const functions = ['feature_flag_events_rollup_insert', 'feature_flag_rollup_lock'];
const variants = {
  'one pending row per event': functions.map((f) => functionDefinition(before, f)),
  'one pending row per statement': functions.map((f) => functionDefinition(now, f)),
};

const pool = new pg.Pool({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1'), max: 4 });
const storage = createPostgresStorage({ pool });
const { makeBatch } = seededEvents({ batch: 500, total: 10_000_000 });
let batch = 20_000; // past the bench's own batches
const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, sql] of Object.entries(variants)) {
      for (const statement of sql) await pool.query(statement);
      for (let b = 0; b < 20; b++) await storage.appendEvents(makeBatch(batch++));
      const t = performance.now();
      const drained = Number((await pool.query('select feature_flag_rollup_drain() as n')).rows[0].n);
      if (drained !== 10_000) throw new Error(`bench: drained ${drained} events, expected 10000`);
      if (round > 0) times[name].push(performance.now() - t); // round 0 warms up
    }
  }
} finally {
  for (const statement of variants['one pending row per statement']) await pool.query(statement);
  await pool.end();
}
console.log(`drain of 10,000 new events, ${ROUNDS} rounds after one warm-up, variants in turn:`);
for (const [name, ms] of Object.entries(times)) console.log(`  ${name.padEnd(30)} ${ms.map((m) => m.toFixed(0)).join(', ')} ms`);
