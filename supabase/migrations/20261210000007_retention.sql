-- @tiqology/elite: retention of raw events by calendar month. Idempotent.
--
-- feature_flag_events_retention(p_keep_months, p_now) deletes the events older than the start of
-- the UTC month p_keep_months months before p_now's (keep 3 on 2027-05-14: everything before
-- 2027-02-01 goes), in batches of p_batch, and returns how many. The delete triggers recount the
-- users touched, so results and metric statistics stay exact for the events kept: a user whose
-- first exposure was deleted counts from their first exposure still stored. Schedule it monthly,
-- e.g. select cron.schedule('elite-retention', '0 3 1 * *', 'select feature_flag_events_retention(6)').
--
-- The events are not partitioned: a partitioned table cannot have a unique key on event_id alone
-- (every unique key must hold the partition key), and that key is what makes every insert
-- idempotent (`on conflict (event_id)`, for the adapters and for browser keys). Windowed results
-- and metric statistics read the per-user timelines, not the events, so their cost does not grow
-- with the table; the BRIN index below finds a month of events to delete without scanning the rest.

create index if not exists feature_flag_events_occurred_brin on feature_flag_events using brin (occurred_at);

create or replace function feature_flag_events_retention(
  p_keep_months integer,
  p_now timestamptz default now(),
  p_batch integer default 50000
) returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_cutoff timestamptz;
  v_done bigint := 0;
  v_rows bigint;
begin
  if p_keep_months is null or p_keep_months < 1 or p_batch is null or p_batch < 1 then
    raise exception 'elite: feature_flag_events_retention(p_keep_months, p_now, p_batch) needs p_keep_months >= 1 and p_batch >= 1'
      using errcode = 'invalid_parameter_value';
  end if;
  v_cutoff := (date_trunc('month', p_now at time zone 'UTC') - make_interval(months => p_keep_months)) at time zone 'UTC';
  loop
    delete from feature_flag_events e
     where e.id in (select o.id from feature_flag_events o where o.occurred_at < v_cutoff limit p_batch);
    get diagnostics v_rows = row_count;
    v_done := v_done + v_rows;
    exit when v_rows < p_batch;
  end loop;
  return v_done;
end;
$$;

revoke execute on function feature_flag_events_retention(integer, timestamptz, integer) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant execute on function feature_flag_events_retention(integer, timestamptz, integer) to service_role;
  end if;
  if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke execute on function feature_flag_events_retention(integer, timestamptz, integer) from anon, authenticated;
  end if;
end;
$$;
