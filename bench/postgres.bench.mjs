// The PostgreSQL store on a real server: event ingestion with the shipped indexes and triggers,
// get_ab_test_results over 1M events, and how long a flag change takes to reach another instance.
// Run: export DATABASE_URL=$(bash scripts/db-start.sh); npm run bench:postgres   (builds first; ~2 min)
// Works in its own database (elite_bench, dropped and created again), never in DATABASE_URL's.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

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

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 500; // the SDK's default maxBatch
const WRITERS = 4; // concurrent batches in flight (several app instances)
const USERS = 200_000;
const RUNS = 15;

const admin = new pg.Pool({ connectionString: url, max: 1 });
await admin.query('drop database if exists elite_bench');
await admin.query('create database elite_bench');
await admin.end();
const benchUrl = url.replace(/\/[^/?]*(\?|$)/, '/elite_bench$1');
const pool = new pg.Pool({ connectionString: benchUrl, max: WRITERS + 2 });
await migrate(pool);
const storage = createPostgresStorage({ pool });

// Seeded events for one flag: each user is exposed (sometimes twice, sometimes to another variant
// after a weight change), 40 % of the events are conversions of two names, some from users never
// exposed or before their exposure. Time moves forward as the batches go.
let seed = 7;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x80000000;
};
const variants = ['control', 'variant-a', 'variant-b'];
const start = Date.UTC(2026, 0, 1);
const spanMs = 30 * 86_400_000;
function makeBatch(index) {
  const batch = [];
  for (let i = 0; i < BATCH; i++) {
    const n = index * BATCH + i;
    const occurredAt = new Date(start + Math.floor((n / TOTAL) * spanMs) + Math.floor(rand() * 60_000)).toISOString();
    const userId = `user-${Math.floor(rand() * USERS)}`;
    if (rand() < 0.6) {
      batch.push({
        type: 'exposure',
        environment: 'production',
        flagKey: 'pricing-test',
        variant: variants[Math.floor(rand() * 3)],
        userId,
        occurredAt,
      });
    } else {
      batch.push({
        type: 'conversion',
        environment: 'production',
        userId,
        eventName: rand() < 0.7 ? 'purchase' : 'signup',
        value: Math.floor(rand() * 100),
        occurredAt,
      });
    }
  }
  return batch;
}

// The peer in the same run: the same batches into a copy of the events table with the same
// indexes but none of the pre-aggregation triggers, in alternating slices of 50k events, so both
// see the same machine load and table sizes.
await pool.query('create table feature_flag_events_plain (like feature_flag_events including defaults including indexes)');
// The peer goes through the same adapter (same statement, same JS work per batch), its insert
// pointed at the plain table.
const plainPool = {
  query(text, values) {
    const plainText = text.replace('insert into feature_flag_events ', 'insert into feature_flag_events_plain ');
    if (plainText === text) throw new Error(`bench: expected the events insert, got: ${text.slice(0, 60)}`);
    return pool.query(plainText, values);
  },
};
const plain = createPostgresStorage({ pool: plainPool });
const batches = Math.ceil(TOTAL / BATCH);
const SLICE = 100; // batches per slice (50k events)
console.log(`ingesting ${TOTAL.toLocaleString()} events twice (shipped triggers / no triggers): batches of ${BATCH}, ${WRITERS} writers…`);
async function ingest(target, from, to) {
  let next = from;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < to) await target.appendEvents(makeBatch(next++));
    }),
  );
  return performance.now() - t;
}
const timeMs = { shipped: 0, plain: 0 };
const windows = []; // [shipped, plain] events/s per slice, to show the rate holds as the tables grow
for (let from = 0; from < batches; from += SLICE) {
  const to = Math.min(batches, from + SLICE);
  const events = (to - from) * BATCH;
  const seedBefore = seed;
  const shippedMs = await ingest(storage, from, to);
  seed = seedBefore; // the same random sequence for the peer
  const plainMs = await ingest(plain, from, to);
  timeMs.shipped += shippedMs;
  timeMs.plain += plainMs;
  windows.push([Math.round(events / (shippedMs / 1000)), Math.round(events / (plainMs / 1000))]);
}
await pool.query('drop table feature_flag_events_plain');
const eventsPerSecond = Math.round((batches * BATCH) / (timeMs.shipped / 1000));
const plainPerSecond = Math.round((batches * BATCH) / (timeMs.plain / 1000));
console.log(`  shipped (indexes + pre-aggregation triggers): ${eventsPerSecond.toLocaleString()} events/s`);
console.log(`  same indexes, no triggers:                   ${plainPerSecond.toLocaleString()} events/s`);
console.log(`  per 50k slice [shipped, no triggers]: ${JSON.stringify(windows)}`);
// Fold the whole backlog in at once (what a first results() call after a bulk load pays; with a
// schedule, pg_cron every minute for instance, the backlog stays small).
const drainStart = performance.now();
const drained = Number((await pool.query('select feature_flag_rollup_drain() as n')).rows[0].n);
const drainMs = performance.now() - drainStart;
console.log(`  drain of the backlog: ${drained.toLocaleString()} events in ${(drainMs / 1000).toFixed(1)} s`);
await pool.query('vacuum analyze feature_flag_events, feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending');

async function time(label, sql, values) {
  await pool.query(sql, values); // warm
  const samples = [];
  let rows;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    ({ rows } = await pool.query(sql, values));
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(RUNS / 2)];
  const p95 = samples[Math.min(RUNS - 1, Math.ceil(RUNS * 0.95) - 1)];
  console.log(`  ${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  return { median, p95, rows };
}
console.log('get_ab_test_results over the events (one flag):');
const q = 'select * from get_ab_test_results($1, $2, $3, $4, $5)';
const all = await time('all time (pre-aggregates)', q, ['pricing-test', 'production', null, null, null]);
const purchase = await time('all time, event purchase (pre-aggregates)', q, ['pricing-test', 'production', 'purchase', null, null]);
// A results call with a fresh backlog of 10k events (20 batches written since the last call).
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
const windowed = await time('window since 2025-12-31, no end (all time)', q, [
  'pricing-test',
  'production',
  null,
  '2025-12-31T00:00:00Z',
  null,
]);
const day = 86_400_000;
const since = (days) => new Date(start + spanMs - days * day).toISOString();
const last14 = await time('window: the last 14 of 30 days', q, ['pricing-test', 'production', null, since(14), null]);
const last7 = await time('window: the last 7 of 30 days', q, ['pricing-test', 'production', null, since(7), null]);
const last7Purchase = await time('window: the last 7 days, event purchase', q, ['pricing-test', 'production', 'purchase', since(7), null]);
const last29 = await time('window: the last 29 of 30 days', q, ['pricing-test', 'production', null, since(29), null]);
// since and until: the raw events (the first exposure in a bounded window is not pre-aggregated).
const bounded = await time('window 2025-12-31 to 2100-01-01 (raw events)', q, [
  'pricing-test',
  'production',
  null,
  '2025-12-31T00:00:00Z',
  '2100-01-01T00:00:00Z',
]);
const now = await pool.query(q, ['pricing-test', 'production', null, null, null]);
const same = JSON.stringify(now.rows) === JSON.stringify(windowed.rows) && JSON.stringify(now.rows) === JSON.stringify(bounded.rows);
console.log(`  pre-aggregated and raw answers identical: ${same}`);
if (!same) {
  console.error(now.rows, windowed.rows, bounded.rows);
  process.exitCode = 1;
}

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
  events: TOTAL,
  data: sizes[0],
  ingestion: { batch: BATCH, writers: WRITERS, eventsPerSecond, withoutTriggersEventsPerSecond: plainPerSecond, perSlice50k: windows },
  results: {
    allTime: { medianMs: all.median, p95Ms: all.p95 },
    allTimePurchase: { medianMs: purchase.median, p95Ms: purchase.p95 },
    allTimeWith10kBacklog: { medianMs: withBacklog },
    drainBacklog: { events: drained, ms: drainMs },
    windowedNoEnd: { medianMs: windowed.median, p95Ms: windowed.p95 },
    windowLast14Days: { medianMs: last14.median, p95Ms: last14.p95 },
    windowLast7Days: { medianMs: last7.median, p95Ms: last7.p95 },
    windowLast7DaysPurchase: { medianMs: last7Purchase.median, p95Ms: last7Purchase.p95 },
    windowLast29Days: { medianMs: last29.median, p95Ms: last29.p95 },
    windowedRaw: { medianMs: bounded.median, p95Ms: bounded.p95 },
    identical: same,
  },
  flagChange: { medianMs: propMedian, maxMs: propMax },
};
mkdirSync(join(here, 'results'), { recursive: true });
if (TOTAL >= 1_000_000) writeFileSync(join(here, 'results', 'postgres.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.data));
