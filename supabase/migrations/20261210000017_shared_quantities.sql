-- @tiqology/elite: get_metric_stats, defined here in its final form (moved from
-- 20261210000014_parallel_reads, which keeps get_ab_test_results and the notes on the parallel
-- steps). Idempotent.
--
-- A results call usually asks several metrics of the same events: revenue per user and revenue
-- per order (a mean and a ratio of one event's values), a conversion and an order count. Each
-- metric had its own per-user columns, so the same quantity (the user's purchase value after the
-- first exposure, and with CUPED before it) was computed once per metric, and so were its sums.
-- Each different per-user quantity is now one column whatever the number of metrics that read it,
-- and the sums of a shared quantity are written alike, so PostgreSQL computes each once (identical
-- aggregates in one query share their state). Revenue with CUPED, a binomial and a ratio with
-- CUPED of the same event: 5 per-user quantities instead of 7 and 15 sums instead of 20. Same
-- answers: the same expressions, summed in the same order.

-- get_metric_stats: the sufficient statistics of experiment metrics (first defined in
-- 20261210000008_window_rows, then in 20261210000010_window_reads, 20261210000012_narrow_reads,
-- 20261210000013_metric_sums and 20261210000014_parallel_reads).
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
declare
  v_names text[];
  v_metric record;
  v_find text := '';
  v_slice text := '';
  v_count text := '';
  v_user text := '';
  v_sums text := '';
  v_rows text := '';
  v_np text;
  v_dp text;
  v_has_y boolean;
  v_has_pre boolean;
  v_pre text[] := '{}';
  v_zero constant text := '0::double precision';
  j integer;
  v_q text[];
  v_quantities text[] := '{}';
  v_column integer;
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
    -- The event names the metrics read, each once: a name shared by several metrics (a ratio of
    -- one event's values to its count, a binomial and a mean of the same event) is searched once
    -- per user. Names, keys and windows enter the text as literals (format %L); the flag, the
    -- environment and the window as parameters.
    select array_agg(n.name order by n.name) into v_names
    from (
      select m ->> 'num_event' as name from jsonb_array_elements(p_metrics) m
      union
      select m ->> 'den_event' from jsonb_array_elements(p_metrics) m where m ->> 'den_event' is not null
    ) n;
    for j in 1 .. cardinality(v_names) loop
      v_find := v_find || format(', array_position(t.c_names, %L) as i%s', v_names[j], j);
      v_slice := v_slice || format(', b.c_starts[b.i%1$s] as s%1$s, b.c_at[b.c_starts[b.i%1$s]:b.c_starts[b.i%1$s + 1] - 1] as n%1$s', j);
      v_count := v_count || format(', q.s%1$s, width_bucket(q.t0 - interval ''1 microsecond'', q.n%1$s) as a%1$s, %2$s as u%1$s', j,
        case when p_until is null then format('cardinality(q.n%s)', j)
             else format('width_bucket($4 - interval ''1 microsecond'', q.n%s)', j) end);
    end loop;
    for v_metric in
      select (t.ord - 1)::integer as ord, t.m ->> 'key' as key,
             make_interval(hours => 24 * coalesce((t.m ->> 'pre_days')::integer, 0)) as pre_window,
             24 * coalesce((t.m ->> 'pre_days')::integer, 0) as pre_hours,
             array_position(v_names, t.m ->> 'num_event') as n,
             -- 2: one when there is at least one event (binomial), 1: their count, 0: their value sum
             case when t.m ->> 'kind' = 'binomial' then 2 when coalesce((t.m ->> 'num_count')::boolean, false) then 1 else 0 end as num_mode,
             array_position(v_names, t.m ->> 'den_event') as d,
             case when coalesce((t.m ->> 'den_count')::boolean, false) then 1 else 0 end as den_mode
      from jsonb_array_elements(p_metrics) with ordinality t(m, ord)
      order by t.ord
    loop
      -- Where the pre-exposure window starts among the events of each name (without CUPED: the
      -- first exposure, so every pre-exposure quantity is 0), searched once per name and length of
      -- window whatever the number of metrics reading it (p<name>_<hours>).
      v_np := format('a%s', v_metric.n);
      v_dp := format('a%s', v_metric.d);
      if v_metric.pre_window <> interval '0' then
        v_np := format('p%s_%s', v_metric.n, v_metric.pre_hours);
        if not v_np = any(v_pre) then
          v_pre := v_pre || v_np;
          v_count := v_count || format(', width_bucket(q.t0 - %L::interval - interval ''1 microsecond'', q.n%s) as %s',
            v_metric.pre_window, v_metric.n, v_np);
        end if;
        if v_metric.d is not null then
          v_dp := format('p%s_%s', v_metric.d, v_metric.pre_hours);
          if not v_dp = any(v_pre) then
            v_pre := v_pre || v_dp;
            v_count := v_count || format(', width_bucket(q.t0 - %L::interval - interval ''1 microsecond'', q.n%s) as %s',
              v_metric.pre_window, v_metric.d, v_dp);
          end if;
        end if;
      end if;
      -- The per-user quantities: an indicator, a count (a difference of positions) or a value sum
      -- (a difference of running sums), 0 for a user without events of that name. Only those that
      -- can be other than 0: y with a denominator, px with CUPED, py with both. Each different
      -- quantity is one column (q<n>) whatever the number of metrics reading it (a mean of revenue
      -- and a ratio of revenue per order share their numerator and its pre-exposure value), so its
      -- sums are written alike and PostgreSQL computes an aggregate written twice once.
      v_has_y := v_metric.d is not null;
      v_has_pre := v_metric.pre_window <> interval '0';
      v_q := array[
        feature_flag_metric_quantity(v_metric.num_mode, v_metric.n, format('u%s', v_metric.n), format('a%s', v_metric.n)),
        case when v_has_y then
          feature_flag_metric_quantity(v_metric.den_mode, v_metric.d, format('u%s', v_metric.d), format('a%s', v_metric.d)) end,
        case when v_has_pre then feature_flag_metric_quantity(v_metric.num_mode, v_metric.n, format('a%s', v_metric.n), v_np) end,
        case when v_has_y and v_has_pre then
          feature_flag_metric_quantity(v_metric.den_mode, v_metric.d, format('a%s', v_metric.d), v_dp) end];
      for j in 1 .. 4 loop
        continue when v_q[j] is null;
        v_column := array_position(v_quantities, v_q[j]);
        if v_column is null then
          v_quantities := v_quantities || v_q[j];
          v_column := cardinality(v_quantities);
          v_user := v_user || format(', %s as q%s', v_q[j], v_column);
        end if;
        v_q[j] := format('q%s', v_column);
      end loop;
      -- The sums of x (v_q[1]), y, px and py, each named <sum><ord>; the others are the constant 0.
      -- A binomial quantity is 0 or 1: its square is itself, so its sum of squares is its sum.
      v_sums := v_sums || format(', sum(%2$s) as x_sum%1$s', v_metric.ord, v_q[1]);
      if v_metric.num_mode <> 2 then
        v_sums := v_sums || format(', sum(%2$s * %2$s) as x_sq%1$s', v_metric.ord, v_q[1]);
      end if;
      if v_has_y then
        v_sums := v_sums || format(', sum(%3$s) as y_sum%1$s, sum(%3$s * %3$s) as y_sq%1$s, sum(%2$s * %3$s) as xy%1$s',
          v_metric.ord, v_q[1], v_q[2]);
      end if;
      if v_has_pre then
        v_sums := v_sums || format(', sum(%3$s) as px_sum%1$s, sum(%2$s * %3$s) as x_px%1$s', v_metric.ord, v_q[1], v_q[3]);
        if v_metric.num_mode <> 2 then
          v_sums := v_sums || format(', sum(%2$s * %2$s) as px_sq%1$s', v_metric.ord, v_q[3]);
        end if;
      end if;
      if v_has_y and v_has_pre then
        v_sums := v_sums || format(
          ', sum(%5$s) as py_sum%1$s, sum(%5$s * %5$s) as py_sq%1$s, sum(%4$s * %5$s) as pxpy%1$s,'
          ' sum(%2$s * %5$s) as x_py%1$s, sum(%3$s * %4$s) as y_px%1$s, sum(%3$s * %5$s) as y_py%1$s',
          v_metric.ord, v_q[1], v_q[2], v_q[3], v_q[4]);
      end if;
      v_rows := v_rows || case when v_rows = '' then '' else ', ' end || format(
        '(%1$s, %2$L::text, s.x_sum%1$s, %3$s, %4$s, %5$s, %6$s, %7$s, %8$s, %9$s, %10$s, %11$s, %12$s, %13$s, %14$s, %15$s)',
        v_metric.ord, v_metric.key,
        case when v_metric.num_mode = 2 then format('s.x_sum%s', v_metric.ord) else format('s.x_sq%s', v_metric.ord) end,
        case when v_has_y then format('s.y_sum%s', v_metric.ord) else v_zero end,
        case when v_has_y then format('s.y_sq%s', v_metric.ord) else v_zero end,
        case when v_has_y then format('s.xy%s', v_metric.ord) else v_zero end,
        case when v_has_pre then format('s.px_sum%s', v_metric.ord) else v_zero end,
        case when not v_has_pre then v_zero when v_metric.num_mode = 2 then format('s.px_sum%s', v_metric.ord)
             else format('s.px_sq%s', v_metric.ord) end,
        case when v_has_y and v_has_pre then format('s.py_sum%s', v_metric.ord) else v_zero end,
        case when v_has_y and v_has_pre then format('s.py_sq%s', v_metric.ord) else v_zero end,
        case when v_has_y and v_has_pre then format('s.pxpy%s', v_metric.ord) else v_zero end,
        case when v_has_pre then format('s.x_px%s', v_metric.ord) else v_zero end,
        case when v_has_y and v_has_pre then format('s.x_py%s', v_metric.ord) else v_zero end,
        case when v_has_y and v_has_pre then format('s.y_px%s', v_metric.ord) else v_zero end,
        case when v_has_y and v_has_pre then format('s.y_py%s', v_metric.ord) else v_zero end);
    end loop;
    -- One row per exposed user, read once: the first exposure in the window (a binary search in
    -- the user's exposure times), then per name the user's events of that name (a slice) and the
    -- positions in it of the first exposure, the window's end and each pre-exposure window's start,
    -- then every metric's quantities; summed per variant. Each step is a subquery evaluated once
    -- per row (inlined, every reference to a position would repeat its search): its volatile
    -- column `once` keeps the planner from merging it into the next step and, unlike OFFSET 0,
    -- lets the workers of a parallel scan run every step and sum their share of the users (with
    -- OFFSET 0 the steps ran above the Gather, in one process).
    return query execute format(
      'select s.variant, s.units, v.metric, v.x_sum, v.x_sq, v.y_sum, v.y_sq, v.xy, v.px_sum, v.px_sq, v.py_sum, v.py_sq, v.pxpy,
              v.x_px, v.x_py, v.y_px, v.y_py
       from (
         select u.variant, min(u.t0) as first_at, count(*) as units %5$s
         from (
           select p.variant, p.t0, clock_timestamp() as once %4$s
           from (
             select q.variant, q.t0, q.c_cum, clock_timestamp() as once %3$s
             from (
               select b.variant_names[b.variant_codes[b.k + 1]] as variant, b.at[b.k + 1] as t0, b.c_cum,
                      clock_timestamp() as once %2$s
               from (
                 select t.at, t.variant_names, t.variant_codes, t.c_starts, t.c_at, t.c_cum, %7$s as k,
                        clock_timestamp() as once %1$s
                 from feature_flag_exposure_timelines t
                 where t.flag_key = $1 and t.environment = $2
               ) b
               where b.k < cardinality(b.at) %8$s
             ) q
           ) p
         ) u
         group by u.variant
       ) s
       cross join lateral (values %6$s) v(ord, metric, x_sum, x_sq, y_sum, y_sq, xy, px_sum, px_sq, py_sum, py_sq, pxpy, x_px, x_py, y_px, y_py)
       order by s.first_at, s.variant, v.ord',
      v_find, v_slice, v_count, v_user, v_sums, v_rows,
      case when p_since is null then '0' else 'width_bucket($3 - interval ''1 microsecond'', t.at)' end,
      case when p_until is null then '' else 'and b.at[b.k + 1] < $4' end)
    using p_flag_key, p_environment, p_since, p_until;
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
    return; -- plain PostgreSQL: it stays callable by roles that may read the tables
  end if;
  -- Browser keys cannot read results: service_role only.
  revoke execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) from public, anon, authenticated;
  grant execute on function get_metric_stats(text, text, jsonb, timestamptz, timestamptz) to service_role;
end;
$$;
