// A/B of get_metric_stats on a real server, in one run: the definition before migration
// 20261210000017_shared_quantities (taken from git, installed as get_metric_stats_before) against the
// shipped one, over the data bench/postgres.bench.mjs leaves in its database (elite_bench), on its
// nine windows, one mean metric and the three metrics of that bench, calls alternating (old, new,
// new, old, ...). Also checks that both return the same rows, on those and on three more metrics
// (binomial with CUPED, a ratio of two names without, a count with CUPED) and on four whose CUPED
// windows and quantities are shared by some and not by others (two names, 7 and 14 days).
// Run after bench:postgres (BENCH_EVENTS sets the data size):
//   node bench/postgres-ab/metric-stats.mjs          (BENCH_RUNS calls per window and function, default 3)
import pg from 'pg';
import { serverCpuClock } from '../postgres-cpu.mjs';
import { functionDefinition, migrationText } from './migration-functions.mjs';
import { metricWindows, pairedCalls, printPaired, printSame } from './paired-calls.mjs';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BEFORE = '3065c27'; // the last commit with get_metric_stats in 20261210000014_parallel_reads
const before = functionDefinition(migrationText('20261210000014_parallel_reads', BEFORE), 'get_metric_stats').replace(
  'function get_metric_stats(',
  'function get_metric_stats_before(',
);

const client = new pg.Client({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1') });
await client.connect();
await client.query(before);
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
// The server's CPU time in ms (every process: a call's parallel workers too), when it runs on this machine.
const cpuMs = serverCpuClock(pid);
const metric = (key, kind, num_event, num_count, den_event, den_count, pre_days) => ({
  key,
  kind,
  num_event,
  num_count,
  den_event,
  den_count,
  pre_days,
});
const sets = [
  ['one mean metric', [metric('revenue', 'mean', 'purchase', false, null, false, null)], true],
  [
    'three metrics',
    [
      metric('revenue', 'mean', 'purchase', false, null, false, 14),
      metric('buyers', 'binomial', 'purchase', true, null, false, null),
      metric('per-order', 'ratio', 'purchase', false, 'purchase', true, 14),
    ],
    true,
  ],
  [
    'three other metrics (answers only)',
    [
      metric('signed-up', 'binomial', 'signup', false, null, false, 7),
      metric('signups-per-purchase', 'ratio', 'signup', true, 'purchase', false, null),
      metric('signups', 'mean', 'signup', true, null, false, 3),
    ],
    false,
  ],
  [
    'CUPED windows shared and not (answers only)',
    [
      metric('signups-per-purchase-7d', 'ratio', 'signup', true, 'purchase', false, 7),
      metric('revenue-7d', 'mean', 'purchase', false, null, false, 7),
      metric('purchases-14d', 'mean', 'purchase', true, null, false, 14),
      metric('signups-7d', 'ratio', 'signup', false, 'signup', true, 7),
    ],
    false,
  ],
];
let identical = true;
for (const [label, metrics, timed] of sets) {
  const medians = { before: [], after: [] };
  for (const [since, until] of metricWindows) {
    const pair = await pairedCalls(client, cpuMs, timed ? RUNS : 1, (which) => [
      `select * from ${which === 'before' ? 'get_metric_stats_before' : 'get_metric_stats'}('pricing-test', 'production', $1::jsonb, $2, $3)`,
      [JSON.stringify(metrics), since, until],
    ]);
    if (!pair.same) {
      identical = false;
      console.log(`  different answers: ${label}, since ${since}, until ${until}`);
    }
    medians.before.push(pair.before);
    medians.after.push(pair.after);
  }
  if (timed) printPaired(`get_metric_stats, ${label}, medians of ${RUNS} per window`, medians);
}
printSame(identical);
await client.query('drop function get_metric_stats_before');
await client.end();
if (!identical) process.exitCode = 1;
