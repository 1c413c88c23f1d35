-- @tiqology/elite: get_metric_stats, the sufficient statistics of experiment metrics. Idempotent.
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
) language plpgsql stable
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

-- Like get_ab_test_results: service_role only on Supabase (browser keys cannot read results).
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated')
     and exists (select 1 from pg_roles where rolname = 'service_role') then
    revoke execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) from public, anon, authenticated;
    grant execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) to service_role;
  end if;
end;
$$;
