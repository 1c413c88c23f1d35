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

-- Folds the given events (just taken out of the pending table) into the timelines.
create or replace function feature_flag_timelines_fold(p_ids bigint[]) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_min bigint := (select min(i) from unnest(p_ids) i);
  v_max bigint := (select max(i) from unnest(p_ids) i);
  v_environments text[];
  v_users text[];
begin
  -- The users of the new exposure timeline rows (xmax = 0: inserted, not updated) need a copy of
  -- their conversions; the rows of users exposed again already hold it.
  with written as (
    insert into feature_flag_exposure_timelines as t (flag_key, environment, user_id, at, ids, variants)
    select e.flag_key, e.environment, e.user_id, array_agg(e.occurred_at order by e.occurred_at, e.id),
           array_agg(e.id order by e.occurred_at, e.id), array_agg(e.variant order by e.occurred_at, e.id)
    from unnest(p_ids) i(id)
    join feature_flag_events e on e.id = i.id and e.id between v_min and v_max
    where e.event_type = 'exposure' and e.flag_key is not null and e.variant is not null
    group by e.flag_key, e.environment, e.user_id
    on conflict (flag_key, environment, user_id) do update set (at, ids, variants) = (
      select m.at, m.ids, m.variants from feature_flag_exposure_merge(t.at, t.ids, t.variants, excluded.at, excluded.ids, excluded.variants) m
    )
    returning t.environment, t.user_id, t.xmax = 0 as inserted
  )
  select array_agg(w.environment), array_agg(w.user_id) into v_environments, v_users from written w where w.inserted;
  insert into feature_flag_conversion_timelines as t (environment, user_id, event_name, at, ids, cum)
  select c.environment, c.user_id, c.event_name, array_agg(c.occurred_at order by c.occurred_at, c.id),
         array_agg(c.id order by c.occurred_at, c.id), array_agg(c.cum order by c.occurred_at, c.id)
  from (
    select e.environment, e.user_id, e.event_name, e.occurred_at, e.id,
           sum(coalesce(e.value, 0)) over (partition by e.environment, e.user_id, e.event_name order by e.occurred_at, e.id) as cum
    from unnest(p_ids) i(id)
    join feature_flag_events e on e.id = i.id and e.id between v_min and v_max
    where e.event_type = 'conversion'
  ) c
  group by c.environment, c.user_id, c.event_name
  on conflict (environment, user_id, event_name) do update set (at, ids, cum) = (
    select m.at, m.ids, m.cum from feature_flag_timeline_merge(t.at, t.ids, t.cum, excluded.at, excluded.ids, excluded.cum) m
  );
  -- Their conversions copied into the exposure timelines: users with a new row, and users with
  -- conversions among these events.
  select array_agg(k.environment), array_agg(k.user_id) into v_environments, v_users
  from (
    select * from unnest(v_environments, v_users)
    union
    select e.environment, e.user_id
    from unnest(p_ids) i(id) join feature_flag_events e on e.id = i.id and e.id between v_min and v_max
    where e.event_type = 'conversion'
  ) k(environment, user_id);
  if v_users is not null then
    perform feature_flag_timelines_combine(v_environments, v_users);
  end if;
end;
$$;

-- Rebuilds the timelines of the given (environment, user) keys from the events folded in (every
-- user when p_users is null). Call under the rollup lock.
create or replace function feature_flag_timelines_refresh(p_environments text[], p_users text[]) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_environments text[] := p_environments;
  v_users text[] := p_users;
begin
  if p_users is null then
    truncate feature_flag_exposure_timelines, feature_flag_conversion_timelines;
  else
    delete from feature_flag_exposure_timelines t using unnest(p_environments, p_users) k(environment, user_id)
     where t.environment = k.environment and t.user_id = k.user_id;
    delete from feature_flag_conversion_timelines t using unnest(p_environments, p_users) k(environment, user_id)
     where t.environment = k.environment and t.user_id = k.user_id;
  end if;
  insert into feature_flag_conversion_timelines (environment, user_id, event_name, at, ids, cum)
  select c.environment, c.user_id, c.event_name, array_agg(c.occurred_at order by c.occurred_at, c.id),
         array_agg(c.id order by c.occurred_at, c.id), array_agg(c.cum order by c.occurred_at, c.id)
  from (
    select e.environment, e.user_id, e.event_name, e.occurred_at, e.id,
           sum(coalesce(e.value, 0)) over (partition by e.environment, e.user_id, e.event_name order by e.occurred_at, e.id) as cum
    from feature_flag_events e
    where e.event_type = 'conversion'
      and (p_users is null or (e.environment, e.user_id) in (select * from unnest(p_environments, p_users)))
      and not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
  ) c
  group by c.environment, c.user_id, c.event_name;
  -- Conversions first: the exposure timelines are written with their copy (no second version of each row).
  if p_users is null then
    select array_agg(k.environment), array_agg(k.user_id) into v_environments, v_users
    from (select distinct c.environment, c.user_id from feature_flag_conversion_timelines c) k;
  end if;
  insert into feature_flag_exposure_timelines (flag_key, environment, user_id, at, ids, variants, c_names, c_starts, c_at, c_cum, a_at, a_cum)
  select x.flag_key, x.environment, x.user_id, x.at, x.ids, x.variants, c.c_names, c.c_starts, c.c_at, c.c_cum, c.a_at, c.a_cum
  from (
    select e.flag_key, e.environment, e.user_id, array_agg(e.occurred_at order by e.occurred_at, e.id) as at,
           array_agg(e.id order by e.occurred_at, e.id) as ids, array_agg(e.variant order by e.occurred_at, e.id) as variants
    from feature_flag_events e
    where e.event_type = 'exposure' and e.flag_key is not null and e.variant is not null
      and (p_users is null or (e.environment, e.user_id) in (select * from unnest(p_environments, p_users)))
      and not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
    group by e.flag_key, e.environment, e.user_id
  ) x
  left join feature_flag_timelines_combined(v_environments, v_users) c on c.environment = x.environment and c.user_id = x.user_id;
end;
$$;

-- Existing databases: the timelines of the events already folded in, built (a database from before
-- the timelines) or completed with the conversion columns.
do $$
begin
  perform feature_flag_rollup_lock();
  if exists (select 1 from feature_flag_exposure_timelines) or exists (select 1 from feature_flag_conversion_timelines) then
    perform feature_flag_timelines_combine(null, null);
  else
    perform feature_flag_timelines_refresh(null, null);
  end if;
end;
$$;

revoke execute on function feature_flag_timelines_fold(bigint[]) from public;
revoke execute on function feature_flag_timelines_refresh(text[], text[]) from public;
revoke execute on function feature_flag_timelines_combine(text[], text[]) from public;
revoke execute on function feature_flag_timelines_combined(text[], text[]) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated')
     and exists (select 1 from pg_roles where rolname = 'service_role') then
    revoke execute on function feature_flag_timelines_fold(bigint[]), feature_flag_timelines_refresh(text[], text[]),
      feature_flag_timelines_combine(text[], text[]), feature_flag_timelines_combined(text[], text[])
      from anon, authenticated, service_role;
  end if;
end;
$$;

-- @tiqology/elite: get_ab_test_results and get_metric_stats, the per-variant aggregates and metric
-- statistics of one flag. Idempotent.
--
-- Attribution rules of the SDK: a user counts in the variant of their first exposure in the
-- window; a conversion counts when the same user was exposed at or before it; conversions are
-- distinct users, value sums every attributed conversion event.
--   * Without a window, results fold pending events in and read the per-user pre-aggregates.
--   * With a window (since, until or both) they fold pending events in and read the timelines
--     (see the timelines file): per exposed user a binary search for the first exposure at or
--     after `since`, and per event name two for the conversions from it to `until`. The cost
--     grows with the users exposed, not with their events.
--   * A read-only transaction (a replica, an HTTP GET) cannot fold: it reads the raw events; the
--     first exposure per user is found by a sort on a 64-bit hash of the user id (integer
--     comparisons; the user id only breaks hash ties, so the groups are exact).
-- Sums cannot overflow: every stored value is finite and at most 1e12 in absolute value.

create or replace function get_ab_test_results(
  p_flag_key text,
  p_environment text,
  p_event_name text default null,
  p_since timestamptz default null,
  p_until timestamptz default null
) returns table (
  variant text,
  exposures bigint,
  conversions bigint,
  value_sum double precision,
  conversion_events bigint
) language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
-- Room for the hash join and aggregates of a large experiment in memory (for this call only).
set work_mem = '64MB'
as $$
#variable_conflict use_column
begin
  if p_since is null and p_until is null and current_setting('transaction_read_only') = 'off' then
    perform feature_flag_rollup_drain();
    if p_event_name is null then
      return query
        select f.variant, count(*), count(*) filter (where f.conversion_events > 0), coalesce(sum(f.value_sum), 0)::double precision,
               coalesce(sum(f.conversion_events), 0)::bigint
        from feature_flag_first_exposures f
        where f.flag_key = p_flag_key and f.environment = p_environment
        group by f.variant
        order by min(f.occurred_at), f.variant;
      return;
    end if;
    return query
      with exposed as (
        select f.variant, min(f.occurred_at) as first_at, count(*) as exposures
        from feature_flag_first_exposures f
        where f.flag_key = p_flag_key and f.environment = p_environment
        group by f.variant
      ),
      converted as (
        select c.variant, count(*) as conversions, sum(c.value_sum) as value_sum, sum(c.events) as conversion_events
        from feature_flag_conversions c
        where c.flag_key = p_flag_key and c.environment = p_environment and c.event_name = p_event_name
        group by c.variant
      )
      select x.variant, x.exposures, coalesce(c.conversions, 0)::bigint, coalesce(c.value_sum, 0)::double precision,
             coalesce(c.conversion_events, 0)::bigint
      from exposed x left join converted c on c.variant = x.variant
      order by x.first_at, x.variant;
    return;
  end if;
  -- A window: the first exposure of each user in it and their conversions from it to the end of the
  -- window, by binary search in the timelines (one row per exposed user and per event name).
  if current_setting('transaction_read_only') = 'off' then
    perform feature_flag_rollup_drain();
    -- A start at or before every first exposure, and no end: all time, from the pre-aggregates.
    if p_until is null and not exists (
      select 1 from feature_flag_first_exposures f where f.flag_key = p_flag_key and f.environment = p_environment and f.occurred_at < p_since
    ) then
      return query select * from get_ab_test_results(p_flag_key, p_environment, p_event_name, null, null);
      return;
    end if;
    return query
      -- OFFSET 0 keeps each step a subquery evaluated once per row: inlined, every reference to a
      -- position would repeat its binary search.
      with firsts as (
        select b.variants[b.k + 1] as variant, b.at[b.k + 1] as occurred_at,
               -- The conversions to count: all names, or the slice of one name.
               case when p_event_name is null then b.a_at else b.c_at[b.c_starts[b.i]:b.c_starts[b.i + 1] - 1] end as at,
               case when p_event_name is null then b.a_cum else b.c_cum[b.c_starts[b.i]:b.c_starts[b.i + 1] - 1] end as cum
        from (
          select t.at, t.variants, t.c_starts, t.c_at, t.c_cum, t.a_at, t.a_cum,
                 case when p_since is null then 0 else width_bucket(p_since - interval '1 microsecond', t.at) end as k,
                 array_position(t.c_names, p_event_name) as i
          from feature_flag_exposure_timelines t
          where t.flag_key = p_flag_key and t.environment = p_environment
          offset 0
        ) b
        where b.k < cardinality(b.at) and (p_until is null or b.at[b.k + 1] < p_until)
      ),
      -- Per user: the positions of the first exposure (a) and of the end of the window (u) among the
      -- user's conversions; their count is the difference, their value sum that of the running sums.
      per_user as (
        select f.variant, f.occurred_at, f.cum, width_bucket(f.occurred_at - interval '1 microsecond', f.at) as a,
               case when p_until is null then cardinality(f.at) else width_bucket(p_until - interval '1 microsecond', f.at) end as u
        from firsts f
        offset 0
      )
      select u.variant, count(*), count(*) filter (where u.u > u.a),
             coalesce(sum(coalesce(u.cum[nullif(u.u, 0)], 0) - coalesce(u.cum[nullif(u.a, 0)], 0)), 0)::double precision,
             coalesce(sum(u.u - u.a), 0)::bigint
      from per_user u
      group by u.variant
      order by min(u.occurred_at), u.variant;
    return;
  end if;
  -- A read-only transaction (a replica) cannot fold pending events: the raw events.
  return query
    with firsts as (
      select distinct on (hashtextextended(e.user_id, 0), e.user_id) e.user_id, e.variant, e.occurred_at
      from feature_flag_events e
      where e.event_type = 'exposure' and e.flag_key = p_flag_key and e.environment = p_environment
        and e.variant is not null
        and (p_since is null or e.occurred_at >= p_since) and (p_until is null or e.occurred_at < p_until)
      order by hashtextextended(e.user_id, 0), e.user_id, e.occurred_at, e.id
    ),
    exposed as (
      select f.variant, min(f.occurred_at) as first_at, count(*) as exposures from firsts f group by f.variant
    ),
    per_user as (
      select f.variant, c.user_id, sum(coalesce(c.value, 0)) as value_sum, count(*) as events
      from firsts f
      join feature_flag_events c
        on c.user_id = f.user_id and c.environment = p_environment and c.event_type = 'conversion'
       and c.occurred_at >= f.occurred_at
       and (p_event_name is null or c.event_name = p_event_name)
       and (p_since is null or c.occurred_at >= p_since) and (p_until is null or c.occurred_at < p_until)
      group by f.variant, c.user_id
    ),
    converted as (
      select u.variant, count(*) as conversions, sum(u.value_sum) as value_sum, sum(u.events) as conversion_events
      from per_user u group by u.variant
    )
    select x.variant, x.exposures, coalesce(c.conversions, 0)::bigint, coalesce(c.value_sum, 0)::double precision,
           coalesce(c.conversion_events, 0)::bigint
    from exposed x left join converted c on c.variant = x.variant
    order by x.first_at, x.variant;
end;
$$;

-- get_metric_stats, the metric statistics over the same timelines, is defined in
-- 20261210000010_metric_columns.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: it stays callable by roles that may read the tables
  end if;
  -- Browser keys cannot read results: service_role only.
  revoke execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) from public, anon, authenticated;
  grant execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) to service_role;
end;
$$;
