// A/B of the event insert of appendEvents on a real server, in one run, into the shipped table
// (indexes and triggers), in alternating slices of SLICE batches so every statement sees the same
// load and table sizes. BENCH_COMPARE picks what is compared:
//   statements (default)  the batch as ten arrays unnested (the former statement) against one JSON
//                         text unpacked by json_to_recordset;
//   ids                   event ids at random (version 4, before) against in time order (version 7,
//                         the SDK's now), each with `on conflict (event_id) do nothing` (before) and
//                         without it (appendEvents' first attempt now);
//   copy                  appendEvents by COPY (now) against its INSERT of one JSON text (before, and
//                         still what it sends through a query() that cannot COPY);
//   pending               the insert trigger writing one pending row per event (before, from git)
//                         against one row per statement (20261210000015_pending_batches), both
//                         through appendEvents' COPY; the trigger function is replaced between slices;
//   checks                the browser keys' row checks in a BEFORE INSERT row trigger (before, from
//                         git) against an AFTER one (20261210000016_browser_checks), both with the
//                         WHEN clause that keeps them from firing here, through appendEvents' COPY;
//                         the trigger is swapped between slices.
// Batches (500 events, 4 writers) are made inside the timed loop, the same cost for every variant
// (bench/postgres.bench.mjs makes its batches before its clock starts); the
// adapter's own checks are the same for all and left out. CPU per event: this process, and every
// process of the server when it runs on this machine (bench/postgres-cpu.mjs).
// Run: export DATABASE_URL=$(bash scripts/db-start.sh); npx tsup --silent; BENCH_INGEST=400000 \
//      [BENCH_COMPARE=ids|copy|pending|checks] node bench/postgres-ab/ingest.mjs
// Works in its own database (elite_ab_ingest, dropped and created again).
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { serverCpuClock } from '../postgres-cpu.mjs';
import { arraysInsert, jsonInsert, seededEvents } from '../postgres-events.mjs';
import { functionDefinition, migrationText } from './migration-functions.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const { createPostgresStorage, migrate } = await import(join(dist, 'adapters', 'postgres.js'));
const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const TOTAL = Number(process.env.BENCH_INGEST ?? 400_000);
const SLICE = Number(process.env.BENCH_SLICE ?? 40); // batches per slice (20k events)
const BATCH = 500;
const WRITERS = 4;
const admin = new pg.Pool({ connectionString: url, max: 1 });
await admin.query('drop database if exists elite_ab_ingest');
await admin.query('create database elite_ab_ingest');
await admin.end();
const pool = new pg.Pool({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_ab_ingest$1'), max: WRITERS + 2 });
await migrate(pool);

const { makeBatch } = seededEvents({ batch: BATCH, total: TOTAL });
const run = ([text, values]) => pool.query(text, values);
// A version 7 id as the SDK makes it (src/internal/uuid-v7.ts): 48 bits of milliseconds, then random.
const timeOrdered = () => {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${crypto.randomUUID().slice(15)}`;
};
const random = () => crypto.randomUUID();
const insertStorage = createPostgresStorage({ pool: { query: (text, values) => pool.query(text, values) } });
const copyStorage = createPostgresStorage({ pool });
const comparisons = {
  statements: { arrays: (events) => run(arraysInsert(events)), json: (events) => run(jsonInsert(events)) },
  ids: {
    'random ids, on conflict': (events) => run(jsonInsert(events, 'json', { makeId: random })),
    'random ids, plain': (events) => run(jsonInsert(events, 'json', { makeId: random, conflict: false })),
    'time-ordered ids, on conflict': (events) => run(jsonInsert(events, 'json', { makeId: timeOrdered })),
    'time-ordered ids, plain': (events) => run(jsonInsert(events, 'json', { makeId: timeOrdered, conflict: false })),
  },
  copy: {
    // The adapter both times: given only query() it cannot COPY and inserts the batch as JSON.
    'appendEvents, insert': (events) => insertStorage.appendEvents(events),
    'appendEvents, copy': (events) => copyStorage.appendEvents(events),
  },
};
const PENDING_BEFORE = '26abbdd'; // the last commit writing one pending row per event
const perEventTrigger = functionDefinition(migrationText('20261204000002_rollup', PENDING_BEFORE), 'feature_flag_events_rollup_insert');
const perStatementTrigger = functionDefinition(migrationText('20261210000015_pending_batches'), 'feature_flag_events_rollup_insert');
comparisons.pending = {
  'one pending row per event': (events) => copyStorage.appendEvents(events),
  'one pending row per statement': (events) => copyStorage.appendEvents(events),
};
// Run before each slice of the named statement.
const sliceSetup = {
  'one pending row per event': () => pool.query(perEventTrigger),
  'one pending row per statement': () => pool.query(perStatementTrigger),
};
const CHECKS_BEFORE = 'e08107a'; // the last commit with the BEFORE row trigger
const beforeCheck = functionDefinition(migrationText('20261204000004_security', CHECKS_BEFORE), 'feature_flag_events_browser_insert');
const browserRoles = "when (current_user in ('anon', 'authenticated'))";
comparisons.checks = {
  'row checks before insert': (events) => copyStorage.appendEvents(events),
  'row checks after insert': (events) => copyStorage.appendEvents(events),
};
sliceSetup['row checks before insert'] = async () => {
  await pool.query(beforeCheck);
  await pool.query('drop trigger if exists feature_flag_events_browser_check on feature_flag_events');
  await pool.query(
    `create or replace trigger feature_flag_events_browser_insert before insert on feature_flag_events for each row ${browserRoles} execute function feature_flag_events_browser_insert()`,
  );
};
sliceSetup['row checks after insert'] = async () => {
  await pool.query('drop trigger if exists feature_flag_events_browser_insert on feature_flag_events');
  await pool.query(
    `create or replace trigger feature_flag_events_browser_check after insert on feature_flag_events for each row ${browserRoles} execute function feature_flag_events_browser_check()`,
  );
};
const statements = comparisons[process.env.BENCH_COMPARE ?? 'statements'];
if (!statements) throw new Error(`bench: BENCH_COMPARE must be one of ${Object.keys(comparisons).join(', ')}`);
const serverCpuMs = serverCpuClock((await pool.query('select pg_backend_pid() as pid')).rows[0].pid);

const names = Object.keys(statements);
const totals = Object.fromEntries(names.map((n) => [n, { ms: 0, nodeMs: 0, serverMs: 0, events: 0 }]));
const batches = Math.ceil(TOTAL / BATCH);
console.log(
  `${TOTAL.toLocaleString()} events, slices of ${SLICE} batches of ${BATCH} alternating ${names.join(' / ')}, ${WRITERS} writers…`,
);
for (let from = 0, slice = 0; from < batches; from += SLICE, slice++) {
  const name = names[slice % names.length];
  const to = Math.min(batches, from + SLICE);
  await sliceSetup[name]?.();
  let next = from;
  const cpu = process.cpuUsage();
  const server = serverCpuMs();
  const t = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < to) await statements[name](makeBatch(next++));
    }),
  );
  const total = totals[name];
  total.ms += performance.now() - t;
  const used = process.cpuUsage(cpu);
  total.nodeMs += (used.user + used.system) / 1000;
  total.serverMs += serverCpuMs() - server;
  total.events += (to - from) * BATCH;
}
for (const [name, s] of Object.entries(totals)) {
  const perEvent = (ms) => ((ms / s.events) * 1000).toFixed(1);
  console.log(
    `  ${name.padEnd(30)} ${Math.round(s.events / (s.ms / 1000)).toLocaleString()} events/s, CPU per event: node ${perEvent(s.nodeMs)} µs, server ${perEvent(s.serverMs)} µs`,
  );
}
const { rows } = await pool.query('select count(*)::int as n, count(distinct event_id)::int as distinct_ids from feature_flag_events');
console.log(
  `  stored ${rows[0].n.toLocaleString()} (${rows[0].distinct_ids.toLocaleString()} distinct ids); load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await pool.end();
