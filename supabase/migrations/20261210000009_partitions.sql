-- @tiqology/elite: monthly partitions of the events, and retention by partition. Idempotent.
--
-- Events are written to feature_flag_events, whose unique key on event_id makes every insert
-- idempotent (`on conflict (event_id) do nothing`, the adapters' and the browser keys' retries).
-- Declarative partitioning cannot keep that key: every unique key of a partitioned table must
-- hold the partition key, so `on conflict (event_id)` (what deployed browser clients send) would
-- fail. The months are child tables of feature_flag_events (table inheritance) instead:
--   feature_flag_events_archive(p_before) moves the events of every whole UTC month before
--   p_before's month (default: keep the current and the previous month in the parent) into a
--   child table per month, feature_flag_events_yYYYYmMM, with a CHECK on occurred_at and its own
--   indexes. Every query of feature_flag_events reads the children too (results, recounts, the
--   raw-event path, `select count(*)`), so a move changes no answer; moved rows keep their id and
--   event_id, and the delete triggers do not count them as deleted. Events still pending (not yet
--   folded into the pre-aggregates) stay in the parent until a later run.
--   A retried event whose month was moved (a server retry days later) is dropped again after its
--   insert: an AFTER INSERT statement trigger looks its (event_id, occurred_at) up in the children,
--   only for rows older than the end of the newest moved month, whichever role inserts them.
--   feature_flag_events_retention(p_keep_months) drops the children of the months it removes
--   (instant, whatever their size) and recounts the users they held; events older than the cutoff
--   still in the parent are deleted in batches as before.
-- Schedule both monthly, e.g. with pg_cron:
--   select cron.schedule('elite-archive', '0 2 1 * *', 'select feature_flag_events_archive()');
--   select cron.schedule('elite-retention', '0 3 1 * *', 'select feature_flag_events_retention(6)');

-- The months moved into child tables.
create table if not exists feature_flag_events_archived_months (
  month timestamptz primary key check (month = date_trunc('month', month at time zone 'UTC') at time zone 'UTC'),
  child text not null
);
alter table feature_flag_events_archived_months enable row level security;

-- DELETE statements of events: the rollup recounts the users touched. Rows whose id is still
-- stored (moved into a month's child table by feature_flag_events_archive) are not deletions.
create or replace function feature_flag_events_rollup_delete() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_flags text[];
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  delete from feature_flag_events_pending p using old_events o where p.id = o.id;
  with deleted as (
    select o.* from old_events o where not exists (select 1 from feature_flag_events e where e.id = o.id)
  ),
  keys as (
    select o.flag_key, o.environment, o.user_id from deleted o where o.event_type = 'exposure' and o.flag_key is not null
    union
    select f.flag_key, f.environment, f.user_id
    from (select distinct o.environment, o.user_id from deleted o where o.event_type = 'conversion') t
    join feature_flag_first_exposures f on f.environment = t.environment and f.user_id = t.user_id
  )
  select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id) into v_flags, v_environments, v_users from keys k;
  if v_flags is not null then
    perform feature_flag_rollup_refresh(v_flags, v_environments, v_users);
  end if;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_rollup_delete on feature_flag_events;
create trigger feature_flag_events_rollup_delete after delete on feature_flag_events
  referencing old table as old_events for each statement execute function feature_flag_events_rollup_delete();

-- After UPDATE or DELETE statements of events (after the rollup's recount, which takes the lock):
-- the timelines of the users touched are rebuilt (not for rows moved into a month's child table).
create or replace function feature_flag_events_timelines_recount() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_environments text[];
  v_users text[];
begin
  perform feature_flag_rollup_lock();
  select array_agg(k.environment), array_agg(k.user_id) into v_environments, v_users
  from (
    select distinct o.environment, o.user_id from touched o
    where tg_op <> 'DELETE' or not exists (select 1 from feature_flag_events e where e.id = o.id)
  ) k;
  if v_users is not null then
    perform feature_flag_timelines_refresh(v_environments, v_users);
  end if;
  return null;
end;
$$;
drop trigger if exists feature_flag_events_timelines_delete on feature_flag_events;
create trigger feature_flag_events_timelines_delete after delete on feature_flag_events
  referencing old table as touched for each statement execute function feature_flag_events_timelines_recount();
-- An update may move an event to another user: both the old and the new rows' users.
drop trigger if exists feature_flag_events_timelines_update_old on feature_flag_events;
create trigger feature_flag_events_timelines_update_old after update on feature_flag_events
  referencing old table as touched for each statement execute function feature_flag_events_timelines_recount();
drop trigger if exists feature_flag_events_timelines_update_new on feature_flag_events;
create trigger feature_flag_events_timelines_update_new after update on feature_flag_events
  referencing new table as touched for each statement execute function feature_flag_events_timelines_recount();

-- Moves the events of every whole UTC month before p_before's month into that month's child
-- table (created when missing), and returns how many. Pending events stay (a later run moves them).
create or replace function feature_flag_events_archive(
  p_before timestamptz default (date_trunc('month', now() at time zone 'UTC') - interval '1 month') at time zone 'UTC'
) returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_cut timestamptz := date_trunc('month', p_before at time zone 'UTC') at time zone 'UTC';
  v_month timestamptz;
  v_next timestamptz;
  v_child text;
  v_rows bigint;
  v_done bigint := 0;
begin
  if p_before is null then
    raise exception 'elite: feature_flag_events_archive(p_before) needs a time' using errcode = 'invalid_parameter_value';
  end if;
  -- No drain in between: what is pending now stays in the parent.
  perform feature_flag_rollup_lock();
  for v_month in
    select distinct date_trunc('month', e.occurred_at at time zone 'UTC') at time zone 'UTC'
    from only feature_flag_events e where e.occurred_at < v_cut order by 1
  loop
    v_next := ((v_month at time zone 'UTC') + interval '1 month') at time zone 'UTC';
    v_child := 'feature_flag_events_' || to_char(v_month at time zone 'UTC', '"y"YYYY"m"MM');
    if to_regclass('public.' || v_child) is null then
      execute format('create table public.%I (constraint %I check (occurred_at >= %L and occurred_at < %L)) inherits (feature_flag_events)',
                     v_child, v_child || '_month', v_month, v_next);
      execute format('alter table public.%I add primary key (id)', v_child);
      execute format('alter table public.%I add unique (event_id)', v_child);
      execute format('create index on public.%I (flag_key, environment, occurred_at) include (user_id, variant, id) where event_type = ''exposure''', v_child);
      execute format('create index on public.%I (environment, user_id, occurred_at) include (event_name, value) where event_type = ''conversion''', v_child);
      execute format('alter table public.%I enable row level security', v_child);
      if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated') then
        -- Supabase's default privileges grant new tables to the API roles: read through the parent only.
        execute format('revoke all on table public.%I from anon, authenticated', v_child);
      end if;
    end if;
    execute format(
      'with moved as (
         delete from only feature_flag_events e
         where e.occurred_at >= $1 and e.occurred_at < $2
           and not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
         returning e.*
       )
       insert into public.%I select * from moved', v_child) using v_month, v_next;
    get diagnostics v_rows = row_count;
    v_done := v_done + v_rows;
    insert into feature_flag_events_archived_months (month, child) values (v_month, v_child) on conflict (month) do nothing;
  end loop;
  return v_done;
end;
$$;

-- After each INSERT statement: a copy of an event already moved into a month's child table (its
-- (event_id, occurred_at) stored there) is removed again; the unique key only sees the parent.
create or replace function feature_flag_events_archived_copies() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_until timestamptz := (select max(a.month) + interval '1 month' from feature_flag_events_archived_months a);
begin
  if v_until is null or not exists (select 1 from new_events n where n.occurred_at < v_until) then
    return null;
  end if;
  delete from only feature_flag_events e
   using new_events n
   where e.id = n.id and n.occurred_at < v_until
     and exists (select 1 from feature_flag_events c where c.event_id = n.event_id and c.occurred_at = n.occurred_at and c.id <> n.id);
  return null;
end;
$$;
-- Named to run after the other insert triggers (statement triggers fire in name order): the rows it
-- removes leave the pending table through the delete trigger.
drop trigger if exists feature_flag_events_stored_copies on feature_flag_events;
create trigger feature_flag_events_stored_copies after insert on feature_flag_events
  referencing new table as new_events for each statement execute function feature_flag_events_archived_copies();

-- Deletes the events older than the start of the UTC month p_keep_months months before p_now's
-- (keep 3 on 2027-05-14: everything before 2027-02-01 goes) and returns how many: the child tables
-- of those months are dropped (then the users they held are recounted from the events kept), the
-- rest is deleted from the parent in batches of p_batch (the delete triggers recount).
create or replace function feature_flag_events_retention(
  p_keep_months integer,
  p_now timestamptz default now(),
  p_batch integer default 50000
) returns bigint
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_cutoff timestamptz;
  v_done bigint := 0;
  v_rows bigint;
  v_archived record;
  v_flags text[];
  v_environments text[];
  v_users text[];
  v_user_environments text[];
  v_user_ids text[];
begin
  if p_keep_months is null or p_keep_months < 1 or p_batch is null or p_batch < 1 then
    raise exception 'elite: feature_flag_events_retention(p_keep_months, p_now, p_batch) needs p_keep_months >= 1 and p_batch >= 1'
      using errcode = 'invalid_parameter_value';
  end if;
  v_cutoff := (date_trunc('month', p_now at time zone 'UTC') - make_interval(months => p_keep_months)) at time zone 'UTC';
  for v_archived in
    select a.month, a.child from feature_flag_events_archived_months a
    where ((a.month at time zone 'UTC') + interval '1 month') at time zone 'UTC' <= v_cutoff order by a.month
  loop
    perform feature_flag_rollup_lock();
    -- What the month's events fed: the first exposures of its exposed users and of its converters.
    execute format(
      'select array_agg(k.flag_key), array_agg(k.environment), array_agg(k.user_id)
       from (
         select e.flag_key, e.environment, e.user_id from public.%1$I e where e.event_type = ''exposure'' and e.flag_key is not null
         union
         select f.flag_key, f.environment, f.user_id
         from (select distinct c.environment, c.user_id from public.%1$I c where c.event_type = ''conversion'') t
         join feature_flag_first_exposures f on f.environment = t.environment and f.user_id = t.user_id
       ) k', v_archived.child) into v_flags, v_environments, v_users;
    execute format('select array_agg(k.environment), array_agg(k.user_id), sum(k.n)
                    from (select e.environment, e.user_id, count(*) as n from public.%I e group by 1, 2) k', v_archived.child)
      into v_user_environments, v_user_ids, v_rows;
    execute format('drop table public.%I', v_archived.child);
    delete from feature_flag_events_archived_months where month = v_archived.month;
    if v_flags is not null then
      perform feature_flag_rollup_refresh(v_flags, v_environments, v_users);
    end if;
    if v_user_ids is not null then
      perform feature_flag_timelines_refresh(v_user_environments, v_user_ids);
    end if;
    v_done := v_done + coalesce(v_rows, 0);
  end loop;
  loop
    delete from feature_flag_events e
     where e.id in (select o.id from feature_flag_events o where o.occurred_at < v_cutoff limit p_batch);
    get diagnostics v_rows = row_count;
    v_done := v_done + v_rows;
    exit when v_rows < p_batch;
  end loop;
  return v_done;
end;
$$;

revoke execute on function feature_flag_events_archive(timestamptz) from public;
revoke execute on function feature_flag_events_retention(integer, timestamptz, integer) from public;
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return;
  end if;
  revoke all on table feature_flag_events_archived_months from anon, authenticated;
  grant select on table feature_flag_events_archived_months to service_role;
  grant execute on function feature_flag_events_archive(timestamptz) to service_role;
  grant execute on function feature_flag_events_retention(integer, timestamptz, integer) to service_role;
  revoke execute on function feature_flag_events_archive(timestamptz), feature_flag_events_retention(integer, timestamptz, integer)
    from anon, authenticated;
  revoke execute on function feature_flag_events_rollup_delete(), feature_flag_events_timelines_recount(),
    feature_flag_events_archived_copies() from public, anon, authenticated;
  drop policy if exists feature_flag_events_archived_months_service on feature_flag_events_archived_months;
  create policy feature_flag_events_archived_months_service on feature_flag_events_archived_months
    for select to service_role using (true);
end;
$$;
