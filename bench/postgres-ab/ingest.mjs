// A/B of the event insert of appendEvents on a real server, in one run: the batch as ten arrays
// unnested (the former statement) against one JSON text unpacked by
// json_to_recordset (the shipped statement), both into the shipped table (indexes and triggers),
// in alternating slices of SLICE batches so both see the same load and table sizes. Batches are
// made inside the timed loop as in bench/postgres.bench.mjs (500 events, 4 writers); the adapter's
// own checks are the same for both and left out. CPU per event: this process, and every process
// of the server when it runs on this machine (children of the postmaster, from /proc).
// Run: export DATABASE_URL=$(bash scripts/db-start.sh); npx tsup --silent; BENCH_INGEST=400000 \
//      PG_DATA_DIR=/tmp/elite-pg/data node bench/postgres-ab/ingest.mjs
// Works in its own database (elite_ab_ingest, dropped and created again).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { arraysInsert, jsonInsert, seededEvents } from '../postgres-events.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const { migrate } = await import(join(dist, 'adapters', 'postgres.js'));
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
const statements = { arrays: (events) => run(arraysInsert(events)), json: (events) => run(jsonInsert(events)) };

// The server's CPU time in ms: the postmaster and its children (backends, WAL writer, autovacuum).
const dataDir = process.env.PG_DATA_DIR;
const postmaster = dataDir ? Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) : Number.NaN;
function serverCpuMs() {
  if (Number.isNaN(postmaster)) return Number.NaN;
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(pid) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10;
}

const names = Object.keys(statements);
const totals = Object.fromEntries(names.map((n) => [n, { ms: 0, nodeMs: 0, serverMs: 0, events: 0 }]));
const batches = Math.ceil(TOTAL / BATCH);
console.log(
  `${TOTAL.toLocaleString()} events, slices of ${SLICE} batches of ${BATCH} alternating ${names.join(' / ')}, ${WRITERS} writers…`,
);
for (let from = 0, slice = 0; from < batches; from += SLICE, slice++) {
  const name = names[slice % names.length];
  const to = Math.min(batches, from + SLICE);
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
    `  ${name.padEnd(7)} ${Math.round(s.events / (s.ms / 1000)).toLocaleString()} events/s, CPU per event: node ${perEvent(s.nodeMs)} µs, server ${perEvent(s.serverMs)} µs`,
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
