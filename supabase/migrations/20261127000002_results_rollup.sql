-- @tiqology/elite: pre-aggregation for get_ab_test_results. Idempotent.
--
-- Without a window (no since/until), results read two small tables instead of joining every
-- exposure to every conversion:
--   feature_flag_first_exposures  one row per (flag, environment, user): the variant and time of the
--                                 user's first exposure (ties broken by event id, as the raw query does)
--                                 and the totals of their attributed conversions;
--   feature_flag_conversions      one row per (flag, environment, user, event name): the conversions
--                                 of that user at or after their first exposure (count, value sum).
-- Ingestion stays cheap: a statement-level trigger only copies each batch into
-- feature_flag_events_pending. feature_flag_rollup_drain() folds the pending events into the two
-- tables, set-based, one drain at a time; get_ab_test_results drains before it reads, so answers
-- are exact, and a schedule (pg_cron) can keep the backlog short. Out-of-order arrival is handled:
-- when a user's first exposure becomes earlier (or new), their conversions are recounted from the
-- raw events already drained. Deletes and updates of events recount the users they touch; TRUNCATE
-- empties everything. Windowed queries read the raw events.
-- Needs PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT: conversions without a name are one group).

create table if not exists feature_flag_first_exposures (
  flag_key text not null,
  environment text not null,
  user_id text not null,
  variant text not null,
  occurred_at timestamptz not null,
  event_id bigint not null,
  -- Totals of the user's attributed conversions of every name (feature_flag_conversions summed),
  -- so results without an event name read this table alone.
  conversion_events bigint not null default 0,
  value_sum double precision not null default 0,
  primary key (flag_key, environment, user_id)
);
-- Conversions find the flags a user was exposed to by (environment, user).
create index if not exists feature_flag_first_exposures_user_idx on feature_flag_first_exposures (environment, user_id);

create table if not exists feature_flag_conversions (
  flag_key text not null,
  environment text not null,
  user_id text not null,
  event_name text,
  variant text,
  events bigint not null,
  value_sum double precision not null,
  constraint feature_flag_conversions_key unique nulls not distinct (flag_key, environment, user_id, event_name)
);

-- Ids of events written but not yet folded in. Ever increasing: the index grows at its right edge.
create table if not exists feature_flag_events_pending (id bigint primary key);

-- The raw exposures are read by flag and time (windowed results, recounts): an index in time order
-- is appended to at its right edge, where the per-user index it replaces took a random page per
-- event. First exposures per user are the table above.
drop index if exists feature_flag_events_exposure_idx;
create index if not exists feature_flag_events_exposure_time_idx
  on feature_flag_events (flag_key, environment, occurred_at) include (user_id, variant, id)
  where event_type = 'exposure';

-- Folding is serialized by this transaction-scoped lock (drain, recounts, rebuild).
create or replace function feature_flag_rollup_lock() returns void
language sql volatile as $$ select pg_advisory_xact_lock(hashtextextended('@tiqology/elite rollup', 0)) $$;

-- Sets the conversion totals of the given (flag, environment, user) rows from feature_flag_conversions.
-- Hash joins only: within one long drain the statistics of the growing tables are stale, and a
-- nested loop planned for "a few rows" would scan them once per key.
create or replace function feature_flag_rollup_totals(p_flags text[], p_environments text[], p_users text[])
returns void language sql security definer set search_path from current set enable_nestloop = off as $$
  update feature_flag_first_exposures f
     set conversion_events = t.events, value_sum = t.value_sum
    from (
      select k.flag_key, k.environment, k.user_id, coalesce(sum(c.events), 0)::bigint as events,
             coalesce(sum(c.value_sum), 0)::double precision as value_sum
      from (select distinct * from unnest(p_flags, p_environments, p_users) as u(flag_key, environment, user_id)) k
      left join feature_flag_conversions c on c.flag_key = k.flag_key and c.environment = k.environment and c.user_id = k.user_id
      group by k.flag_key, k.environment, k.user_id
    ) t
   where f.flag_key = t.flag_key and f.environment = t.environment and f.user_id = t.user_id
     and (f.conversion_events, f.value_sum) is distinct from (t.events, t.value_sum);
$$;

-- Recomputes both tables for the given (flag, environment, user) keys from the raw events that
-- have been folded in (pending ones are left to the drain). Call under the lock.
create or replace function feature_flag_rollup_refresh(p_flags text[], p_environments text[], p_users text[])
returns void language plpgsql security definer set search_path from current as $$
begin
  delete from feature_flag_first_exposures f
   using unnest(p_flags, p_environments, p_users) k(flag_key, environment, user_id)
   where f.flag_key = k.flag_key and f.environment = k.environment and f.user_id = k.user_id;
  insert into feature_flag_first_exposures (flag_key, environment, user_id, variant, occurred_at, event_id)
  select distinct on (e.flag_key, e.environment, e.user_id) e.flag_key, e.environment, e.user_id, e.variant, e.occurred_at, e.id
  from (select distinct * from unnest(p_flags, p_environments, p_users) as u(flag_key, environment, user_id)) k
  join feature_flag_events e
    on e.event_type = 'exposure' and e.flag_key = k.flag_key and e.environment = k.environment and e.user_id = k.user_id
   and e.variant is not null
  where not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
  order by e.flag_key, e.environment, e.user_id, e.occurred_at, e.id;
  delete from feature_flag_conversions c
   using unnest(p_flags, p_environments, p_users) k(flag_key, environment, user_id)
   where c.flag_key = k.flag_key and c.environment = k.environment and c.user_id = k.user_id;
  insert into feature_flag_conversions (flag_key, environment, user_id, event_name, variant, events, value_sum)
  select f.flag_key, f.environment, f.user_id, e.event_name, f.variant, count(*), sum(coalesce(e.value, 0))
  from (select distinct * from unnest(p_flags, p_environments, p_users) as u(flag_key, environment, user_id)) k
  join feature_flag_first_exposures f on f.flag_key = k.flag_key and f.environment = k.environment and f.user_id = k.user_id
  join feature_flag_events e
    on e.event_type = 'conversion' and e.environment = f.environment and e.user_id = f.user_id and e.occurred_at >= f.occurred_at
  where not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
  group by f.flag_key, f.environment, f.user_id, e.event_name, f.variant;
  perform feature_flag_rollup_totals(p_flags, p_environments, p_users);
end;
$$;

-- Folds pending events in, oldest first, in chunks of p_chunk; returns how many. Safe to call at
-- any time and from a schedule (select cron.schedule('elite-rollup', '* * * * *',
-- 'select feature_flag_rollup_drain()')). Only committed events are seen: a batch still being
-- written is folded by a later drain.
create or replace function feature_flag_rollup_drain(p_chunk integer default 50000) returns bigint
language plpgsql security definer set search_path from current as $$
declare
  v_done bigint := 0;
  v_ids bigint[];
  v_min bigint;
  v_max bigint;
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  loop
    -- Each chunk is taken out of the pending table and applied whole before the next, so recounts
    -- below (which skip what is still pending) never count an event twice.
    with taken as (
      delete from feature_flag_events_pending p
      where p.id in (select q.id from feature_flag_events_pending q order by q.id limit p_chunk)
      returning p.id
    )
    select array_agg(t.id), min(t.id), max(t.id) into v_ids, v_min, v_max from taken t;
    exit when v_ids is null;
    v_done := v_done + cardinality(v_ids);

    -- First exposures that are new or earlier than the stored one.
    with chunk as (
      -- The id range lets the planner read the chunk by primary key instead of scanning all events.
      select e.* from unnest(v_ids) i(id) join feature_flag_events e on e.id = i.id and e.id between v_min and v_max
    ),
    changed as (
      insert into feature_flag_first_exposures as x (flag_key, environment, user_id, variant, occurred_at, event_id)
      select b.flag_key, b.environment, b.user_id, b.variant, b.occurred_at, b.id
      from (
        select distinct on (c.flag_key, c.environment, c.user_id) c.flag_key, c.environment, c.user_id, c.variant, c.occurred_at, c.id
        from chunk c
        where c.event_type = 'exposure' and c.flag_key is not null and c.variant is not null
        order by c.flag_key, c.environment, c.user_id, c.occurred_at, c.id
      ) b
      -- Rows that change nothing are filtered first: ON CONFLICT DO UPDATE would lock (write)
      -- every conflicting row even when its WHERE then skips it.
      left join feature_flag_first_exposures f on f.flag_key = b.flag_key and f.environment = b.environment and f.user_id = b.user_id
      where f.user_id is null or (b.occurred_at, b.id) < (f.occurred_at, f.event_id)
      on conflict (flag_key, environment, user_id) do update
        set variant = excluded.variant, occurred_at = excluded.occurred_at, event_id = excluded.event_id
        where (excluded.occurred_at, excluded.event_id) < (x.occurred_at, x.event_id)
      returning x.flag_key, x.environment, x.user_id
    )
    select array_agg(c.flag_key), array_agg(c.environment), array_agg(c.user_id) into v_flags, v_environments, v_users from changed c;

    -- The chunk's conversions, for every flag the user was exposed to at or before them.
    insert into feature_flag_conversions as c (flag_key, environment, user_id, event_name, variant, events, value_sum)
    select f.flag_key, f.environment, f.user_id, n.event_name, f.variant, count(*), sum(coalesce(n.value, 0))
    from unnest(v_ids) i(id)
    join feature_flag_events n on n.id = i.id and n.id between v_min and v_max and n.event_type = 'conversion'
    join feature_flag_first_exposures f on f.environment = n.environment and f.user_id = n.user_id and n.occurred_at >= f.occurred_at
    group by f.flag_key, f.environment, f.user_id, n.event_name, f.variant
    on conflict (flag_key, environment, user_id, event_name) do update
      set events = c.events + excluded.events, value_sum = c.value_sum + excluded.value_sum;

    -- Users whose first exposure is new or moved: attribution starts at a new time (or in a new
    -- variant), so their rows are recounted from every folded-in event, this chunk included
    -- (replacing what the step above added for them).
    if v_flags is not null then
      delete from feature_flag_conversions c
       using unnest(v_flags, v_environments, v_users) k(flag_key, environment, user_id)
       where c.flag_key = k.flag_key and c.environment = k.environment and c.user_id = k.user_id;
      insert into feature_flag_conversions (flag_key, environment, user_id, event_name, variant, events, value_sum)
      select f.flag_key, f.environment, f.user_id, e.event_name, f.variant, count(*), sum(coalesce(e.value, 0))
      from unnest(v_flags, v_environments, v_users) k(flag_key, environment, user_id)
      join feature_flag_first_exposures f on f.flag_key = k.flag_key and f.environment = k.environment and f.user_id = k.user_id
      join feature_flag_events e
        on e.event_type = 'conversion' and e.environment = f.environment and e.user_id = f.user_id and e.occurred_at >= f.occurred_at
      where not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
      group by f.flag_key, f.environment, f.user_id, e.event_name, f.variant;
    end if;

    -- Totals of the users whose rows changed: converters of this chunk and moved first exposures.
    select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id) into v_flags, v_environments, v_users
    from (
      select f.flag_key, f.environment, f.user_id
      from unnest(v_ids) i(id)
      join feature_flag_events n on n.id = i.id and n.id between v_min and v_max and n.event_type = 'conversion'
      join feature_flag_first_exposures f on f.environment = n.environment and f.user_id = n.user_id
      union
      select * from unnest(v_flags, v_environments, v_users)
    ) k;
    if v_flags is not null then
      perform feature_flag_rollup_totals(v_flags, v_environments, v_users);
    end if;
  end loop;
  return v_done;
end;
$$;

-- After each INSERT statement: remember the batch's ids (no per-user work on the write path).
create or replace function feature_flag_events_rollup_insert() returns trigger
language plpgsql security definer set search_path from current as $$
begin
  insert into feature_flag_events_pending (id)
  select n.id
  from new_events n
  where n.event_type = 'conversion' or (n.flag_key is not null and n.variant is not null);
  return null;
end;
$$;

-- After DELETE or UPDATE statements (retention jobs, corrections): forget their pending copies,
-- then recount the users touched from the raw events.
create or replace function feature_flag_events_rollup_recount() returns trigger
language plpgsql security definer set search_path from current as $$
declare
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  delete from feature_flag_events_pending p using old_events o where p.id = o.id;
  with touched as (
    select o.environment, o.user_id, o.flag_key, o.event_type from old_events o
    union all
    select n.environment, n.user_id, n.flag_key, n.event_type from new_events n
  ),
  keys as (
    select t.flag_key, t.environment, t.user_id from touched t where t.event_type = 'exposure' and t.flag_key is not null
    union
    select f.flag_key, f.environment, f.user_id
    from (select distinct t.environment, t.user_id from touched t where t.event_type = 'conversion') t
    join feature_flag_first_exposures f on f.environment = t.environment and f.user_id = t.user_id
  )
  select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id) into v_flags, v_environments, v_users from keys k;
  if v_flags is not null then
    perform feature_flag_rollup_refresh(v_flags, v_environments, v_users);
  end if;
  return null;
end;
$$;

-- DELETE statements: OLD rows only (a trigger function cannot name a transition table it lacks).
create or replace function feature_flag_events_rollup_delete() returns trigger
language plpgsql security definer set search_path from current as $$
declare
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  delete from feature_flag_events_pending p using old_events o where p.id = o.id;
  with keys as (
    select o.flag_key, o.environment, o.user_id from old_events o where o.event_type = 'exposure' and o.flag_key is not null
    union
    select f.flag_key, f.environment, f.user_id
    from (select distinct o.environment, o.user_id from old_events o where o.event_type = 'conversion') t
    join feature_flag_first_exposures f on f.environment = t.environment and f.user_id = t.user_id
  )
  select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id) into v_flags, v_environments, v_users from keys k;
  if v_flags is not null then
    perform feature_flag_rollup_refresh(v_flags, v_environments, v_users);
  end if;
  return null;
end;
$$;

create or replace function feature_flag_events_rollup_truncate() returns trigger
language plpgsql security definer set search_path from current as $$
begin
  truncate feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending;
  return null;
end;
$$;

drop trigger if exists feature_flag_events_rollup_insert on feature_flag_events;
create trigger feature_flag_events_rollup_insert after insert on feature_flag_events
  referencing new table as new_events for each statement execute function feature_flag_events_rollup_insert();
drop trigger if exists feature_flag_events_rollup_update on feature_flag_events;
create trigger feature_flag_events_rollup_update after update on feature_flag_events
  referencing old table as old_events new table as new_events for each statement execute function feature_flag_events_rollup_recount();
drop trigger if exists feature_flag_events_rollup_delete on feature_flag_events;
create trigger feature_flag_events_rollup_delete after delete on feature_flag_events
  referencing old table as old_events for each statement execute function feature_flag_events_rollup_delete();
drop trigger if exists feature_flag_events_rollup_truncate on feature_flag_events;
create trigger feature_flag_events_rollup_truncate after truncate on feature_flag_events
  for each statement execute function feature_flag_events_rollup_truncate();

-- Rebuilds everything from the raw events: the backfill below, and a repair after loads that
-- bypassed the triggers (COPY with triggers disabled, restores). Returns the users counted.
create or replace function feature_flag_rollup_rebuild() returns bigint
language plpgsql security definer set search_path from current as $$
declare
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  truncate feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending;
  select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id) into v_flags, v_environments, v_users
  from (
    select distinct e.flag_key, e.environment, e.user_id from feature_flag_events e
    where e.event_type = 'exposure' and e.flag_key is not null and e.variant is not null
  ) k;
  if v_flags is null then
    return 0;
  end if;
  perform feature_flag_rollup_refresh(v_flags, v_environments, v_users);
  return cardinality(v_flags);
end;
$$;

-- Backfill from the events already stored (nothing to do on an empty table).
select feature_flag_rollup_rebuild() where exists (select 1 from feature_flag_events);

-- Same signature and attribution rules as before; without a window it reads the pre-aggregates.
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
set work_mem = '64MB'
as $$
#variable_conflict use_column
begin
  -- Without a window: fold pending events in, then read the pre-aggregates. A read-only
  -- transaction (a replica, an HTTP GET) cannot fold, so it reads the raw events instead.
  if p_since is null and p_until is null and current_setting('transaction_read_only') = 'off' then
    perform feature_flag_rollup_drain();
    if p_event_name is null then
      -- One row per exposed user holds everything.
      return query
        select f.variant, count(*), count(*) filter (where f.conversion_events > 0), coalesce(sum(f.value_sum), 0)::double precision,
               coalesce(sum(f.conversion_events), 0)::bigint
        from feature_flag_first_exposures f
        where f.flag_key = p_flag_key and f.environment = p_environment
        group by f.variant
        order by min(f.occurred_at), f.variant;
      return;
    end if;
    -- One event name: at most one conversion row per user.
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
  return query
    with firsts as (
      select distinct on (e.user_id) e.user_id, e.variant, e.occurred_at
      from feature_flag_events e
      where e.event_type = 'exposure' and e.flag_key = p_flag_key and e.environment = p_environment
        and e.variant is not null
        and (p_since is null or e.occurred_at >= p_since) and (p_until is null or e.occurred_at < p_until)
      order by e.user_id, e.occurred_at, e.id
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

-- Only the owner runs these directly (the triggers call them); the drain is harmless to call and
-- open to whoever may call the results function.
revoke execute on function feature_flag_rollup_refresh(text[], text[], text[]) from public;
revoke execute on function feature_flag_rollup_rebuild() from public;
revoke execute on function feature_flag_rollup_lock() from public;
revoke execute on function feature_flag_rollup_totals(text[], text[], text[]) from public;
