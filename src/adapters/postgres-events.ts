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
const INSERT_EVENTS = `insert into feature_flag_events (event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at)
  select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
  from json_to_recordset($1::json) as r(i uuid, k text, e text, v text, u text, t text, n text, x float8, p jsonb, o timestamptz)
  on conflict (event_id) do nothing`;

/**
 * Stores a batch of events in `feature_flag_events`, all or none, in one statement (the batch
 * sent as one JSON array and unpacked into rows: atomic, one round trip). A copy of an event
 * already stored (a retry of a write that timed out after its commit) is skipped by its
 * `event_id`. Rejects with `INVALID_EVENT` when the batch cannot be stored for its content
 * (checked before sending, or refused by the database's types and CHECK constraints), with
 * `STORAGE_ERROR` otherwise.
 */
export async function appendPostgresEvents(pool: Queryable, events: readonly FlagEvent[]): Promise<void> {
  if (events.length === 0) return;
  assertStorableEvents('postgres', events);
  try {
    await pool.query(INSERT_EVENTS, [JSON.stringify(events.map(eventRow))]);
  } catch (error) {
    throw appendFailed(error);
  }
}
