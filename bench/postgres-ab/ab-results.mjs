// A/B of get_ab_test_results on a real server, in one run: the definition before migration
// 20261210000014_parallel_reads (taken from git, installed as get_ab_test_results_before) against the
// shipped one, over the data bench/postgres.bench.mjs leaves in its database (elite_bench), on its
// windows, for all conversions and for one event name, calls alternating (old, new, new, old, ...).
// Also checks that both return the same rows.
// Run after bench:postgres:  node bench/postgres-ab/ab-results.mjs   (BENCH_RUNS calls per window and function, default 3)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';
import { serverCpuClock } from '../postgres-cpu.mjs';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BEFORE = 'fd4a1d8'; // the last commit with get_ab_test_results in 20261210000012_narrow_reads
const file = execFileSync('git', ['show', `${BEFORE}:supabase/migrations/20261210000012_narrow_reads.sql`], { encoding: 'utf8' });
const from = file.indexOf('create or replace function get_ab_test_results(');
const before = file
  .slice(from, file.indexOf('\n$$;\n', from) + 4)
  .replace('function get_ab_test_results(', 'function get_ab_test_results_before(');

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
    const samples = { before: [], after: [] };
    const answers = {};
    for (let run = 0; run < RUNS; run++) {
      for (const which of run % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
        const fn = which === 'before' ? 'get_ab_test_results_before' : 'get_ab_test_results';
        const cpu = cpuMs();
        const t = performance.now();
        const { rows } = await client.query(`select * from ${fn}('pricing-test', 'production', $1, $2, $3)`, [eventName, since, until]);
        samples[which].push([performance.now() - t, cpuMs() - cpu]);
        answers[which] = JSON.stringify(rows);
      }
    }
    if (answers.before !== answers.after) {
      identical = false;
      console.log(`  different answers: event ${eventName}, since ${since}, until ${until}`);
    }
    for (const which of ['before', 'after']) {
      const sorted = samples[which].sort((a, b) => a[0] - b[0]);
      medians[which].push(sorted[Math.floor(sorted.length / 2)]);
    }
  }
  console.log(
    `get_ab_test_results, ${eventName ?? 'all conversions'}, ${windows.length} windows, medians of ${RUNS} (wall ms / server CPU ms, all its processes):`,
  );
  for (const which of ['before', 'after']) {
    const m = medians[which];
    console.log(`  ${which.padEnd(6)} wall ${m.map((s) => s[0].toFixed(0)).join(' ')}  |  CPU ${m.map((s) => s[1]).join(' ')}`);
  }
}
console.log(
  `same rows before and after: ${identical}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await client.query('drop function get_ab_test_results_before');
await client.end();
if (!identical) process.exitCode = 1;
