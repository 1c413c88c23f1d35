-- @tiqology/elite: pre-aggregation for get_ab_test_results, and the flags' triggers. Idempotent.
--
-- Without a window (no since/until), results read feature_flag_first_exposures and
-- feature_flag_conversions instead of joining every exposure to every conversion. Ingestion
-- stays cheap: a statement-level trigger only copies the ids of each batch's inserted rows (rows
-- skipped by ON CONFLICT DO NOTHING are not in its transition table) into
-- feature_flag_events_pending. feature_flag_rollup_drain() folds them into the two tables,
-- set-based, one drain at a time; get_ab_test_results drains before it reads, so answers are
-- exact, and a schedule (pg_cron) can keep the backlog short. Out-of-order arrival is handled:
-- when a user's first exposure becomes earlier (or new), their conversions are recounted from
-- the raw events already drained. Deletes and updates of events recount the users they touch;
-- TRUNCATE empties everything. Windowed queries read the raw events.
--
-- Every function here pins search_path to pg_catalog, public, pg_temp (pg_temp last): the
-- SECURITY DEFINER ones run as the tables' owner, and a caller's temporary objects must never
-- shadow what they name.

-- Folding is serialized by a transaction-scoped lock (drain, recounts, rebuild):
-- feature_flag_rollup_lock(), defined in 20261210000015_pending_batches (it also moves the pending
-- batches into the pending ids).

-- Sets the conversion totals of the given (flag, environment, user) rows from feature_flag_conversions.
-- Hash joins only: within one long drain the statistics of the growing tables are stale, and a
-- nested loop planned for "a few rows" would scan them once per key.
create or replace function feature_flag_rollup_totals(p_flags text[], p_environments text[], p_users text[])
returns void language sql security definer set search_path = pg_catalog, public, pg_temp set enable_nestloop = off as $$
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
returns void language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
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

-- Folds the given events (taken out of the pending table by the caller) into both tables.
-- Call under the lock, with ids in one ascending range.
create or replace function feature_flag_rollup_fold(v_ids bigint[]) returns void
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_min bigint := (select min(i) from unnest(v_ids) i);
  v_max bigint := (select max(i) from unnest(v_ids) i);
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
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
end;
$$;

-- Folds pending events in, oldest first, in chunks of p_chunk; returns how many. Safe to call at
-- any time and from a schedule (select cron.schedule('elite-rollup', '* * * * *',
-- 'select feature_flag_rollup_drain()')). Only committed events are seen: a batch still being
-- written is folded by a later drain. An event that cannot be folded (a sum out of range, say)
-- is left out with a warning instead of failing the drain, and with it the results of every
-- flag: the chunk is retried one event at a time.
create or replace function feature_flag_rollup_drain(p_chunk integer default 50000) returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_done bigint := 0;
  v_ids bigint[];
  v_id bigint;
  v_state text;
  v_message text;
begin
  perform feature_flag_rollup_lock();
  loop
    -- Each chunk is taken out of the pending table and applied whole before the next, so recounts
    -- (which skip what is still pending) never count an event twice.
    with taken as (
      delete from feature_flag_events_pending p
      where p.id in (select q.id from feature_flag_events_pending q order by q.id limit p_chunk)
      returning p.id
    )
    select array_agg(t.id order by t.id) into v_ids from taken t;
    exit when v_ids is null;
    v_done := v_done + cardinality(v_ids);
    begin
      perform feature_flag_rollup_fold(v_ids);
    exception when others then
      -- Back to pending, then one event at a time: each leaves pending as it is folded, so the
      -- recounts of one never see the next before it is folded.
      insert into feature_flag_events_pending (id) select unnest(v_ids) on conflict do nothing;
      foreach v_id in array v_ids loop
        begin
          delete from feature_flag_events_pending where id = v_id;
          perform feature_flag_rollup_fold(array[v_id]);
        exception when others then
          get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
          delete from feature_flag_events_pending where id = v_id;
          raise warning 'elite: event % left out of the results pre-aggregates (%: %)', v_id, v_state, v_message;
        end;
      end loop;
    end;
  end loop;
  return v_done;
end;
$$;

-- After each INSERT statement the batch's ids are remembered (no per-user work on the write path):
-- feature_flag_events_rollup_insert(), with its trigger, is defined in 20261210000015_pending_batches.

-- After DELETE or UPDATE statements (retention jobs, corrections): forget their pending copies,
-- then recount the users touched from the raw events.
create or replace function feature_flag_events_rollup_recount() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
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

-- DELETE statements: feature_flag_events_rollup_delete(), with its trigger, is defined in
-- 20261210000009_partitions (rows moved into a monthly partition are not deleted events).

-- TRUNCATE of the events: feature_flag_events_rollup_truncate(), with its trigger, is defined in
-- 20261210000015_pending_batches.

drop trigger if exists feature_flag_events_rollup_update on feature_flag_events;
create trigger feature_flag_events_rollup_update after update on feature_flag_events
  referencing old table as old_events new table as new_events for each statement execute function feature_flag_events_rollup_recount();

-- Rebuilds everything from the raw events: the backfill below, and a repair after loads that
-- bypassed the triggers (COPY with triggers disabled, restores). Returns the users counted.
create or replace function feature_flag_rollup_rebuild() returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
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

-- Push invalidation: every change of a flag notifies channel elite_flags with "environment:key".
create or replace function feature_flags_notify() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform pg_notify('elite_flags', coalesce(new.environment, old.environment) || ':' || coalesce(new.key, old.key));
  return null;
end;
$$;
drop trigger if exists feature_flags_notify on feature_flags;
create trigger feature_flags_notify after insert or update or delete on feature_flags
  for each row execute function feature_flags_notify();

-- Writes through the table API cannot say now(): the database stamps updated_at on every write.
create or replace function feature_flags_touch() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
drop trigger if exists feature_flags_touch on feature_flags;
create trigger feature_flags_touch before insert or update on feature_flags
  for each row execute function feature_flags_touch();
