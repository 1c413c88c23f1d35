-- @tiqology/elite: pending events recorded per insert statement. Idempotent.
--
-- The insert trigger wrote one row per event into feature_flag_events_pending (a heap row and a
-- primary-key entry each, on the write path of every event). It now writes one row per insert
-- statement into feature_flag_events_pending_batches: the statement's event ids as one array.
-- Whatever reads or changes the pending ids (the drain, the recounts after DELETE and UPDATE, the
-- rebuild, the archive and retention jobs) first takes feature_flag_rollup_lock(), which now also
-- moves the batches written since into feature_flag_events_pending, one id per row as before:
-- the per-event work moves from the insert to the next drain, and everything downstream of the
-- pending ids is unchanged. As before, a batch is seen once its insert has committed (or within
-- the inserting transaction).

create table if not exists feature_flag_events_pending_batches (
  batch bigint generated always as identity primary key,
  ids bigint[] not null
);
-- Stored as they are: compressing 4 kB of ids (a 500-event batch) cost the insert 0.2 ms, five
-- times the rest of the row's write, to keep a row that lives until the next drain.
alter table feature_flag_events_pending_batches alter column ids set storage external;
alter table feature_flag_events_pending_batches enable row level security;

-- Takes the rollup lock, which serializes everything that folds or recounts (the drain, the
-- recounts, the rebuild, the archive and retention jobs) to the end of its transaction, then moves
-- the pending batches into feature_flag_events_pending, oldest first, so that the caller finds
-- every committed pending event there.
create or replace function feature_flag_rollup_lock() returns void
language plpgsql volatile set search_path = pg_catalog, public, pg_temp as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('@tiqology/elite rollup', 0));
  with taken as (
    delete from feature_flag_events_pending_batches b returning b.batch, b.ids
  )
  insert into feature_flag_events_pending (id)
  select u.id from taken t cross join lateral unnest(t.ids) as u(id) order by t.batch, u.id;
end;
$$;

-- After each INSERT statement: the ids of the statement's events in one row.
create or replace function feature_flag_events_rollup_insert() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  insert into feature_flag_events_pending_batches (ids)
  select array_agg(n.id)
  from new_events n
  where n.event_type = 'conversion' or (n.flag_key is not null and n.variant is not null)
  having count(*) > 0;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_rollup_insert on feature_flag_events;
create trigger feature_flag_events_rollup_insert after insert on feature_flag_events
  referencing new table as new_events for each statement execute function feature_flag_events_rollup_insert();

-- TRUNCATE of the events: the pre-aggregates are emptied, and nothing is pending any more.
create or replace function feature_flag_events_rollup_truncate() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  truncate feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending,
    feature_flag_events_pending_batches;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_rollup_truncate on feature_flag_events;
create trigger feature_flag_events_rollup_truncate after truncate on feature_flag_events
  for each statement execute function feature_flag_events_rollup_truncate();

-- Events still pending on an existing database stay in feature_flag_events_pending: nothing to move.

revoke execute on function feature_flag_rollup_lock() from public;
revoke execute on function feature_flag_events_rollup_insert(), feature_flag_events_rollup_truncate() from public;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: no Supabase roles to grant to
  end if;
  revoke all on table feature_flag_events_pending_batches from anon, authenticated;
  grant all on table feature_flag_events_pending_batches to service_role;
  revoke execute on function feature_flag_rollup_lock() from anon, authenticated, service_role;
  revoke execute on function feature_flag_events_rollup_insert(), feature_flag_events_rollup_truncate()
    from public, anon, authenticated;
  drop policy if exists feature_flag_events_pending_batches_service on feature_flag_events_pending_batches;
  create policy feature_flag_events_pending_batches_service on feature_flag_events_pending_batches
    for all to service_role using (true) with check (true);
end;
$$;
