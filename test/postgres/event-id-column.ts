import type pg from 'pg';

/**
 * TEMPORARY, until the squashed migrations add it: the events' idempotency key column and its
 * unique index, exactly as the migration contract states them. Remove this file and its calls
 * once `supabase/migrations/` creates `feature_flag_events.event_id`.
 */
export async function addEventIdColumn(db: pg.Pool | pg.Client): Promise<void> {
  await db.query('alter table feature_flag_events add column if not exists event_id uuid not null default gen_random_uuid()');
  await db.query('create unique index if not exists feature_flag_events_event_id_key on feature_flag_events (event_id)');
}
