import { EliteError } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';
import { assertStorableEvents, eventIdOf, isContentRejection } from './event-checks.js';
import { type Queryable, storageError } from './postgres-session.js';
import type { FlagEvent } from './types.js';

/** What a refused event batch becomes: `INVALID_EVENT` for its content, `STORAGE_ERROR` otherwise. */
function appendFailed(error: unknown): EliteError {
  const code = (error as { code?: unknown } | null)?.code;
  if (!isContentRejection(code)) return storageError('appending events', error);
  const message = redactSecrets(error instanceof Error ? error.message : 'refused');
  return new EliteError(
    'INVALID_EVENT',
    `elite/postgres: the store refused the event batch for its content (${String(code)}): ${message}`,
    {
      cause: error,
    },
  );
}

/**
 * One event as a JSON object for `json_to_recordset`, with short keys (the server parses every
 * byte). An absent field is left out (JSON.stringify drops undefined) and read as NULL;
 * `properties` stays a nested object, read as jsonb.
 */
const eventRow = (e: FlagEvent) => ({
  i: eventIdOf(e),
  k: e.flagKey,
  e: e.environment,
  v: e.variant,
  u: e.userId,
  t: e.type,
  n: e.eventName,
  x: e.value,
  p: e.properties,
  o: e.occurredAt,
});

// The batch travels as one JSON text parameter, unpacked into typed rows by the server: node-pg
// would serialize ten arrays element by element in JavaScript (quoting and escaping each string),
// where JSON.stringify is native, and the server parses one JSON text faster than ten array
// literals (docs/benchmarks.md, "PostgreSQL ingestion").
const COLUMNS = 'event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at';
const ROWS = `select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
  from json_to_recordset($1::json) as r(i uuid, k text, e text, v text, u text, t text, n text, x float8, p jsonb, o timestamptz)`;
// A batch is first inserted as it is: the unique key on event_id checks each id once, as it enters
// the index. `on conflict (event_id) do nothing` checks each id before the row is written and again
// as it enters the index, and marks the row speculative until both are done (docs/benchmarks.md,
// "event ids in time order, one check each"): it is used only when the batch holds an id already
// stored, i.e. a retry of a write that committed after it timed out, which the plain insert refuses
// whole (SQLSTATE 23505 on feature_flag_events_event_id_key).
const INSERT_EVENTS = `insert into feature_flag_events (${COLUMNS})\n  ${ROWS}`;
const INSERT_NEW_EVENTS = `${INSERT_EVENTS}\n  on conflict (event_id) do nothing`;

/** True for the refusal of a plain insert whose batch holds an event id already stored. */
const isStoredEventId = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'feature_flag_events_event_id_key';
};

/**
 * Stores a batch of events in `feature_flag_events`, all or none, in one statement (the batch
 * sent as one JSON array and unpacked into rows: atomic, one round trip). A copy of an event
 * already stored (a retry of a write that timed out after its commit) is skipped by its
 * `event_id`: the batch is then written again with `on conflict (event_id) do nothing` (a second
 * round trip, for retries only). Rejects with `INVALID_EVENT` when the batch cannot be stored for
 * its content (checked before sending, or refused by the database's types and CHECK constraints),
 * with `STORAGE_ERROR` otherwise.
 */
export async function appendPostgresEvents(pool: Queryable, events: readonly FlagEvent[]): Promise<void> {
  if (events.length === 0) return;
  assertStorableEvents('postgres', events);
  const batch = JSON.stringify(events.map(eventRow));
  try {
    await pool.query(INSERT_EVENTS, [batch]);
  } catch (error) {
    if (!isStoredEventId(error)) throw appendFailed(error);
    try {
      await pool.query(INSERT_NEW_EVENTS, [batch]);
    } catch (retryError) {
      throw appendFailed(retryError);
    }
  }
}
