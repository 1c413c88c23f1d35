// The PostgreSQL store on a real server: event ingestion through appendEvents with the shipped
// indexes and triggers (BENCH_INGEST events, default 500k, BENCH_WRITERS concurrent batches, default 4), then get_ab_test_results and
// get_metric_stats over BENCH_EVENTS events (default 10M, generated in SQL with generate_series and
// folded in by feature_flag_rollup_rebuild()), and how long a flag change takes to reach another
// instance.
// Run: export DATABASE_URL=$(bash scripts/db-start.sh); npm run bench:postgres   (builds first; ~15 min)
// Works in its own database (elite_bench, dropped and created again), never in DATABASE_URL's.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { serverCpuClock } from './postgres-cpu.mjs';
import { seededEvents } from './postgres-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
if (!existsSync(join(dist, 'adapters', 'postgres.js'))) {
  console.error('bench: dist/adapters/postgres.js is missing — run npm run build first');
  process.exit(1);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
  process.exit(1);
}
const { createPostgresStorage, migrate } = await import(join(dist, 'adapters', 'postgres.js'));
const { createFlags } = await import(join(dist, 'index.js'));

const TOTAL = Number(process.env.BENCH_INGEST ?? 500_000);
const QUERY_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const BATCH = 500; // the SDK's default maxBatch
// Concurrent batches in flight (several app instances); BENCH_WRITERS shows how the rate depends on it.
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const USERS = 200_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// Batches written into each table before ingestion is timed, not counted: new connections, their
// statement and trigger plans, and the JIT of this process (the first 50k events otherwise run at
// about half the rate).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);

const admin = new pg.Pool({ connectionString: url, max: 1 });
await admin.query('drop database if exists elite_bench');
await admin.query('create database elite_bench');
await admin.end();
const benchUrl = url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1');
const pool = new pg.Pool({ connectionString: benchUrl, max: WRITERS + 2 });
await migrate(pool);
const storage = createPostgresStorage({ pool });

// Seeded events (bench/postgres-events.mjs); time moves forward as the batches go.
const eventSource = seededEvents({ batch: BATCH, total: TOTAL, users: USERS });
const start = Date.UTC(2026, 0, 1); // the events' first day (as in bench/postgres-events.mjs)
const makeBatch = (index) => eventSource.makeBatch(index);
/** Batches `from` to `to` (exclusive), made before any clock starts. */
const madeBatches = (from, to) => Array.from({ length: to - from }, (_, i) => makeBatch(from + i));

// The peer in the same run: the same batches into a copy of the events table with the same
// indexes but none of the pre-aggregation triggers, in alternating slices of 50k events, so both
// see the same machine load and table sizes.
await pool.query(
  'create table feature_flag_events_plain (like feature_flag_events including defaults including identity including constraints including indexes)',
);
// The peer goes through the same adapter (same statement, same JS work per batch), its COPY (or
// insert, on a retry) pointed at the plain table.
const toPlain = (sql) => {
  const plainSql = sql.replace(/^(insert into|copy) feature_flag_events /, '$1 feature_flag_events_plain ');
  if (plainSql === sql) throw new Error(`bench: expected the events COPY or insert, got: ${sql.slice(0, 60)}`);
  return plainSql;
};
// A client whose COPY (a submittable that sends its statement through the protocol connection) and
// inserts go to the plain table.
const plainClient = (client) => ({
  connection: client.connection,
  release: (error) => client.release(error),
  query(statement, values) {
    if (typeof statement === 'string') return client.query(toPlain(statement), values);
    const connectionToPlain = (connection) =>
      new Proxy(connection, {
        get: (target, key) =>
          key === 'query'
            ? (sql) => target.query(toPlain(sql))
            : typeof target[key] === 'function'
              ? target[key].bind(target)
              : target[key],
      });
    return client.query({ ...statement, submit: (connection) => statement.submit(connectionToPlain(connection)) });
  },
});
const plainPool = {
  get idleCount() {
    return pool.idleCount;
  },
  query: (text, values) => pool.query(toPlain(text), values),
  connect: async () => plainClient(await pool.connect()),
};
const plain = createPostgresStorage({ pool: plainPool });
const batches = Math.ceil(TOTAL / BATCH);
const SLICE = 100; // batches per slice (50k events)
console.log(
  `ingesting ${TOTAL.toLocaleString()} events twice (shipped triggers / no triggers): batches of ${BATCH}, ${WRITERS} writers, after a warm-up of ${(
    WARMUP * BATCH
  ).toLocaleString()} events into each…`,
);
// The clock times the store only: appendEvents (checks, ids, the COPY text, the round trip and the
// server's work). The batches are made before it starts (making them, 2.3 µs per event on the same
// two cores, was inside the timed loop until 2026-12-05), the same batch objects for both tables.
async function ingest(target, list) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < list.length) await target.appendEvents(list[next++]);
    }),
  );
  return performance.now() - t;
}
// The warm-up (WARMUP above), into each table, then every timed batch, in the order they were made before.
const warmupShipped = madeBatches(batches + 1000, batches + 1000 + WARMUP);
const warmupPlain = madeBatches(batches + 1000, batches + 1000 + WARMUP);
const timedBatches = madeBatches(0, batches);
await ingest(storage, warmupShipped);
await ingest(plain, warmupPlain);
// The dirty pages of the new database and the warm-up written out, so that no checkpoint writes
// them during the first timed slices.
await pool.query('checkpoint').catch((error) => console.log(`  (no checkpoint before ingestion: ${error.message})`));
const timeMs = { shipped: 0, plain: 0 };
const windows50k = []; // [shipped, plain] events/s per slice, to show the rate holds as the tables grow
for (let from = 0; from < batches; from += SLICE) {
  const slice = timedBatches.slice(from, Math.min(batches, from + SLICE));
  const events = slice.length * BATCH;
  const shippedMs = await ingest(storage, slice);
  const plainMs = await ingest(plain, slice); // the same batches
  timeMs.shipped += shippedMs;
  timeMs.plain += plainMs;
  windows50k.push([Math.round(events / (shippedMs / 1000)), Math.round(events / (plainMs / 1000))]);
}
const { rows: stored } = await pool.query(
  'select (select count(*) from feature_flag_events)::int as shipped, (select count(*) from feature_flag_events_plain)::int as plain',
);
if (stored[0].shipped !== stored[0].plain) throw new Error(`bench: the tables hold ${JSON.stringify(stored[0])} events`);
await pool.query('drop table feature_flag_events_plain');
const eventsPerSecond = Math.round((batches * BATCH) / (timeMs.shipped / 1000));
const plainPerSecond = Math.round((batches * BATCH) / (timeMs.plain / 1000));
console.log(`  shipped (indexes + pre-aggregation triggers): ${eventsPerSecond.toLocaleString()} events/s`);
console.log(`  same indexes and CHECKs, no triggers:        ${plainPerSecond.toLocaleString()} events/s`);
console.log(`  per 50k slice [shipped, no triggers]: ${JSON.stringify(windows50k)}`);
// Fold the whole backlog in at once (what a first results() call after a bulk load pays; with a
// schedule, pg_cron every minute for instance, the backlog stays small).
const drainStart = performance.now();
const drained = Number((await pool.query('select feature_flag_rollup_drain() as n')).rows[0].n);
const drainMs = performance.now() - drainStart;
console.log(`  drain of the backlog: ${drained.toLocaleString()} events in ${(drainMs / 1000).toFixed(1)} s`);
// A results call with a fresh backlog of 10k events (20 batches written since the last call).
const q = 'select * from get_ab_test_results($1, $2, $3, $4, $5)';
const backlogSamples = [];
for (let i = 0; i < 5; i++) {
  for (let b = 0; b < 20; b++) await storage.appendEvents(makeBatch(batches + i * 20 + b));
  const t = performance.now();
  await pool.query(q, ['pricing-test', 'production', null, null, null]);
  backlogSamples.push(performance.now() - t);
}
backlogSamples.sort((a, b) => a - b);
const withBacklog = backlogSamples[2];
console.log(`  all time, 10k events written since the last call (drain + read): median ${withBacklog.toFixed(1)} ms`);

// The query part: QUERY_EVENTS events of the same shape generated in SQL (appendEvents would take
// the better part of an hour), triggers off, then every pre-aggregate rebuilt from them.
const QUERY_USERS = Number(process.env.BENCH_USERS ?? 200_000);
const DAYS = 30;
console.log(`generating ${QUERY_EVENTS.toLocaleString()} events in SQL (${QUERY_USERS.toLocaleString()} users, ${DAYS} days)…`);
await pool.query('truncate feature_flag_events');
const generation = performance.now();
const GEN_CHUNK = 1_000_000;
const gen = await pool.connect();
try {
  await gen.query('set session_replication_role = replica'); // no triggers: the rebuild below folds everything
  await gen.query('select setseed(0.7)');
  // The idempotency key is built once after the load (a sort) instead of 10M random index inserts.
  await gen.query('alter table feature_flag_events drop constraint feature_flag_events_event_id_key');
  for (let from = 0; from < QUERY_EVENTS; from += GEN_CHUNK) {
    await gen.query(
      `insert into feature_flag_events (flag_key, environment, variant, user_id, event_type, event_name, value, occurred_at)
       select case when x.exposure then 'pricing-test' end, 'production',
              case when x.exposure then (array['control', 'variant-a', 'variant-b'])[1 + floor(random() * 3)::int] end,
              'user-' || floor(random() * $3)::int, case when x.exposure then 'exposure' else 'conversion' end,
              case when x.exposure then null when random() < 0.7 then 'purchase' else 'signup' end,
              case when x.exposure then null else floor(random() * 100) end,
              $4::timestamptz + (x.n::float8 / $5) * interval '${DAYS} days' + random() * interval '60 seconds'
       from (select n, random() < 0.6 as exposure from generate_series($1::bigint, $2::bigint) n) x`,
      [from, Math.min(QUERY_EVENTS, from + GEN_CHUNK) - 1, QUERY_USERS, new Date(start).toISOString(), QUERY_EVENTS],
    );
  }
  await gen.query('alter table feature_flag_events add constraint feature_flag_events_event_id_key unique (event_id)');
} finally {
  await gen.query('reset session_replication_role');
  gen.release();
}
const generationMs = performance.now() - generation;
const rebuildStart = performance.now();
await pool.query('set statement_timeout = 0');
await pool.query('select feature_flag_rollup_rebuild()');
const rebuildMs = performance.now() - rebuildStart;
await pool.query(
  'vacuum analyze feature_flag_events, feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending, feature_flag_events_pending_batches, feature_flag_exposure_timelines, feature_flag_conversion_timelines',
);
// The rebuild leaves about a gigabyte of dirty pages: write them now, so that the checkpoint that
// would otherwise flush them during the timed calls (on a core their parallel workers need) does not.
await pool.query('checkpoint').catch((error) => console.log(`  (no checkpoint before timing: ${error.message})`));
console.log(`  generated in ${(generationMs / 1000).toFixed(0)} s, pre-aggregates rebuilt in ${(rebuildMs / 1000).toFixed(0)} s`);

// The CPU time the server spends on a call (user + system of all its processes, the call's parallel
// workers included, from /proc when the server runs on this machine, in 10 ms ticks): on a shared
// machine the wall time of a call grows with the load average, its CPU time much less, so it tells
// what the call costs on an idle machine.
const timer = await pool.connect();
const backendPid = (await timer.query('select pg_backend_pid() as pid')).rows[0].pid;
const serverCpuMs = serverCpuClock(backendPid);
async function time(label, sql, values) {
  await timer.query(sql, values); // warm
  const samples = [];
  const cpu = [];
  let rows;
  for (let i = 0; i < RUNS; i++) {
    const c = serverCpuMs();
    const t = performance.now();
    ({ rows } = await timer.query(sql, values));
    samples.push(performance.now() - t);
    cpu.push(serverCpuMs() - c);
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const median = samples[Math.floor(RUNS / 2)];
  const p95 = samples[Math.min(RUNS - 1, Math.ceil(RUNS * 0.95) - 1)];
  const cpuMedian = cpu[Math.floor(RUNS / 2)];
  console.log(`  ${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, server CPU median ${cpuMedian} ms`);
  return { label, medianMs: Math.round(median * 10) / 10, p95Ms: Math.round(p95 * 10) / 10, cpuMedianMs: cpuMedian, rows };
}
const day = 86_400_000;
const iso = (days) => new Date(start + days * day).toISOString();
const end = DAYS;
// [label, eventName, since, until]: all time, the last N days, windows with an end, unaligned edges.
const windows = [
  ['all time', null, null, null],
  ['all time, event purchase', 'purchase', null, null],
  ['since before the first exposure (all time)', null, '2025-12-31T00:00:00Z', null],
  ['the last 29 days', null, iso(end - 29), null],
  ['the last 14 days', null, iso(end - 14), null],
  ['the last 7 days', null, iso(end - 7), null],
  ['the last 7 days, event purchase', 'purchase', iso(end - 7), null],
  ['days 8 to 22 (since and until)', null, iso(8), iso(22)],
  ['until day 15', null, null, iso(15)],
  ['whole span with an end (2025-12-31 to 2100-01-01)', null, '2025-12-31T00:00:00Z', '2100-01-01T00:00:00Z'],
  [
    'unaligned: day 3 13:17 to day 27 09:05',
    null,
    new Date(start + 3 * day + 47_820_000).toISOString(),
    new Date(start + 27 * day + 32_700_000).toISOString(),
  ],
];
console.log(`get_ab_test_results over ${QUERY_EVENTS.toLocaleString()} events (one flag, three variants):`);
const resultsTimes = [];
for (const [label, eventName, since, until] of windows)
  resultsTimes.push(await time(label, q, ['pricing-test', 'production', eventName, since, until]));
const metrics = JSON.stringify([
  { key: 'revenue', kind: 'mean', num_event: 'purchase', num_count: false, den_event: null, den_count: false, pre_days: null },
]);
const metricsAll = JSON.stringify([
  { key: 'revenue', kind: 'mean', num_event: 'purchase', num_count: false, den_event: null, den_count: false, pre_days: 14 },
  { key: 'buyers', kind: 'binomial', num_event: 'purchase', num_count: true, den_event: null, den_count: false, pre_days: null },
  { key: 'per-order', kind: 'ratio', num_event: 'purchase', num_count: false, den_event: 'purchase', den_count: true, pre_days: 14 },
]);
const m = 'select * from get_metric_stats($1, $2, $3::jsonb, $4, $5)';
console.log('get_metric_stats, a mean metric (revenue per user):');
const metricTimes = [];
for (const [label, eventName, since, until] of windows) {
  if (eventName === null) metricTimes.push(await time(label, m, ['pricing-test', 'production', metrics, since, until]));
}
console.log('get_metric_stats, three metrics (mean and ratio with CUPED over 14 days, binomial):');
const metricAllTimes = [];
for (const [label, eventName, since, until] of windows) {
  if (eventName === null) metricAllTimes.push(await time(label, m, ['pricing-test', 'production', metricsAll, since, until]));
}
// The timelines' answer equals the raw events' (a read-only transaction reads the raw events), on one window.
const rawCheck = async (sql, values) => {
  const c = await pool.connect();
  try {
    await c.query('begin read only');
    const { rows } = await c.query(sql, values);
    await c.query('commit');
    return rows;
  } finally {
    c.release();
  }
};
const checkWindow = ['pricing-test', 'production', null, iso(end - 7), null];
const same =
  JSON.stringify(await rawCheck(q, checkWindow)) === JSON.stringify((await pool.query(q, checkWindow)).rows) &&
  JSON.stringify(await rawCheck(m, ['pricing-test', 'production', metricsAll, iso(8), iso(22)])) ===
    JSON.stringify((await pool.query(m, ['pricing-test', 'production', metricsAll, iso(8), iso(22)])).rows);
console.log(`  timelines and raw events give identical answers: ${same}`);
if (!same) process.exitCode = 1;
timer.release();
const slowest = Math.max(...[...resultsTimes, ...metricTimes, ...metricAllTimes].map((t) => t.medianMs));
const slowestCpu = Math.max(...[...resultsTimes, ...metricTimes, ...metricAllTimes].map((t) => t.cpuMedianMs));
console.log(`  slowest server CPU median: ${slowestCpu} ms`);
console.log(
  `  slowest median: ${slowest} ms (target ≤ 500 ms); load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

// A flag change made through one instance, seen by a client of another (LISTEN/NOTIFY).
console.log('flag change visible in another instance:');
const writer = createPostgresStorage({ pool });
const readerPool = new pg.Pool({ connectionString: benchUrl, max: 2 });
const reader = createPostgresStorage({ pool: readerPool, listenClient: () => new pg.Client({ connectionString: benchUrl }) });
const flag = { key: 'kill-switch', environment: 'production', enabled: true };
await writer.writeFlag(flag);
const client = createFlags({ storage: reader, environment: 'production', cacheTtlMs: 600_000, trackExposures: false });
await client.refresh();
await new Promise((r) => setTimeout(r, 300)); // the LISTEN connection is up
const propagation = [];
for (let i = 0; i < 20; i++) {
  const enabled = i % 2 === 1;
  const t = performance.now();
  await writer.writeFlag({ ...flag, enabled });
  while (client.evaluateSync('kill-switch', 'u1').value !== enabled) await new Promise((r) => setImmediate(r));
  propagation.push(performance.now() - t);
}
propagation.sort((a, b) => a - b);
const propMedian = propagation[10];
const propMax = propagation[propagation.length - 1];
console.log(`  median ${propMedian.toFixed(1)} ms, max ${propMax.toFixed(1)} ms (20 changes)`);
await client.close();
await reader.close();
await readerPool.end();

const { rows: sizes } = await pool.query(
  `select count(*) filter (where event_type = 'exposure')::int as exposures, count(*) filter (where event_type = 'conversion')::int as conversions,
          (select count(*)::int from feature_flag_first_exposures) as exposed_users, (select count(*)::int from feature_flag_conversions) as conversion_rows
   from feature_flag_events`,
);
await pool.end();

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: os.loadavg(),
  ingestion: {
    events: TOTAL,
    batch: BATCH,
    writers: WRITERS,
    eventsPerSecond,
    withoutTriggersEventsPerSecond: plainPerSecond,
    perSlice50k: windows50k,
  },
  drainBacklog: { events: drained, ms: drainMs },
  allTimeWith10kBacklog: { medianMs: withBacklog },
  query: { events: QUERY_EVENTS, users: QUERY_USERS, data: sizes[0], generationMs, rebuildMs },
  results: resultsTimes.map(({ rows: _rows, ...t }) => t),
  metricStatsMean: metricTimes.map(({ rows: _rows, ...t }) => t),
  metricStatsThree: metricAllTimes.map(({ rows: _rows, ...t }) => t),
  identical: same,
  flagChange: { medianMs: propMedian, maxMs: propMax },
};
mkdirSync(join(here, 'results'), { recursive: true });
if (QUERY_EVENTS >= 10_000_000) writeFileSync(join(here, 'results', 'postgres.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.query.data));
