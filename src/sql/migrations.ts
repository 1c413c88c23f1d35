/**
 * SQL migrations, shipped with the package and applied by `migrate()`. The same text is kept
 * in `supabase/migrations/` for the Supabase CLI; a test keeps the two identical.
 */
export interface Migration {
  /** `<YYYYMMDDHHMMSS>_<name>`, the Supabase CLI file name without `.sql`; applied in this order. */
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: '20261127000001_feature_flags',
    sql: `-- @tiqology/elite: flags, events and the results function. Idempotent: applying it twice is a no-op.

create table if not exists feature_flags (
  key text not null,
  environment text not null,
  definition jsonb not null,
  enabled boolean not null,
  version integer not null check (version > 0),
  updated_at timestamptz not null default now(),
  updated_by text,
  primary key (key, environment)
);
create index if not exists feature_flags_environment_idx on feature_flags (environment);

create table if not exists feature_flag_events (
  id bigserial primary key,
  flag_key text,
  environment text not null,
  variant text,
  user_id text not null,
  event_type text not null check (event_type in ('exposure', 'conversion')),
  event_name text,
  value double precision,
  properties jsonb,
  occurred_at timestamptz not null
);
-- Results: a flag's exposures in (user, time) order, so the first exposure per user is read from
-- the index without a sort; a user's conversions in time order, with what the results need.
create index if not exists feature_flag_events_exposure_idx
  on feature_flag_events (flag_key, environment, user_id, occurred_at, id) include (variant)
  where event_type = 'exposure';
create index if not exists feature_flag_events_conversion_idx
  on feature_flag_events (environment, user_id, occurred_at) include (event_name, value)
  where event_type = 'conversion';

-- Per-variant aggregates with the attribution rules of the SDK: a user counts in the variant of
-- their first exposure in the window; a conversion counts when the same user was exposed at or
-- before it; conversions are distinct users, value sums every attributed conversion event.
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
) language sql stable
-- Room for the hash join and aggregates of a large experiment in memory (for this call only).
set work_mem = '64MB'
as $$
  with firsts as (
    select distinct on (e.user_id) e.user_id, e.variant, e.occurred_at
    from feature_flag_events e
    where e.event_type = 'exposure' and e.flag_key = p_flag_key and e.environment = p_environment
      and (p_since is null or e.occurred_at >= p_since) and (p_until is null or e.occurred_at < p_until)
    order by e.user_id, e.occurred_at, e.id
  ),
  exposed as (
    select f.variant, min(f.occurred_at) as first_at, count(*) as exposures from firsts f group by f.variant
  ),
  -- Per (variant, user) first, then per variant: hash aggregates instead of a sort for the distinct count.
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
  select x.variant, x.exposures, coalesce(c.conversions, 0), coalesce(c.value_sum, 0), coalesce(c.conversion_events, 0)
  from exposed x left join converted c on c.variant = x.variant
  order by x.first_at, x.variant;
$$;

-- Push invalidation: every change of a flag notifies channel elite_flags with "environment:key".
create or replace function feature_flags_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('elite_flags', coalesce(new.environment, old.environment) || ':' || coalesce(new.key, old.key));
  return null;
end;
$$;
drop trigger if exists feature_flags_notify on feature_flags;
create trigger feature_flags_notify after insert or update or delete on feature_flags
  for each row execute function feature_flags_notify();
`,
  },
];
