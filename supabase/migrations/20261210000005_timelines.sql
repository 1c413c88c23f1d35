-- @tiqology/elite: per-user timelines, the pre-aggregates of windowed results. Idempotent; on an
-- existing database it builds them from the events already folded in.
--
-- A window [since, until) needs, per user, the first exposure at or after `since` (its variant and
-- time) and the user's conversions between that exposure and `until`. Both tables keep, per key,
-- sorted arrays, so a window is answered per user by a binary search (width_bucket) instead of a
-- scan of the user's events:
--   feature_flag_exposure_timelines    one row per (flag, environment, user): every exposure's time,
--                                      event id and variant, ordered by (time, id);
--   feature_flag_conversion_timelines  one row per (environment, user, event name): every conversion's
--                                      time, event id and the running sum of the values (missing as 0).
-- The count of conversions in [a, b) is the difference of two positions, their value sum the
-- difference of two running sums (exact for values in whole units or cents up to 2^53; otherwise
-- within a few ulps of the direct sum). A query reads one row per exposed user and per event name
-- however many events the user has: windowed results cost O(users), not O(events).
--
-- Maintenance follows the other pre-aggregates (see the rollup file): an event is folded into the
-- timelines when it leaves feature_flag_events_pending (a statement trigger on that table, so the
-- drain folds both at once, under the same lock and in the same transaction); updates and deletes
-- of events rebuild the timelines of the users they touch; TRUNCATE of the pending table (rebuild,
-- TRUNCATE of the events) rebuilds them from the events.

create table if not exists feature_flag_exposure_timelines (
  flag_key text not null,
  environment text not null,
  user_id text not null,
  at timestamptz[] not null,
  ids bigint[] not null,
  variants text[] not null,
  primary key (flag_key, environment, user_id)
);
create table if not exists feature_flag_conversion_timelines (
  environment text not null,
  user_id text not null,
  event_name text,
  at timestamptz[] not null,
  ids bigint[] not null,
  cum double precision[] not null,
  constraint feature_flag_conversion_timelines_key unique nulls not distinct (environment, user_id, event_name)
);
alter table feature_flag_exposure_timelines enable row level security;
alter table feature_flag_conversion_timelines enable row level security;

-- Two timelines of one key, merged in time order, an event present in both kept once (the running
-- sums are recomputed over the merged events).
create or replace function feature_flag_timeline_merge(
  a_at timestamptz[], a_ids bigint[], a_cum double precision[], b_at timestamptz[], b_ids bigint[], b_cum double precision[],
  out at timestamptz[], out ids bigint[], out cum double precision[]
) language sql immutable set search_path = pg_catalog, public, pg_temp as $$
  -- Appending (events arrive roughly in time order) keeps the stored running sums as they are.
  select a_at || b_at, a_ids || b_ids,
         a_cum || array(select a_cum[cardinality(a_cum)] + c from unnest(b_cum) with ordinality u(c, n) order by n)
  where a_at[cardinality(a_at)] < b_at[1]
  union all
  select array_agg(w.at order by w.at, w.id), array_agg(w.id order by w.at, w.id), array_agg(w.c order by w.at, w.id)
  from (
    select v.at, v.id, sum(v.v) over (order by v.at, v.id rows unbounded preceding) as c
    from (
      select distinct on (u.id) u.at, u.id, u.v
      from (
        select o.at, o.id, o.c - coalesce(lag(o.c) over (order by o.n), 0) as v from unnest(a_at, a_ids, a_cum) with ordinality o(at, id, c, n)
        union all
        select o.at, o.id, o.c - coalesce(lag(o.c) over (order by o.n), 0) from unnest(b_at, b_ids, b_cum) with ordinality o(at, id, c, n)
      ) u
      order by u.id
    ) v
  ) w
  where not (a_at[cardinality(a_at)] < b_at[1])
  having not (a_at[cardinality(a_at)] < b_at[1]);
$$;

-- Two exposure timelines of one key, merged in (time, id) order, an event present in both kept once.
create or replace function feature_flag_exposure_merge(
  a_at timestamptz[], a_ids bigint[], a_variants text[], b_at timestamptz[], b_ids bigint[], b_variants text[],
  out at timestamptz[], out ids bigint[], out variants text[]
) language sql immutable set search_path = pg_catalog, public, pg_temp as $$
  select a_at || b_at, a_ids || b_ids, a_variants || b_variants
  where a_at[cardinality(a_at)] < b_at[1]
  union all
  -- union: an event folded twice (a drain retrying a chunk one event at a time) is kept once
  select array_agg(m.at order by m.at, m.id), array_agg(m.id order by m.at, m.id), array_agg(m.variant order by m.at, m.id)
  from (
    select * from unnest(a_at, a_ids, a_variants)
    union
    select * from unnest(b_at, b_ids, b_variants)
  ) m(at, id, variant)
  where not (a_at[cardinality(a_at)] < b_at[1])
  having not (a_at[cardinality(a_at)] < b_at[1]);
$$;

-- feature_flag_timelines_fold(p_ids) and feature_flag_timelines_refresh(p_environments, p_users),
-- which fold events into the timelines and rebuild those of given users, are defined in
-- 20261210000008_window_rows (they also keep the conversions copied into the exposure timelines).

-- Events leaving the pending table (the drain) are folded in. An event that cannot be folded (a sum
-- out of range, from data loaded around the constraints) is left out with a warning instead of
-- failing the drain, as the drain does for the other pre-aggregates: the batch is retried one event
-- at a time.
create or replace function feature_flag_events_pending_taken() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_ids bigint[] := (select array_agg(o.id order by o.id) from taken o);
  v_id bigint;
  v_state text;
  v_message text;
begin
  if v_ids is null then
    return null;
  end if;
  begin
    perform feature_flag_timelines_fold(v_ids);
  exception when others then
    foreach v_id in array v_ids loop
      begin
        perform feature_flag_timelines_fold(array[v_id]);
      exception when others then
        get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
        raise warning 'elite: event % left out of the timelines (%: %)', v_id, v_state, v_message;
      end;
    end loop;
  end;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_pending_taken on feature_flag_events_pending;
create trigger feature_flag_events_pending_taken after delete on feature_flag_events_pending
  referencing old table as taken for each statement execute function feature_flag_events_pending_taken();

-- TRUNCATE of the pending table (a rebuild, or TRUNCATE of the events): rebuilt from the events.
create or replace function feature_flag_events_pending_truncated() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  perform feature_flag_timelines_refresh(null, null);
  return null;
end;
$$;
drop trigger if exists feature_flag_events_pending_truncated on feature_flag_events_pending;
create trigger feature_flag_events_pending_truncated after truncate on feature_flag_events_pending
  for each statement execute function feature_flag_events_pending_truncated();

-- After UPDATE or DELETE statements of events: feature_flag_events_timelines_recount(), with its
-- triggers, is defined in 20261210000009_partitions.

-- Existing databases: the timelines are built by 20261210000008_window_rows.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return;
  end if;
  revoke all on table feature_flag_exposure_timelines, feature_flag_conversion_timelines from anon, authenticated;
  grant all on table feature_flag_exposure_timelines, feature_flag_conversion_timelines to service_role;
  revoke execute on function feature_flag_events_pending_taken(), feature_flag_events_pending_truncated()
    from public, anon, authenticated;
  drop policy if exists feature_flag_exposure_timelines_service on feature_flag_exposure_timelines;
  create policy feature_flag_exposure_timelines_service on feature_flag_exposure_timelines
    for all to service_role using (true) with check (true);
  drop policy if exists feature_flag_conversion_timelines_service on feature_flag_conversion_timelines;
  create policy feature_flag_conversion_timelines_service on feature_flag_conversion_timelines
    for all to service_role using (true) with check (true);
end;
$$;
