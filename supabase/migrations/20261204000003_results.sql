-- @tiqology/elite: get_ab_test_results, the per-variant aggregates of one flag. Idempotent.
--
-- Attribution rules of the SDK: a user counts in the variant of their first exposure in the
-- window; a conversion counts when the same user was exposed at or before it; conversions are
-- distinct users, value sums every attributed conversion event.
--   * Without a window it folds pending events in and reads the pre-aggregates (a read-only
--     transaction, a replica or an HTTP GET, cannot fold: it reads the raw events instead).
--   * A window with a start and no end reads the pre-aggregates for the users whose first
--     exposure ever is in the window (their first exposure in it is the same, and every
--     conversion attributed to them is in it), and the raw events only for the users exposed
--     before it, when the former are the majority; a window from before the flag's first exposure
--     is all time.
--   * Otherwise the first exposure per user is found by a sort on a 64-bit hash of the user id
--     (integer comparisons; the user id only breaks hash ties, so the groups are exact) instead
--     of a sort on the text, which compares with the database collation.
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
declare
  v_before bigint;
  v_after bigint;
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
  -- A window with a start and no end: users whose first exposure ever is in it ("new" users) have
  -- the same first exposure in the window, and all their attributed conversions are in it too,
  -- so their rows come from the pre-aggregates; only the users first exposed before the window
  -- are recounted from the raw events. With no such user the window equals all time.
  if p_since is not null and p_until is null and current_setting('transaction_read_only') = 'off' then
    perform feature_flag_rollup_drain();
    select count(*) filter (where f.occurred_at < p_since), count(*) filter (where f.occurred_at >= p_since)
      into v_before, v_after
      from feature_flag_first_exposures f
     where f.flag_key = p_flag_key and f.environment = p_environment;
    if v_before = 0 then
      return query select * from get_ab_test_results(p_flag_key, p_environment, p_event_name, null, null);
      return;
    end if;
    -- When most users are new this reads far fewer raw events; otherwise the raw query is cheaper.
    if v_after >= v_before then
      return query
      with a_users as (
        select f.user_id, f.variant, f.occurred_at, f.conversion_events, f.value_sum
        from feature_flag_first_exposures f
        where f.flag_key = p_flag_key and f.environment = p_environment and f.occurred_at >= p_since
      ),
      a_named as (
        select f.variant, count(*) as conversions, sum(c.value_sum) as value_sum, sum(c.events) as conversion_events
        from feature_flag_conversions c
        join feature_flag_first_exposures f on f.flag_key = c.flag_key and f.environment = c.environment and f.user_id = c.user_id
        where p_event_name is not null and c.flag_key = p_flag_key and c.environment = p_environment and c.event_name = p_event_name and f.occurred_at >= p_since
        group by f.variant
      ),
      b_firsts as (
        select distinct on (hashtextextended(e.user_id, 0), e.user_id) e.user_id, e.variant, e.occurred_at
        from feature_flag_events e
        where e.event_type = 'exposure' and e.flag_key = p_flag_key and e.environment = p_environment
          and e.variant is not null and e.occurred_at >= p_since
          and e.user_id in (select f.user_id from feature_flag_first_exposures f where f.flag_key = p_flag_key and f.environment = p_environment and f.occurred_at < p_since)
        order by hashtextextended(e.user_id, 0), e.user_id, e.occurred_at, e.id
      ),
      b_per_user as (
        select f.variant, c.user_id, sum(coalesce(c.value, 0)) as value_sum, count(*) as events
        from b_firsts f
        join feature_flag_events c
          on c.user_id = f.user_id and c.environment = p_environment and c.event_type = 'conversion'
         and c.occurred_at >= f.occurred_at and c.occurred_at >= p_since
         and (p_event_name is null or c.event_name = p_event_name)
        group by f.variant, c.user_id
      ),
      parts as (
        select a.variant, min(a.occurred_at) as first_at, count(*) as exposures,
               case when p_event_name is null then count(*) filter (where a.conversion_events > 0) else 0 end as conversions,
               case when p_event_name is null then sum(a.value_sum) else 0 end as value_sum,
               case when p_event_name is null then sum(a.conversion_events) else 0 end as conversion_events
        from a_users a group by a.variant
        union all
        select n.variant, null, 0, n.conversions, n.value_sum, n.conversion_events from a_named n
        union all
        select f.variant, min(f.occurred_at), count(*), 0, 0, 0 from b_firsts f group by f.variant
        union all
        select u.variant, null, 0, count(*), sum(u.value_sum), sum(u.events) from b_per_user u group by u.variant
      )
      select p.variant, sum(p.exposures)::bigint, sum(p.conversions)::bigint, coalesce(sum(p.value_sum), 0)::double precision,
             sum(p.conversion_events)::bigint
      from parts p group by p.variant
      order by min(p.first_at), p.variant;
      return;
    end if;
  end if;
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
