import { EliteError } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';
import { assertStorableEvents, eventIdOf, isContentRejection } from './event-checks.js';
import { copyFromText, copyText } from './postgres-copy.js';
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
const eventRow = (e: FlagEvent, id: string) => ({
  i: id,
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

/** One event as a row of COPY's text format, the columns of COPY_EVENTS in order. */
const copyRow = (e: FlagEvent, id: string): string =>
  `${copyText(id)}\t${copyText(e.flagKey)}\t${copyText(e.environment)}\t${copyText(e.variant)}\t${copyText(e.userId)}\t${copyText(e.type)}\t${copyText(e.eventName)}\t${copyText(e.value)}\t${copyText(e.properties == null ? null : JSON.stringify(e.properties))}\t${copyText(e.occurredAt)}\n`;

const COLUMNS = 'event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at';
// A batch is first written by COPY (text format, one round trip, all or none): the server parses
// each column straight into its type, where an INSERT from a JSON parameter also parses the JSON
// and runs a query plan per row (docs/benchmarks.md, "events by COPY"). The unique key on event_id
// checks each id once, as it enters the index; a batch holding an id already stored (a retry of a
// write that committed after it timed out) is refused whole (SQLSTATE 23505 on
// feature_flag_events_event_id_key) and written again by an INSERT with `on conflict (event_id) do
// nothing`, which skips the stored ids. A pool or client that cannot COPY (not node-postgres, or
// its native bindings, or a role row-level security applies to: COPY FROM refuses it with 0A000)
// gets the INSERT without `on conflict` first, with the same fallback.
const COPY_EVENTS = `copy feature_flag_events (${COLUMNS}) from stdin`;
// The batch as one JSON text parameter, unpacked into typed rows by the server: node-pg would
// serialize ten arrays element by element in JavaScript, where JSON.stringify is native.
const ROWS = `select r.i, r.k, r.e, r.v, r.u, r.t, r.n, r.x, r.p, r.o
  from json_to_recordset($1::json) as r(i uuid, k text, e text, v text, u text, t text, n text, x float8, p jsonb, o timestamptz)`;
const INSERT_EVENTS = `insert into feature_flag_events (${COLUMNS})\n  ${ROWS}`;
const INSERT_NEW_EVENTS = `${INSERT_EVENTS}\n  on conflict (event_id) do nothing`;

/**
 * Pools and clients whose server refused a COPY into the events table as unsupported (SQLSTATE
 * 0A000: row-level security applies to the role they connect as, and COPY FROM cannot apply it).
 * They get the INSERT from then on; policies apply to it as to any insert.
 */
const copyRefused = new WeakSet<object>();
const isCopyUnsupported = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '0A000';

/** True for the refusal of a plain insert whose batch holds an event id already stored. */
const isStoredEventId = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'feature_flag_events_event_id_key';
};

/**
 * Writes the batch by COPY when `pool` can run one (its text made only then), else by `insert`:
 * resolves once the batch is stored, rejects with the database's error.
 */
async function copyOrInsert(
  pool: Queryable,
  events: readonly FlagEvent[],
  ids: readonly string[],
  insert: () => Promise<unknown>,
): Promise<void> {
  if (!copyRefused.has(pool)) {
    const copyRows = () => {
      let text = '';
      for (let i = 0; i < events.length; i++) text += copyRow(events[i] as FlagEvent, ids[i] as string);
      return text;
    };
    try {
      if (await copyFromText(pool, COPY_EVENTS, copyRows)) return;
    } catch (error) {
      if (!isCopyUnsupported(error)) throw error;
      copyRefused.add(pool);
    }
  }
  await insert();
}

/**
 * Stores a batch of events in `feature_flag_events`, all or none, in one statement: a COPY on a
 * node-postgres pool or client, else an INSERT of the batch sent as one JSON array. A copy of an
 * event already stored (a retry of a write that timed out after its commit) is skipped by its
 * `event_id`: the batch is then written again with `insert … on conflict (event_id) do nothing`
 * (a second round trip, for retries only). Rejects with `INVALID_EVENT` when the batch cannot be
 * stored for its content (checked before sending, or refused by the database's types and CHECK
 * constraints), with `STORAGE_ERROR` otherwise.
 */
export async function appendPostgresEvents(pool: Queryable, events: readonly FlagEvent[]): Promise<void> {
  if (events.length === 0) return;
  assertStorableEvents('postgres', events);
  const ids = events.map(eventIdOf);
  const json = () => JSON.stringify(events.map((e, i) => eventRow(e, ids[i] as string)));
  try {
    await copyOrInsert(pool, events, ids, () => pool.query(INSERT_EVENTS, [json()]));
  } catch (error) {
    if (!isStoredEventId(error)) throw appendFailed(error);
    try {
      await pool.query(INSERT_NEW_EVENTS, [json()]);
    } catch (retryError) {
      throw appendFailed(retryError);
    }
  }
}
