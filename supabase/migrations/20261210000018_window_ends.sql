-- @tiqology/elite: get_ab_test_results, defined here in its final form (moved from
-- 20261210000014_parallel_reads, which keeps the notes on the parallel steps). Idempotent.
--
-- Every window with an end is read from the timelines. The function used to drop the end of a
-- window that ended after every exposure of the flag and every conversion of the environment
-- (a window "until now"), and to answer it from the all-time pre-aggregates when it also started
-- before every first exposure. The check for conversions at or after the end read the events
-- through the BRIN index on occurred_at, and that index can stop narrowing anything: a range left
-- as a placeholder by a summarization that did not finish (an autovacuum cancelled while it
-- cleaned the index, as a VACUUM, a CREATE INDEX or the creation of a month's child table
-- cancels it) made PostgreSQL 15.18 return that range and every range after it, so the check
-- read all the events stored after the placeholder. Over 10M events the check read 60,179 of
-- the table's 151,699 pages and the window took 730-800 ms, against 200 ms on the timelines;
-- the cost grows with the events, without bound. The timelines answer any window in a time that
-- grows with the users exposed, so a window never reads the events any more, but in a read-only
-- transaction, which cannot fold and reads only them (docs/benchmarks.md, "A window's end without
-- the events"). The BRIN index stays for the archive and retention jobs, which read whole months.

-- get_ab_test_results: the per-variant aggregates of one flag (first defined in
-- 20261204000003_results, then in 20261210000008_window_rows, 20261210000010_window_reads,
-- 20261210000012_narrow_reads and 20261210000014_parallel_reads).
--
-- Attribution rules of the SDK: a user counts in the variant of their first exposure in the
-- window; a conversion counts when the same user was exposed at or before it; conversions are
-- distinct users, value sums every attributed conversion event.
--   * Without a window, results fold pending events in and read the per-user pre-aggregates.
--   * With a window (since, until or both) they fold pending events in and read the timelines
--     (see the timelines file): per exposed user a binary search for the first exposure at or
--     after `since`, and per event name two for the conversions from it to `until`. The cost
--     grows with the users exposed, not with their events. A window without an end that
--     starts at or before every first exposure is all time.
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
      -- One row per exposed user in three steps, each a subquery evaluated once per row (inlined,
      -- every reference to a position would repeat its binary search): (b) the first exposure in
      -- the window and where the event name's conversions start, (f) its variant and time and the
      -- conversions to count (all names, or the slice of one name, whose running sums are read in
      -- place from where the name starts), (u) the positions of the first exposure (a) and of the
      -- end of the window among them: their count is the difference, their value sum that of the
      -- running sums. The volatile column `once` keeps each step apart (the planner does not merge
      -- a subquery with a volatile column into the query around it) and, unlike OFFSET 0, lets the
      -- workers of a parallel scan run every step and count their share of the users.
      select u.variant, count(*), count(*) filter (where u.u > u.a),
             coalesce(sum(coalesce(u.cum[u.base + nullif(u.u, 0)], 0) - coalesce(u.cum[u.base + nullif(u.a, 0)], 0)), 0)::double precision,
             coalesce(sum(u.u - u.a), 0)::bigint
      from (
        select f.variant, f.occurred_at, f.cum, f.base, width_bucket(f.occurred_at - interval '1 microsecond', f.at) as a,
               case when p_until is null then cardinality(f.at) else width_bucket(p_until - interval '1 microsecond', f.at) end as u,
               clock_timestamp() as once
        from (
          select b.variant_names[b.variant_codes[b.k + 1]] as variant, b.at[b.k + 1] as occurred_at,
                 case when p_event_name is null then b.a_at else b.c_at[b.c_starts[b.i]:b.c_starts[b.i + 1] - 1] end as at,
                 case when p_event_name is null then b.a_cum else b.c_cum end as cum,
                 case when p_event_name is null then 0 else b.c_starts[b.i] - 1 end as base,
                 clock_timestamp() as once
          from (
            select t.at, t.variant_names, t.variant_codes, t.c_starts, t.c_at, t.c_cum, t.a_at, t.a_cum,
                   case when p_since is null then 0 else width_bucket(p_since - interval '1 microsecond', t.at) end as k,
                   array_position(t.c_names, p_event_name) as i,
                   clock_timestamp() as once
            from feature_flag_exposure_timelines t
            where t.flag_key = p_flag_key and t.environment = p_environment
          ) b
          where b.k < cardinality(b.at) and (p_until is null or b.at[b.k + 1] < p_until)
        ) f
      ) u
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
