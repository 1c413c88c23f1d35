// Paired, on a real server: get_metric_stats and the windows of get_ab_test_results with the
// server's max_parallel_workers_per_gather (BENCH_WORKERS_A, default 2, PostgreSQL's default)
// against another value (BENCH_WORKERS_B, default 1), set for the session before each call, calls
// alternating, over the data bench/postgres.bench.mjs leaves in its database (elite_bench), on its
// nine windows and with its three metrics. What a server's setting does to the calls, for the
// tuning note of docs/adapters.md; the SQL is the same on both sides and so are the rows.
// Run after bench:postgres:
//   node bench/postgres-ab/parallel-workers.mjs      (BENCH_RUNS calls per window and side, default 7)
import pg from 'pg';
import { serverCpuClock } from '../postgres-cpu.mjs';
import { metricWindows, pairedCalls, printPaired, printSame } from './paired-calls.mjs';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const workers = { before: Number(process.env.BENCH_WORKERS_A ?? 2), after: Number(process.env.BENCH_WORKERS_B ?? 1) };
for (const n of Object.values(workers))
  if (!Number.isInteger(n) || n < 0) throw new Error(`bench: workers must be whole numbers ≥ 0, got ${n}`);

const client = new pg.Client({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1') });
await client.connect();
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
const cpuMs = serverCpuClock(pid);
const metrics = JSON.stringify([
  { key: 'revenue', kind: 'mean', num_event: 'purchase', num_count: false, den_event: null, den_count: false, pre_days: 14 },
  { key: 'buyers', kind: 'binomial', num_event: 'purchase', num_count: true, den_event: null, den_count: false, pre_days: null },
  { key: 'per-order', kind: 'ratio', num_event: 'purchase', num_count: false, den_event: 'purchase', den_count: true, pre_days: 14 },
]);
const calls = [
  [
    'get_metric_stats, three metrics',
    (since, until) => ['select * from get_metric_stats($1, $2, $3::jsonb, $4, $5)', ['pricing-test', 'production', metrics, since, until]],
  ],
  [
    'get_ab_test_results, one event name',
    (since, until) => ['select * from get_ab_test_results($1, $2, $3, $4, $5)', ['pricing-test', 'production', 'purchase', since, until]],
  ],
];
let identical = true;
for (const [label, statement] of calls) {
  const medians = { before: [], after: [] };
  for (const [since, until] of metricWindows) {
    const pair = await pairedCalls(client, cpuMs, RUNS, (side) => [
      ...statement(since, until),
      `set max_parallel_workers_per_gather = ${workers[side]}`,
    ]);
    if (!pair.same) identical = false;
    medians.before.push(pair.before);
    medians.after.push(pair.after);
  }
  printPaired(`${label}, ${workers.before} workers (before) against ${workers.after} (after), medians of ${RUNS} per window`, medians);
}
printSame(identical);
await client.end();
if (!identical) process.exitCode = 1;
