import { EliteError } from '../internal/errors.js';
import { assertStorableEvents, eventIdOf, isContentRejection } from './event-checks.js';
import type { ClientLike, PostgrestErrorLike } from './supabase-client.js';
import { INSUFFICIENT_PRIVILEGE, redactPostgrestError, supabaseFailure, UNIQUE_VIOLATION } from './supabase-errors.js';
import type { FlagEvent } from './types.js';

const EVENTS = 'feature_flag_events';

type EventRow = Record<string, unknown>;

/** A unique violation of the events' idempotency key: the event is stored already. */
const isStoredCopy = (error: PostgrestErrorLike): boolean =>
  error.code === UNIQUE_VIOLATION && `${error.message} ${error.details ?? ''}`.includes('event_id');

/**
 * A plain insert is refused whole when one event of it is stored already (unique violation of
 * event_id): then halves are sent, down to the copies, which are dropped. That costs extra
 * requests only for a retried batch; the rest of the time it is one request.
 */
async function insertSkippingStored(client: ClientLike, rows: EventRow[]): Promise<PostgrestErrorLike | null> {
  const { error } = await client.from(EVENTS).insert(rows);
  if (!error || !isStoredCopy(error)) return error;
  if (rows.length === 1) return null;
  const half = Math.ceil(rows.length / 2);
  return (await insertSkippingStored(client, rows.slice(0, half))) ?? insertSkippingStored(client, rows.slice(half));
}

/** The `feature_flag_events` row of an event. */
const toEventRow = (e: FlagEvent): EventRow => ({
  event_id: eventIdOf(e),
  flag_key: e.flagKey ?? null,
  environment: e.environment,
  variant: e.variant ?? null,
  user_id: e.userId,
  event_type: e.type,
  event_name: e.eventName ?? null,
  value: e.value ?? null,
  properties: e.properties ?? null,
  occurred_at: e.occurredAt,
});

/**
 * The `appendEvents` of the Supabase store. One request, one INSERT … ON CONFLICT (event_id) DO
 * NOTHING: the batch is stored whole or not at all, and a copy of an event already stored (a
 * retried batch) is skipped. No `.select()`: row-level security lets browser keys insert events but
 * not read them back. Rejects with `INVALID_EVENT` when the batch cannot be stored for its content,
 * with `STORAGE_ERROR` otherwise.
 */
export function supabaseEventWriter(client: ClientLike): (events: readonly FlagEvent[]) => Promise<void> {
  // Keys that may insert events but not read them (anon, authenticated): ON CONFLICT needs SELECT
  // on event_id and a row-level security SELECT policy the new row passes, which such keys may
  // lack. Once refused, this writer sends plain inserts and resolves copies itself.
  let insertOnly = false;

  /** Stores rows, skipping the ones whose event_id is stored already; the error otherwise. */
  const insertEvents = async (rows: EventRow[]): Promise<PostgrestErrorLike | null> => {
    if (!insertOnly) {
      const { error } = await client.from(EVENTS).upsert(rows, { onConflict: 'event_id', ignoreDuplicates: true });
      if (error?.code !== INSUFFICIENT_PRIVILEGE) return error;
      insertOnly = true;
    }
    return insertSkippingStored(client, rows);
  };

  return async (events) => {
    if (events.length === 0) return;
    assertStorableEvents('supabase', events);
    const error = await insertEvents(events.map(toEventRow));
    if (!error) return;
    if (isContentRejection(error.code)) {
      const safe = redactPostgrestError(error);
      throw new EliteError(
        'INVALID_EVENT',
        `elite/supabase: the store refused the event batch for its content (${safe.code}): ${safe.message}`,
        { cause: safe },
      );
    }
    throw supabaseFailure('appending events', error);
  };
}
