-- @tiqology/elite: row-level security for Supabase, and the database's own updated_at. Idempotent.
--
-- Browser keys (roles anon and authenticated) may insert events and nothing else: they cannot read
-- events back, change or delete them, read flag definitions (which can hold user-id lists) or call
-- the results function. service_role (server-side only) may do everything. On plain PostgreSQL,
-- where the Supabase roles do not exist, only RLS is enabled: the tables' owner is not subject to
-- it, so the `pg` adapter connecting as the owner keeps working; other roles need policies.

alter table feature_flags enable row level security;
alter table feature_flag_events enable row level security;
alter table feature_flag_first_exposures enable row level security;
alter table feature_flag_conversions enable row level security;
alter table feature_flag_events_pending enable row level security;

-- Writes through the table API cannot say now(): the database stamps updated_at on every write.
create or replace function feature_flags_touch() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
drop trigger if exists feature_flags_touch on feature_flags;
create trigger feature_flags_touch before insert or update on feature_flags
  for each row execute function feature_flags_touch();

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
  grant insert on table feature_flag_events to anon, authenticated;
  grant usage on sequence feature_flag_events_id_seq to anon, authenticated;
  grant all on table feature_flags, feature_flag_events, feature_flag_first_exposures, feature_flag_conversions,
    feature_flag_events_pending to service_role;
  grant usage, select on sequence feature_flag_events_id_seq to service_role;
  if to_regclass('elite_migrations') is not null then
    alter table elite_migrations enable row level security;
    revoke all on table elite_migrations from anon, authenticated;
  end if;

  revoke execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) from public, anon, authenticated;
  grant execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) to service_role;
  revoke execute on function feature_flag_rollup_refresh(text[], text[], text[]) from anon, authenticated, service_role;
  revoke execute on function feature_flag_rollup_rebuild() from anon, authenticated;
  grant execute on function feature_flag_rollup_rebuild() to service_role;
  revoke execute on function feature_flag_rollup_lock() from anon, authenticated, service_role;
  revoke execute on function feature_flag_rollup_totals(text[], text[], text[]) from anon, authenticated, service_role;
  revoke execute on function feature_flag_rollup_drain(integer) from public, anon, authenticated;
  grant execute on function feature_flag_rollup_drain(integer) to service_role;

  -- Events: insert only. No select policy, so even a granted SELECT would see no rows.
  drop policy if exists feature_flag_events_insert on feature_flag_events;
  create policy feature_flag_events_insert on feature_flag_events
    for insert to anon, authenticated
    with check (event_type in ('exposure', 'conversion'));

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
