// The CPU cost of one event insert, paired batch by batch on one connection: the batch as ten
// arrays unnested (the statement before), as one JSON text unpacked by json_to_recordset (the
// shipped statement) and by jsonb_to_recordset, in turn, into the shipped table of the database
// bench/postgres-ab/ingest.mjs leaves (elite_ab_ingest, emptied first). Per event: the backend's
// CPU time (/proc/<pid>/schedstat, nanoseconds; the server must run on this machine) and this
// process's time to build and send the statement. Pairing batch by batch keeps the load and the
// table size the same for each statement.
// Run after ingest.mjs: BENCH_INGEST=240000 node bench/postgres-ab/insert-cpu.mjs
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { arraysInsert, jsonInsert, seededEvents } from '../postgres-events.mjs';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const TOTAL = Number(process.env.BENCH_INGEST ?? 240_000);
const BATCH = 500;
const client = new pg.Client({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_ab_ingest$1') });
await client.connect();
await client.query('truncate feature_flag_events');
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
const backendUs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

const { makeBatch } = seededEvents({ batch: BATCH, total: TOTAL });
const statements = {
  arrays: arraysInsert,
  json: (events) => jsonInsert(events, 'json'),
  jsonb: (events) => jsonInsert(events, 'jsonb'),
};
const names = Object.keys(statements);
const server = Object.fromEntries(names.map((n) => [n, 0]));
const node = Object.fromEntries(names.map((n) => [n, 0]));
const batches = Math.floor(TOTAL / BATCH / names.length) * names.length;
for (let b = 0; b < batches; b++) {
  const name = names[b % names.length];
  const events = makeBatch(b);
  const cpu = process.cpuUsage();
  const before = backendUs();
  const [text, values] = statements[name](events);
  const done = client.query(text, values); // serializes and writes before returning
  const used = process.cpuUsage(cpu);
  node[name] += used.user + used.system;
  await done;
  server[name] += backendUs() - before;
}
const perName = (batches / names.length) * BATCH;
console.log(`${(batches * BATCH).toLocaleString()} events, statements in turn, batch by batch, on one connection (µs per event):`);
for (const name of names) {
  console.log(
    `  ${name.padEnd(7)} backend ${(server[name] / perName).toFixed(2)}, node build and send ${(node[name] / perName).toFixed(2)}`,
  );
}
console.log(
  `  load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await client.end();
