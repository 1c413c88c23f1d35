// The seeded events of the PostgreSQL benches (bench/postgres.bench.mjs, bench/postgres-ab/): one flag,
// each user exposed (sometimes twice, sometimes to another variant), 40 % of the events conversions
// of two names, some from users never exposed or before their exposure; time moves forward with the
// batch index over 30 days from 2026-01-01. The same seed gives the same events, so two statements
// or two tables can be fed the same sequence (read `seed` before, set it back after).
const variants = ['control', 'variant-a', 'variant-b'];
const START = Date.UTC(2026, 0, 1);
const SPAN_MS = 30 * 86_400_000;

/** Batches of `batch` events; `total` events in all spread over the 30 days. */
export function seededEvents({ batch = 500, total, users = 200_000 }) {
  const source = {
    seed: 7,
    makeBatch(index) {
      const rand = () => {
        source.seed = (Math.imul(source.seed, 1103515245) + 12345) & 0x7fffffff;
        return source.seed / 0x80000000;
      };
      const events = [];
      for (let i = 0; i < batch; i++) {
        const n = index * batch + i;
        const occurredAt = new Date(START + Math.floor((n / total) * SPAN_MS) + Math.floor(rand() * 60_000)).toISOString();
        const userId = `user-${Math.floor(rand() * users)}`;
        if (rand() < 0.6) {
          const variant = variants[Math.floor(rand() * 3)];
          events.push({ type: 'exposure', environment: 'production', flagKey: 'pricing-test', variant, userId, occurredAt });
        } else {
          const eventName = rand() < 0.7 ? 'purchase' : 'signup';
          events.push({ type: 'conversion', environment: 'production', userId, eventName, value: Math.floor(rand() * 100), occurredAt });
        }
      }
      return events;
    },
  };
  return source;
}

const COLUMNS = 'event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at';

/** The insert of appendEvents before the JSON batch: ten arrays unnested. [text, values] for pg's query(). */
export function arraysInsert(events) {
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
}

/**
 * The insert of appendEvents (one JSON text unpacked by `json_to_recordset`), or with
 * `jsonb_to_recordset`; ids from `makeId` (random, version 4, by default), with `on conflict
 * (event_id) do nothing` unless `conflict` is false.
 */
export function jsonInsert(events, unpack = 'json', { makeId = () => crypto.randomUUID(), conflict = true } = {}) {
  const rows = events.map((e) => ({
    i: makeId(),
    k: e.flagKey,
    e: e.environment,
    v: e.variant,
    u: e.userId,
    t: e.type,
    n: e.eventName,
    x: e.value,
    p: e.properties,
    o: e.occurredAt,
  }));
  return [
    `insert into feature_flag_events (${COLUMNS}) select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
     from ${unpack}_to_recordset($1::${unpack}) as r(i uuid, k text, e text, v text, u text, t text, n text, x float8, p jsonb, o timestamptz)
     ${conflict ? 'on conflict (event_id) do nothing' : ''}`,
    [JSON.stringify(rows)],
  ];
}
