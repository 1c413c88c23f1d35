-- @tiqology/elite: the rows of browser keys checked after their insert. Idempotent.
--
-- What a browser key (anon, authenticated) inserts was checked by a BEFORE INSERT row trigger with
-- a WHEN clause on the role. Such a trigger makes every COPY into the table store its rows one at a
-- time, whatever its WHEN clause says for the role at hand: PostgreSQL batches a COPY's rows into
-- pages (one heap call and one WAL record per page) only on tables without BEFORE or INSTEAD OF row
-- triggers, so the server adapters' COPY paid for a trigger that never fired for them (7-22 % of
-- the ingestion rate, docs/benchmarks.md). The same checks now run in an AFTER INSERT row trigger,
-- with the same WHEN clause: it fires for browser roles only, before the statement ends, and a
-- refusal still refuses the whole statement with a check_violation (23514, PostgREST 400):
--   * occurred_at within the last 24 hours and at most 5 minutes ahead of the database clock;
--   * an exposure names a flag of that environment and one of its variants ("on"/"off" for a
--     toggle).
-- One behaviour changes: the BEFORE trigger also skipped a row whose event_id was already stored,
-- so a plain INSERT of a stored event stored nothing and raised nothing. After the insert that
-- cannot be done (the unique key refuses the copy first), so a plain INSERT of a stored event is
-- refused with 23505 (PostgREST 409), the whole statement with it, as for any other role. Retries
-- that skip stored copies are `insert ... on conflict (event_id) do nothing` (supabase-js upsert
-- with ignoreDuplicates, what the SDK's Supabase store sends); the store's fallback for keys
-- refused ON CONFLICT sends plain inserts and drops the stored copies a 23505 points to.

-- Each row a browser role inserted: recent, and an exposure to a flag and variant that exist.
-- SECURITY DEFINER to read the flags these roles cannot. A refusal is a check_violation, a content
-- error like the column CHECKs: a permission error (42501) would read as a misconfigured key.
create or replace function feature_flag_events_browser_check() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  if new.occurred_at < now() - interval '24 hours' or new.occurred_at > now() + interval '5 minutes' then
    raise exception 'elite: occurred_at % is outside the window a browser key may write (24 hours ago to 5 minutes ahead)', new.occurred_at
      using errcode = 'check_violation', hint = 'Check the device clock; older events must be written with a server key.';
  end if;
  if new.event_type = 'exposure' and not exists (
    select 1 from feature_flags f
    where f.key = new.flag_key and f.environment = new.environment
      and case when jsonb_typeof(f.definition -> 'variants') = 'array'
            then exists (select 1 from jsonb_array_elements(f.definition -> 'variants') v where v ->> 'key' = new.variant)
            else new.variant in ('on', 'off') end
  ) then
    raise exception 'elite: no flag "%" with variant "%" in environment "%"', new.flag_key, new.variant, new.environment
      using errcode = 'check_violation';
  end if;
  return null;
end;
$$;
-- The BEFORE trigger and its function, on a database that has them.
drop trigger if exists feature_flag_events_browser_insert on feature_flag_events;
drop function if exists feature_flag_events_browser_insert();
drop trigger if exists feature_flag_events_browser_check on feature_flag_events;
create trigger feature_flag_events_browser_check after insert on feature_flag_events
  for each row when (current_user in ('anon', 'authenticated')) execute function feature_flag_events_browser_check();

revoke execute on function feature_flag_events_browser_check() from public;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: no Supabase roles to grant to
  end if;
  revoke execute on function feature_flag_events_browser_check() from anon, authenticated;
end;
$$;
