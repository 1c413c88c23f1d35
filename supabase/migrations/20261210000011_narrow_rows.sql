-- @tiqology/elite: narrower exposure timeline rows. Idempotent; on an existing database it rewrites
-- the timelines once (the variants as codes).
--
-- Every window but all time reads one exposure timeline row per exposed user: the cost of a window
-- is the cost of reading those rows, so it grows with their width. Each exposure's variant was a
-- text element (12-16 bytes with its header and alignment, the widest column of the row, and the
-- first one compressed when a row passed 2 kB, so read back through a decompression); it is now a
-- code, 2 bytes:
--   variant_names  the user's distinct variants, in the order of their first exposure to each;
--   variant_codes  one code per exposure, in the order of `at`: its variant's position (1-based)
--                  in variant_names.
-- A window reads `variant_names[variant_codes[k]]`. The answers are the same (times and sums are
-- untouched; only the variants' encoding changes).

-- The codes of a list of variants, and the list back from them.
create or replace function feature_flag_variant_codes(p_variants text[], out names text[], out codes smallint[])
language sql immutable set search_path = pg_catalog, public, pg_temp as $$
  select n.names, array(select array_position(n.names, u.v)::smallint from unnest(p_variants) with ordinality u(v, i) order by u.i)
  from (select array(select d.v from unnest(p_variants) with ordinality d(v, i) group by d.v order by min(d.i)) as names) n;
$$;
create or replace function feature_flag_variants_decoded(p_names text[], p_codes smallint[]) returns text[]
language sql immutable set search_path = pg_catalog, public, pg_temp as $$
  select array(select p_names[u.c] from unnest(p_codes) with ordinality u(c, i) order by u.i);
$$;

-- The table: variant_names added, variants rewritten as codes in place (one rewrite of the table,
-- which also leaves no dead row versions behind) and renamed.
alter table feature_flag_exposure_timelines add column if not exists variant_names text[];
do $$
begin
  if exists (select 1 from pg_attribute where attrelid = 'feature_flag_exposure_timelines'::regclass and attname = 'variants'
             and not attisdropped) then
    -- The rollup lock. Its function (20261210000015_pending_batches) also moves the pending batches
    -- into the pending ids, once their table exists.
    perform pg_advisory_xact_lock(hashtextextended('@tiqology/elite rollup', 0));
    if to_regclass('feature_flag_events_pending_batches') is not null then
      perform feature_flag_rollup_lock();
    end if;
    execute 'update feature_flag_exposure_timelines t set variant_names = (feature_flag_variant_codes(t.variants)).names';
    execute 'alter table feature_flag_exposure_timelines alter column variants type smallint[]
               using (feature_flag_variant_codes(variants)).codes';
    execute 'alter table feature_flag_exposure_timelines rename column variants to variant_codes';
  end if;
end;
$$;
alter table feature_flag_exposure_timelines alter column variant_names set not null;

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
    insert into feature_flag_exposure_timelines as t (flag_key, environment, user_id, at, ids, variant_names, variant_codes)
    select x.flag_key, x.environment, x.user_id, x.at, x.ids, v.names, v.codes
    from (
      select e.flag_key, e.environment, e.user_id, array_agg(e.occurred_at order by e.occurred_at, e.id) as at,
             array_agg(e.id order by e.occurred_at, e.id) as ids, array_agg(e.variant order by e.occurred_at, e.id) as variants
      from unnest(p_ids) i(id)
      join feature_flag_events e on e.id = i.id and e.id between v_min and v_max
      where e.event_type = 'exposure' and e.flag_key is not null and e.variant is not null
      group by e.flag_key, e.environment, e.user_id
    ) x
    cross join lateral feature_flag_variant_codes(x.variants) v
    on conflict (flag_key, environment, user_id) do update set (at, ids, variant_names, variant_codes) = (
      select m.at, m.ids, v.names, v.codes
      from feature_flag_exposure_merge(t.at, t.ids, feature_flag_variants_decoded(t.variant_names, t.variant_codes),
                                       excluded.at, excluded.ids, feature_flag_variants_decoded(excluded.variant_names, excluded.variant_codes)) m
      cross join lateral feature_flag_variant_codes(m.variants) v
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
  insert into feature_flag_exposure_timelines (flag_key, environment, user_id, at, ids, variant_names, variant_codes,
                                               c_names, c_starts, c_at, c_cum, a_at, a_cum)
  select x.flag_key, x.environment, x.user_id, x.at, x.ids, v.names, v.codes, c.c_names, c.c_starts, c.c_at, c.c_cum, c.a_at, c.a_cum
  from (
    select e.flag_key, e.environment, e.user_id, array_agg(e.occurred_at order by e.occurred_at, e.id) as at,
           array_agg(e.id order by e.occurred_at, e.id) as ids, array_agg(e.variant order by e.occurred_at, e.id) as variants
    from feature_flag_events e
    where e.event_type = 'exposure' and e.flag_key is not null and e.variant is not null
      and (p_users is null or (e.environment, e.user_id) in (select * from unnest(p_environments, p_users)))
      and not exists (select 1 from feature_flag_events_pending p where p.id = e.id)
    group by e.flag_key, e.environment, e.user_id
  ) x
  cross join lateral feature_flag_variant_codes(x.variants) v
  left join feature_flag_timelines_combined(v_environments, v_users) c on c.environment = x.environment and c.user_id = x.user_id;
end;
$$;

-- A database from before the timelines (the events folded in, no timeline yet): built from them.
do $$
begin
  -- The rollup lock. Its function (20261210000015_pending_batches) also moves the pending batches
  -- into the pending ids, once their table exists.
  perform pg_advisory_xact_lock(hashtextextended('@tiqology/elite rollup', 0));
  if to_regclass('feature_flag_events_pending_batches') is not null then
    perform feature_flag_rollup_lock();
  end if;
  if not exists (select 1 from feature_flag_exposure_timelines) and not exists (select 1 from feature_flag_conversion_timelines) then
    perform feature_flag_timelines_refresh(null, null);
  end if;
end;
$$;

revoke execute on function feature_flag_timelines_fold(bigint[]) from public;
revoke execute on function feature_flag_timelines_refresh(text[], text[]) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') and exists (select 1 from pg_roles where rolname = 'authenticated')
     and exists (select 1 from pg_roles where rolname = 'service_role') then
    revoke execute on function feature_flag_timelines_fold(bigint[]), feature_flag_timelines_refresh(text[], text[])
      from anon, authenticated, service_role;
  end if;
end;
$$;

-- get_ab_test_results and get_metric_stats read the codes: defined in 20261210000012_narrow_reads.
