-- @tiqology/elite: row-level security, grants, and what a browser key may insert. Idempotent.
--
-- Browser keys (roles anon and authenticated) may insert events and nothing else: they cannot read
-- events back (but the event_id of their own last insert), change or delete them, read flag
-- definitions (which can hold user-id lists), call the results function, or touch the events' id
-- sequence. What they insert is checked here, in the database, on top of the column CHECKs every
-- writer meets (a refusal is a check_violation, 23514):
--   * occurred_at within the last 24 hours and at most 5 minutes ahead of the database clock;
--   * an exposure names a flag of that environment and one of its variants ("on"/"off" for a
--     toggle), so a made-up variant cannot move a real user out of their arm;
--   * at most 1,000 rows per statement (the SDK writes batches of 500 by default);
--   * retries are stored once: `on conflict (event_id) do nothing` skips a stored copy, a plain
--     INSERT of one is refused (23505).
-- service_role (server side only) may do everything. On plain PostgreSQL, where the Supabase roles
-- do not exist, only RLS is enabled: the tables' owner is not subject to it, so the `pg` adapter
-- connecting as the owner keeps working; other roles need policies. docs/security.md has the list.

alter table feature_flags enable row level security;
alter table feature_flag_events enable row level security;
alter table feature_flag_first_exposures enable row level security;
alter table feature_flag_conversions enable row level security;
alter table feature_flag_events_pending enable row level security;

-- After each INSERT statement of a browser role: at most 1,000 rows. SECURITY INVOKER, so
-- current_user is the role that inserts (service_role and the owner are not capped).
create or replace function feature_flag_events_insert_cap() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if current_user in ('anon', 'authenticated') and (select count(*) from new_events) > 1000 then
    raise exception 'elite: at most 1000 events per statement with a browser key'
      using errcode = 'check_violation', hint = 'Write smaller batches (the SDK option maxBatch).';
  end if;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_insert_cap on feature_flag_events;
create trigger feature_flag_events_insert_cap after insert on feature_flag_events
  referencing new table as new_events for each statement execute function feature_flag_events_insert_cap();

-- Retries with a browser key, two ways:
--   * `insert ... on conflict (event_id) do nothing` (supabase-js upsert with ignoreDuplicates):
--     a conflict target needs SELECT on its column, and the new row must then pass a select
--     policy. The policy below shows a browser role one row at most, the event this connection
--     inserted last (its id is the sequence's currval): it passes each new row, and reveals
--     only the event_id column of that one event. The policy compares the primary key with a
--     stable function: a select by a browser role reads one index entry, never the table.
--   * a plain INSERT: a row whose event_id is already stored is refused by the unique key (23505,
--     PostgREST 409), the whole statement with it; the Supabase store then finds and drops the
--     stored copies itself (20261210000016_browser_checks says why this is no longer skipped).
create or replace function feature_flag_events_last_inserted_id() returns bigint
language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  return currval('public.feature_flag_events_id_seq');
exception when object_not_in_prerequisite_state then
  return null; -- nothing inserted yet on this connection
end;
$$;

-- Each row a browser role inserts (recent, an exposure to a flag and variant that exist) is checked
-- by an AFTER row trigger: feature_flag_events_browser_check(), defined in
-- 20261210000016_browser_checks.

-- Nothing of ours is callable by PUBLIC but the results and the drain (plain PostgreSQL keeps
-- them open to roles that may read the tables); triggers run whatever the caller may execute.
revoke execute on function feature_flag_rollup_refresh(text[], text[], text[]) from public;
revoke execute on function feature_flag_rollup_rebuild() from public;
revoke execute on function feature_flag_rollup_totals(text[], text[], text[]) from public;
revoke execute on function feature_flag_rollup_fold(bigint[]) from public;
revoke execute on function feature_flag_events_last_inserted_id() from public;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: no Supabase roles to grant to
  end if;

  -- Supabase's default privileges grant everything in schema public to the API roles: take it
  -- back, then grant exactly what each role needs. RLS policies are the second gate.
  revoke all on table feature_flags, feature_flag_events, feature_flag_first_exposures, feature_flag_conversions,
    feature_flag_events_pending from anon, authenticated;
  -- Not even USAGE: the identity column needs none, and UPDATE would allow setval().
  revoke all on sequence feature_flag_events_id_seq from anon, authenticated;
  -- Column by column: never id (OVERRIDING SYSTEM VALUE could take the ids the sequence will hand out).
  grant insert (event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at)
    on table feature_flag_events to anon, authenticated;
  -- For `on conflict (event_id)`; the select policy below shows one row at most.
  grant select (event_id) on table feature_flag_events to anon, authenticated;
  grant all on table feature_flags, feature_flag_events, feature_flag_first_exposures, feature_flag_conversions,
    feature_flag_events_pending to service_role;
  grant usage, select on sequence feature_flag_events_id_seq to service_role;
  if to_regclass('elite_migrations') is not null then
    alter table elite_migrations enable row level security;
    revoke all on table elite_migrations from anon, authenticated;
  end if;

  revoke execute on function feature_flag_rollup_drain(integer) from public, anon, authenticated;
  grant execute on function feature_flag_rollup_drain(integer) to service_role;
  revoke execute on function feature_flag_rollup_rebuild() from anon, authenticated;
  grant execute on function feature_flag_rollup_rebuild() to service_role;
  revoke execute on function feature_flag_rollup_refresh(text[], text[], text[]) from anon, authenticated, service_role;
  revoke execute on function feature_flag_rollup_totals(text[], text[], text[]) from anon, authenticated, service_role;
  revoke execute on function feature_flag_rollup_fold(bigint[]) from anon, authenticated, service_role;
  revoke execute on function feature_flags_notify(), feature_flags_touch(), feature_flag_events_rollup_recount(),
    feature_flag_events_insert_cap() from public, anon, authenticated;
  -- The retry policy below calls it as the inserting role.
  grant execute on function feature_flag_events_last_inserted_id() to anon, authenticated;

  -- Events: insert (triggers check the rows: the cap above, the row checks of
  -- 20261210000016_browser_checks); and see the event_id of this connection's last insert.
  drop policy if exists feature_flag_events_insert on feature_flag_events;
  create policy feature_flag_events_insert on feature_flag_events
    for insert to anon, authenticated
    with check (event_type in ('exposure', 'conversion'));
  drop policy if exists feature_flag_events_retry on feature_flag_events;
  create policy feature_flag_events_retry on feature_flag_events
    for select to anon, authenticated
    using (id = feature_flag_events_last_inserted_id());

  -- service_role bypasses RLS on Supabase (BYPASSRLS); these policies keep it working where it does not.
  drop policy if exists feature_flags_service on feature_flags;
  create policy feature_flags_service on feature_flags for all to service_role using (true) with check (true);
  drop policy if exists feature_flag_events_service on feature_flag_events;
  create policy feature_flag_events_service on feature_flag_events for all to service_role using (true) with check (true);
  drop policy if exists feature_flag_first_exposures_service on feature_flag_first_exposures;
  create policy feature_flag_first_exposures_service on feature_flag_first_exposures
    for all to service_role using (true) with check (true);
  drop policy if exists feature_flag_conversions_service on feature_flag_conversions;
  create policy feature_flag_conversions_service on feature_flag_conversions
    for all to service_role using (true) with check (true);
  drop policy if exists feature_flag_events_pending_service on feature_flag_events_pending;
  create policy feature_flag_events_pending_service on feature_flag_events_pending
    for all to service_role using (true) with check (true);
end;
$$;
