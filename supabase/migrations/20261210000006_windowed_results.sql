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
      with firsts as (
        select t.user_id, t.variants[b.k + 1] as variant, t.at[b.k + 1] as occurred_at
        from feature_flag_exposure_timelines t
        cross join lateral (
          select case when p_since is null then 0 else width_bucket(p_since - interval '1 microsecond', t.at) end as k
        ) b
        where t.flag_key = p_flag_key and t.environment = p_environment and b.k < cardinality(t.at)
          and (p_until is null or t.at[b.k + 1] < p_until)
      ),
      exposed as (
        select f.variant, min(f.occurred_at) as first_at, count(*) as exposures from firsts f group by f.variant
      ),
      per_user as (
        select f.variant, f.user_id, sum(i.u - i.a) as events, sum(coalesce(c.cum[i.u], 0) - coalesce(c.cum[i.a], 0)) as value_sum
        from firsts f
        join feature_flag_conversion_timelines c
          on c.environment = p_environment and c.user_id = f.user_id and (p_event_name is null or c.event_name = p_event_name)
        cross join lateral (
          select width_bucket(f.occurred_at - interval '1 microsecond', c.at) as a,
                 case when p_until is null then cardinality(c.at) else width_bucket(p_until - interval '1 microsecond', c.at) end as u
        ) i
        where i.u > i.a
        group by f.variant, f.user_id
      ),
      converted as (
        select u.variant, count(*) as conversions, sum(u.value_sum) as value_sum, sum(u.events) as conversion_events
        from per_user u group by u.variant
      )
      select x.variant, x.exposures, coalesce(c.conversions, 0)::bigint, coalesce(c.value_sum, 0)::double precision,
             coalesce(c.conversion_events, 0)::bigint
      from exposed x left join converted c on c.variant = x.variant
      order by x.first_at, x.variant;
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

-- get_metric_stats: the sufficient statistics of experiment metrics.
--
-- Per variant and metric: units (users first exposed in the window, in the variant of that first
-- exposure) and, over those users, Σx, Σx², Σy, Σy², Σxy of the per-user post-exposure quantities
-- (x the numerator, y a ratio's denominator), and with CUPED the same of the pre-exposure
-- quantities (px, py) and the cross products x·px, x·py, y·px, y·py. A per-user quantity is the
-- sum of the values of the metric's events (missing values as 0), their count, or for a binomial
-- metric 1 when there is at least one. Post-exposure events are in the window and at or after the
-- user's first exposure in it (the attribution of get_ab_test_results); pre-exposure events are in
-- the pre_days x 24 hours before that first exposure, whatever the window's start. Users without
-- events add 0 to every sum, so only the users with events are read. No raw row leaves the
-- database.
--
-- p_metrics is a JSON array, one object per metric, as the SDK's stores build it:
--   {"key": "revenue", "kind": "mean", "num_event": "purchase", "num_count": false,
--    "den_event": null, "den_count": false, "pre_days": 14}
-- kind is binomial, mean or ratio; den_event only for ratio; pre_days (CUPED) optional.

create or replace function get_metric_stats(
  p_flag_key text,
  p_environment text,
  p_metrics jsonb,
  p_since timestamptz default null,
  p_until timestamptz default null
) returns table (
  variant text,
  units bigint,
  metric text,
  x_sum double precision,
  x_sq double precision,
  y_sum double precision,
  y_sq double precision,
  xy double precision,
  px_sum double precision,
  px_sq double precision,
  py_sum double precision,
  py_sq double precision,
  pxpy double precision,
  x_px double precision,
  x_py double precision,
  y_px double precision,
  y_py double precision
) language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
set work_mem = '64MB'
as $$
#variable_conflict use_column
begin
  if jsonb_typeof(p_metrics) is distinct from 'array' or jsonb_array_length(p_metrics) = 0 or exists (
    select 1 from jsonb_array_elements(p_metrics) m
    where jsonb_typeof(m) <> 'object' or coalesce(m ->> 'kind', '') not in ('binomial', 'mean', 'ratio')
       or m ->> 'key' is null or m ->> 'num_event' is null
       or ((m ->> 'kind') = 'ratio') <> (m ->> 'den_event' is not null)
       or coalesce((m ->> 'pre_days')::integer, 1) not between 1 and 365
  ) then
    raise exception 'elite: p_metrics must be a non-empty array of metrics {key, kind, num_event, num_count, den_event, den_count, pre_days}'
      using errcode = 'invalid_parameter_value';
  end if;
  if current_setting('transaction_read_only') = 'off' then
    perform feature_flag_rollup_drain();
    return query
    with m as (
      select (t.ord - 1)::integer as ord, t.m ->> 'key' as key, t.m ->> 'kind' as kind, (t.m ->> 'pre_days')::integer as pre_days,
             t.m ->> 'num_event' as num_event, coalesce((t.m ->> 'num_count')::boolean, false) as num_count,
             t.m ->> 'den_event' as den_event, coalesce((t.m ->> 'den_count')::boolean, false) as den_count
      from jsonb_array_elements(p_metrics) with ordinality t(m, ord)
    ),
    sources as (
      select m.ord, 0 as side, m.kind, m.num_event as event_name, m.num_count as counted,
             make_interval(hours => 24 * m.pre_days) as pre_window
      from m
      union all
      select m.ord, 1, m.kind, m.den_event, m.den_count, make_interval(hours => 24 * m.pre_days) from m where m.den_event is not null
    ),
    firsts as (
      select t.user_id, t.variants[b.k + 1] as variant, t.at[b.k + 1] as occurred_at
      from feature_flag_exposure_timelines t
      cross join lateral (
        select case when p_since is null then 0 else width_bucket(p_since - interval '1 microsecond', t.at) end as k
      ) b
      where t.flag_key = p_flag_key and t.environment = p_environment and b.k < cardinality(t.at)
        and (p_until is null or t.at[b.k + 1] < p_until)
    ),
    -- Per user and source: positions in the timeline of the first exposure (a), the end of the
    -- window (u) and the start of the pre-exposure window (p); counts and sums are differences.
    hits as (
      select f.user_id, f.variant, s.ord, s.side,
             case when s.kind = 'binomial' then (i.u > i.a)::integer::double precision
                  when s.counted then (i.u - i.a)::double precision
                  else coalesce(c.cum[i.u], 0) - coalesce(c.cum[i.a], 0) end as post,
             case when s.kind = 'binomial' then (i.a > i.p)::integer::double precision
                  when s.counted then (i.a - i.p)::double precision
                  else coalesce(c.cum[i.a], 0) - coalesce(c.cum[i.p], 0) end as pre
      from firsts f
      join feature_flag_conversion_timelines c on c.environment = p_environment and c.user_id = f.user_id
      join sources s on s.event_name = c.event_name
      cross join lateral (
        select width_bucket(f.occurred_at - interval '1 microsecond', c.at) as a,
               case when p_until is null then cardinality(c.at) else width_bucket(p_until - interval '1 microsecond', c.at) end as u,
               width_bucket(f.occurred_at - coalesce(s.pre_window, interval '0') - interval '1 microsecond', c.at) as p
      ) i
    ),
    per_user as (
      select h.variant, h.ord,
             coalesce(sum(h.post) filter (where h.side = 0), 0) as x, coalesce(sum(h.post) filter (where h.side = 1), 0) as y,
             coalesce(sum(h.pre) filter (where h.side = 0), 0) as px, coalesce(sum(h.pre) filter (where h.side = 1), 0) as py
      from hits h group by h.user_id, h.variant, h.ord
    ),
    sums as (
      select u.variant, u.ord, sum(u.x) as x_sum, sum(u.x * u.x) as x_sq, sum(u.y) as y_sum, sum(u.y * u.y) as y_sq, sum(u.x * u.y) as xy,
             sum(u.px) as px_sum, sum(u.px * u.px) as px_sq, sum(u.py) as py_sum, sum(u.py * u.py) as py_sq, sum(u.px * u.py) as pxpy,
             sum(u.x * u.px) as x_px, sum(u.x * u.py) as x_py, sum(u.y * u.px) as y_px, sum(u.y * u.py) as y_py
      from per_user u group by u.variant, u.ord
    ),
    exposed as (
      select f.variant, min(f.occurred_at) as first_at, count(*) as units from firsts f group by f.variant
    )
    select x.variant, x.units, m.key,
           coalesce(s.x_sum, 0), coalesce(s.x_sq, 0), coalesce(s.y_sum, 0), coalesce(s.y_sq, 0), coalesce(s.xy, 0),
           coalesce(s.px_sum, 0), coalesce(s.px_sq, 0), coalesce(s.py_sum, 0), coalesce(s.py_sq, 0), coalesce(s.pxpy, 0),
           coalesce(s.x_px, 0), coalesce(s.x_py, 0), coalesce(s.y_px, 0), coalesce(s.y_py, 0)
    from exposed x cross join m
    left join sums s on s.variant = x.variant and s.ord = m.ord
    order by x.first_at, x.variant, m.ord;
    return;
  end if;
  -- A read-only transaction cannot fold pending events: the raw events.
  return query
    with m as (
      select (t.ord - 1)::integer as ord, t.m ->> 'key' as key, t.m ->> 'kind' as kind, (t.m ->> 'pre_days')::integer as pre_days,
             t.m ->> 'num_event' as num_event, coalesce((t.m ->> 'num_count')::boolean, false) as num_count,
             t.m ->> 'den_event' as den_event, coalesce((t.m ->> 'den_count')::boolean, false) as den_count
      from jsonb_array_elements(p_metrics) with ordinality t(m, ord)
    ),
    sources as (
      select m.ord, 0 as side, m.kind, m.num_event as event_name, m.num_count as counted,
             make_interval(hours => 24 * m.pre_days) as pre_window
      from m
      union all
      select m.ord, 1, m.kind, m.den_event, m.den_count, make_interval(hours => 24 * m.pre_days) from m where m.den_event is not null
    ),
    firsts as (
      select distinct on (hashtextextended(e.user_id, 0), e.user_id) e.user_id, e.variant, e.occurred_at
      from feature_flag_events e
      where e.event_type = 'exposure' and e.flag_key = p_flag_key and e.environment = p_environment
        and e.variant is not null
        and (p_since is null or e.occurred_at >= p_since) and (p_until is null or e.occurred_at < p_until)
      order by hashtextextended(e.user_id, 0), e.user_id, e.occurred_at, e.id
    ),
    -- Per user and source: the quantity after the first exposure (in the window) and before it.
    hits as (
      select f.user_id, f.variant, s.ord, s.side,
             case when s.kind = 'binomial' then (count(*) filter (where c.occurred_at >= f.occurred_at) > 0)::integer::double precision
                  when s.counted then count(*) filter (where c.occurred_at >= f.occurred_at)::double precision
                  else coalesce(sum(coalesce(c.value, 0)) filter (where c.occurred_at >= f.occurred_at), 0) end as post,
             case when s.kind = 'binomial' then (count(*) filter (where c.occurred_at < f.occurred_at) > 0)::integer::double precision
                  when s.counted then count(*) filter (where c.occurred_at < f.occurred_at)::double precision
                  else coalesce(sum(coalesce(c.value, 0)) filter (where c.occurred_at < f.occurred_at), 0) end as pre
      from firsts f
      join feature_flag_events c on c.user_id = f.user_id and c.environment = p_environment and c.event_type = 'conversion'
      join sources s on s.event_name = c.event_name
      where (c.occurred_at >= f.occurred_at and (p_since is null or c.occurred_at >= p_since) and (p_until is null or c.occurred_at < p_until))
         or (s.pre_window is not null and c.occurred_at < f.occurred_at and c.occurred_at >= f.occurred_at - s.pre_window)
      group by f.user_id, f.variant, s.ord, s.side, s.kind, s.counted
    ),
    per_user as (
      select h.variant, h.ord,
             coalesce(sum(h.post) filter (where h.side = 0), 0) as x, coalesce(sum(h.post) filter (where h.side = 1), 0) as y,
             coalesce(sum(h.pre) filter (where h.side = 0), 0) as px, coalesce(sum(h.pre) filter (where h.side = 1), 0) as py
      from hits h group by h.user_id, h.variant, h.ord
    ),
    sums as (
      select u.variant, u.ord, sum(u.x) as x_sum, sum(u.x * u.x) as x_sq, sum(u.y) as y_sum, sum(u.y * u.y) as y_sq, sum(u.x * u.y) as xy,
             sum(u.px) as px_sum, sum(u.px * u.px) as px_sq, sum(u.py) as py_sum, sum(u.py * u.py) as py_sq, sum(u.px * u.py) as pxpy,
             sum(u.x * u.px) as x_px, sum(u.x * u.py) as x_py, sum(u.y * u.px) as y_px, sum(u.y * u.py) as y_py
      from per_user u group by u.variant, u.ord
    ),
    exposed as (
      select f.variant, min(f.occurred_at) as first_at, count(*) as units from firsts f group by f.variant
    )
    select x.variant, x.units, m.key,
           coalesce(s.x_sum, 0), coalesce(s.x_sq, 0), coalesce(s.y_sum, 0), coalesce(s.y_sq, 0), coalesce(s.xy, 0),
           coalesce(s.px_sum, 0), coalesce(s.px_sq, 0), coalesce(s.py_sum, 0), coalesce(s.py_sq, 0), coalesce(s.pxpy, 0),
           coalesce(s.x_px, 0), coalesce(s.x_py, 0), coalesce(s.y_px, 0), coalesce(s.y_py, 0)
    from exposed x cross join m
    left join sums s on s.variant = x.variant and s.ord = m.ord
    order by x.first_at, x.variant, m.ord;
end;
$$;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: both stay callable by roles that may read the tables
  end if;
  -- Browser keys cannot read results: service_role only.
  revoke execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) from public, anon, authenticated;
  grant execute on function get_ab_test_results(text, text, text, timestamptz, timestamptz) to service_role;
  revoke execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) from public, anon, authenticated;
  grant execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) to service_role;
end;
$$;
