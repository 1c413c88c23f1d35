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
 * Stores a batch of events in `feature_flag_events`, all or none, in one statement (the columns
 * sent as arrays and unnested into rows: atomic, one round trip). A copy of an event already stored
 * (a retry of a write that timed out after its commit) is skipped by its `event_id`. Rejects with
 * `INVALID_EVENT` when the batch cannot be stored for its content (checked before sending, or
 * refused by the database's types and CHECK constraints), with `STORAGE_ERROR` otherwise.
 */
export async function appendPostgresEvents(pool: Queryable, events: readonly FlagEvent[]): Promise<void> {
  if (events.length === 0) return;
  assertStorableEvents('postgres', events);
  const column = <T>(pick: (e: FlagEvent) => T) => events.map(pick);
  try {
    await pool.query(
      `insert into feature_flag_events (event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at)
           select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::jsonb[], $10::timestamptz[])
           on conflict (event_id) do nothing`,
      [
        column(eventIdOf),
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
    );
  } catch (error) {
    throw appendFailed(error);
  }
}
