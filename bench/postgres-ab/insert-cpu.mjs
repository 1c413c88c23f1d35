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

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench: DATABASE_URL is not set — export DATABASE_URL=$(bash scripts/db-start.sh)');
const TOTAL = Number(process.env.BENCH_INGEST ?? 240_000);
const BATCH = 500;
const client = new pg.Client({ connectionString: url.replace(/\/[^/?]*(\?|$)/, '/elite_ab_ingest$1') });
await client.connect();
await client.query('truncate feature_flag_events');
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
const backendUs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

let seed = 7;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x80000000;
};
const variants = ['control', 'variant-a', 'variant-b'];
function makeBatch(index) {
  const batch = [];
  for (let i = 0; i < BATCH; i++) {
    const occurredAt = new Date(Date.UTC(2026, 0, 1) + index * 1000 + i).toISOString();
    const userId = `user-${Math.floor(rand() * 200_000)}`;
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
      const eventName = rand() < 0.7 ? 'purchase' : 'signup';
      batch.push({ type: 'conversion', environment: 'production', userId, eventName, value: Math.floor(rand() * 100), occurredAt });
    }
  }
  return batch;
}
const COLUMNS = 'event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at';
const RECORD = 'r(i uuid, k text, e text, v text, u text, t text, n text, x float8, p jsonb, o timestamptz)';
const jsonRows = (events) =>
  JSON.stringify(
    events.map((e) => ({
      i: crypto.randomUUID(),
      k: e.flagKey,
      e: e.environment,
      v: e.variant,
      u: e.userId,
      t: e.type,
      n: e.eventName,
      x: e.value,
      p: e.properties,
      o: e.occurredAt,
    })),
  );
const statements = {
  arrays(events) {
    const column = (pick) => events.map(pick);
    return [
      `insert into feature_flag_events (${COLUMNS})
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::jsonb[], $10::timestamptz[])
       on conflict (event_id) do nothing`,
      [
        column(() => crypto.randomUUID()),
        column((e) => e.flagKey ?? null),
        column((e) => e.environment),
        column((e) => e.variant ?? null),
        column((e) => e.userId),
        column((e) => e.type),
        column((e) => e.eventName ?? null),
        column((e) => e.value ?? null),
        column((e) => (e.properties === undefined ? null : JSON.stringify(e.properties))),
        column((e) => e.occurredAt),
      ],
    ];
  },
  json: (events) => [
    `insert into feature_flag_events (${COLUMNS}) select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
     from json_to_recordset($1::json) as ${RECORD} on conflict (event_id) do nothing`,
    [jsonRows(events)],
  ],
  jsonb: (events) => [
    `insert into feature_flag_events (${COLUMNS}) select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
     from jsonb_to_recordset($1::jsonb) as ${RECORD} on conflict (event_id) do nothing`,
    [jsonRows(events)],
  ],
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
