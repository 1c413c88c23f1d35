// A/B of get_ab_test_results on a real server, in one run: the definition before migration
// 20261210000014_parallel_reads (taken from git, installed as get_ab_test_results_before) against the
// shipped one, over the data bench/postgres.bench.mjs leaves in its database (elite_bench), on its
// windows, for all conversions and for one event name, calls alternating (old, new, new, old, ...).
// Also checks that both return the same rows.
// Run after bench:postgres:  node bench/postgres-ab/ab-results.mjs   (BENCH_RUNS calls per window and function, default 3)
import pg from 'pg';
import { serverCpuClock } from '../postgres-cpu.mjs';
import { functionDefinition, migrationText } from './migration-functions.mjs';
import { pairedCalls, printPaired, printSame } from './paired-calls.mjs';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BEFORE = 'fd4a1d8'; // the last commit with get_ab_test_results in 20261210000012_narrow_reads
const before = functionDefinition(migrationText('20261210000012_narrow_reads', BEFORE), 'get_ab_test_results').replace(
  'function get_ab_test_results(',
  'function get_ab_test_results_before(',
);

const client = new pg.Client({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1') });
await client.connect();
await client.query(before);
const cpuMs = serverCpuClock((await client.query('select pg_backend_pid() as pid')).rows[0].pid);
const start = Date.UTC(2026, 0, 1);
const day = 86_400_000;
const iso = (days) => new Date(start + days * day).toISOString();
const windows = [
  [iso(1), null],
  [iso(16), null],
  [iso(23), null],
  [iso(8), iso(22)],
  [null, iso(15)],
  [new Date(start + 3 * day + 47_820_000).toISOString(), new Date(start + 27 * day + 32_700_000).toISOString()],
];
let identical = true;
for (const eventName of [null, 'purchase']) {
  const medians = { before: [], after: [] };
  for (const [since, until] of windows) {
    const pair = await pairedCalls(client, cpuMs, RUNS, (which) => [
      `select * from ${which === 'before' ? 'get_ab_test_results_before' : 'get_ab_test_results'}('pricing-test', 'production', $1, $2, $3)`,
      [eventName, since, until],
    ]);
    if (!pair.same) {
      identical = false;
      console.log(`  different answers: event ${eventName}, since ${since}, until ${until}`);
    }
    medians.before.push(pair.before);
    medians.after.push(pair.after);
  }
  printPaired(`get_ab_test_results, ${eventName ?? 'all conversions'}, ${windows.length} windows, medians of ${RUNS}`, medians);
}
printSame(identical);
await client.query('drop function get_ab_test_results_before');
await client.end();
if (!identical) process.exitCode = 1;
