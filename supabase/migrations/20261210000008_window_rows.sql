-- @tiqology/elite: windows read one row per exposed user. Idempotent; on an existing database it
-- fills the new columns from the timelines already built.
--
-- Each exposure timeline row also carries the user's conversions, so that a window reads one row per
-- exposed user and joins nothing (the conversions are per user, not per flag: a user exposed to
-- several flags has a copy in each of their rows, rewritten whenever the user converts):
--   c_names   the user's distinct conversion event names, in the order of the arrays below
--             (a missing name last);
--   c_starts  where each name's conversions start in c_at and c_cum, 1-based, then one past the end;
--   c_at      every conversion's time, by name, then by (time, event id);
--   c_cum     the running sum of the values (missing as 0) within each name;
--   a_at      every conversion's time, all names together, by (time, event id);
--   a_cum     the running sum of the values over a_at.
-- All null for a user without conversions. They are derived from feature_flag_conversion_timelines
-- (which stays the source: a user first exposed to a flag later gets their copy from it) by
-- feature_flag_timelines_combine, called wherever the timelines of a user change (a rebuild writes
-- them with the rows).
alter table feature_flag_exposure_timelines
  add column if not exists c_names text[],
  add column if not exists c_starts integer[],
  add column if not exists c_at timestamptz[],
  add column if not exists c_cum double precision[],
  add column if not exists a_at timestamptz[],
  add column if not exists a_cum double precision[];
-- The rows of a user, whatever the flag: the copy is rewritten for every user who converts.
create index if not exists feature_flag_exposure_timelines_user_idx on feature_flag_exposure_timelines (environment, user_id);

-- The conversion columns of the given (environment, user) keys, from their conversion timelines.
-- The keys come as arrays only (no "every user" shortcut): a query that could read every row is
-- planned as such, with a scan of every timeline, even for a few users.
create or replace function feature_flag_timelines_combined(p_environments text[], p_users text[])
returns table (environment text, user_id text, c_names text[], c_starts integer[], c_at timestamptz[],
               c_cum double precision[], a_at timestamptz[], a_cum double precision[])
language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
  with keys as (
    select distinct k.environment, k.user_id from unnest(p_environments, p_users) k(environment, user_id)
  ),
  named as (
    select c.environment, c.user_id, c.event_name, c.at, c.ids, c.cum,
           1 + coalesce(sum(cardinality(c.at)) over (
             partition by c.environment, c.user_id order by c.event_name nulls last
             rows between unbounded preceding and 1 preceding), 0)::integer as start,
           sum(cardinality(c.at)) over (partition by c.environment, c.user_id)::integer as total
    from keys k
    join feature_flag_conversion_timelines c on c.environment = k.environment and c.user_id = k.user_id
  ),
  events as (
    select n.environment, n.user_id, n.event_name, u.at, u.id, u.c, u.n,
           u.c - coalesce(lag(u.c) over (partition by n.environment, n.user_id, n.event_name order by u.n), 0) as v
    from named n cross join lateral unnest(n.at, n.ids, n.cum) with ordinality u(at, id, c, n)
  )
  select s.environment, s.user_id, s.names, s.starts || (s.total + 1), e.c_at, e.c_cum, e.a_at, e.a_cum
  from (
    select n.environment, n.user_id, array_agg(n.event_name order by n.event_name nulls last) as names,
           array_agg(n.start order by n.event_name nulls last) as starts, max(n.total) as total
    from named n group by n.environment, n.user_id
  ) s
  join (
    select r.environment, r.user_id,
           array_agg(r.at order by r.event_name nulls last, r.n) as c_at, array_agg(r.c order by r.event_name nulls last, r.n) as c_cum,
           array_agg(r.at order by r.at, r.id) as a_at, array_agg(r.running order by r.at, r.id) as a_cum
    from (
      select e.*, sum(e.v) over (partition by e.environment, e.user_id order by e.at, e.id rows unbounded preceding) as running
      from events e
    ) r
    group by r.environment, r.user_id
  ) e on e.environment = s.environment and e.user_id = s.user_id;
$$;

-- Sets the conversion columns of every exposure timeline of the given (environment, user) keys (of
-- every user when p_users is null). Call under the rollup lock.
create or replace function feature_flag_timelines_combine(p_environments text[], p_users text[]) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_environments text[] := p_environments;
  v_users text[] := p_users;
begin
  if p_users is null then
    select array_agg(k.environment), array_agg(k.user_id) into v_environments, v_users
    from (select distinct t.environment, t.user_id from feature_flag_exposure_timelines t) k;
  end if;
  update feature_flag_exposure_timelines t
     set c_names = p.c_names, c_starts = p.c_starts, c_at = p.c_at, c_cum = p.c_cum, a_at = p.a_at, a_cum = p.a_cum
    from (select distinct * from unnest(v_environments, v_users) u(environment, user_id)) k
    left join feature_flag_timelines_combined(v_environments, v_users) p on p.environment = k.environment and p.user_id = k.user_id
   where t.environment = k.environment and t.user_id = k.user_id
     and (t.c_names, t.c_starts, t.c_at, t.c_cum, t.a_at, t.a_cum) is distinct from (p.c_names, p.c_starts, p.c_at, p.c_cum, p.a_at, p.a_cum);
end;
$$;

-- feature_flag_timelines_fold(p_ids) and feature_flag_timelines_refresh(p_environments, p_users), which
-- fold events into the timelines and rebuild those of given users, are defined in
-- 20261210000011_narrow_rows (they write the variants as codes).

-- Existing databases with timelines: completed with the conversion columns (a database from
-- before the timelines gets them built by 20261210000011_narrow_rows).
do $$
begin
  -- The rollup lock. Its function (20261210000015_pending_batches) also moves the pending batches
  -- into the pending ids, once their table exists.
  perform pg_advisory_xact_lock(hashtextextended('@tiqology/elite rollup', 0));
  if to_regclass('feature_flag_events_pending_batches') is not null then
    perform feature_flag_rollup_lock();
  end if;
  if exists (select 1 from feature_flag_exposure_timelines) or exists (select 1 from feature_flag_conversion_timelines) then
    perform feature_flag_timelines_combine(null, null);
  end if;
end;
$$;

revoke execute on function feature_flag_timelines_combine(text[], text[]) from public;
revoke execute on function feature_flag_timelines_combined(text[], text[]) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated')
     and exists (select 1 from pg_roles where rolname = 'service_role') then
    revoke execute on function feature_flag_timelines_combine(text[], text[]), feature_flag_timelines_combined(text[], text[])
      from anon, authenticated, service_role;
  end if;
end;
$$;

-- get_ab_test_results and get_metric_stats, the per-variant aggregates and metric statistics of one
-- flag over the same timelines, are defined in 20261210000012_narrow_reads (get_metric_stats now in 20261210000013_metric_sums).
