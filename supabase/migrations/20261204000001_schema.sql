-- @tiqology/elite: tables, constraints and indexes. Idempotent: applying it again is a no-op.
--
-- Every event column is bounded by a CHECK that restates src/internal/limits.ts and the key
-- pattern of src/flags/model.ts (KEY_PATTERN): a value the SDK accepts is always stored, and a
-- row written with a browser key can never be too large for an index (B-tree rows are capped
-- at 2,704 bytes) nor make a sum overflow (|value| <= 1e12, finite). Tables live in schema
-- public: the functions of the next files pin their search path to it.

-- KEY_PATTERN is /^[a-z0-9][a-z0-9._-]{0,127}$/, written as a pattern and a length: PostgreSQL's
-- regex engine runs a bounded repetition ({0,127}) about eight times slower, on every event.
create table if not exists feature_flags (
  key text not null check (key ~ '^[a-z0-9][a-z0-9._-]*$' and char_length(key) <= 128),
  environment text not null check (environment ~ '^[a-z0-9][a-z0-9._-]*$' and char_length(environment) <= 128),
  definition jsonb not null,
  enabled boolean not null,
  version integer not null check (version > 0),
  updated_at timestamptz not null default now(),
  updated_by text,
  primary key (key, environment)
);
create index if not exists feature_flags_environment_idx on feature_flags (environment);

create table if not exists feature_flag_events (
  -- An identity column: inserting needs no privilege on its sequence, so browser roles hold none
  -- (a role that may call setval() can make every later insert fail).
  id bigint generated always as identity primary key,
  -- Idempotency key: `insert ... on conflict (event_id) do nothing` stores a retried event once.
  event_id uuid not null default gen_random_uuid(),
  flag_key text check (flag_key ~ '^[a-z0-9][a-z0-9._-]*$' and char_length(flag_key) <= 128),
  environment text not null check (environment ~ '^[a-z0-9][a-z0-9._-]*$' and char_length(environment) <= 128),
  variant text check (variant ~ '^[a-z0-9][a-z0-9._-]*$' and char_length(variant) <= 128),
  user_id text not null check (char_length(user_id) between 1 and 256),
  event_type text not null check (event_type in ('exposure', 'conversion')),
  event_name text check (char_length(event_name) <= 200),
  -- Finite and bounded: +-Infinity fail the bound, and so does NaN (it sorts above every number).
  value double precision check (value <> 'NaN' and abs(value) <= 1e12),
  -- 8,192 characters of JSON text (EVENT_LIMITS.propertiesChars) as jsonb take at most ~6 bytes
  -- a character (an array of zeros); the binary size is bounded instead of jsonb's text, which
  -- spells numbers out (1e300 is 301 digits) and adds spaces, so it can exceed what the SDK sent.
  properties jsonb check (pg_column_size(properties) <= 65536),
  occurred_at timestamptz not null
    check (occurred_at >= '2000-01-01T00:00:00Z' and occurred_at < '2100-01-01T00:00:00Z'),
  constraint feature_flag_events_event_id_key unique (event_id)
);
-- Raw exposures by flag and time (windowed results, recounts): appended at the right edge.
create index if not exists feature_flag_events_exposure_time_idx
  on feature_flag_events (flag_key, environment, occurred_at) include (user_id, variant, id)
  where event_type = 'exposure';
-- A user's conversions in time order, with what the results need.
create index if not exists feature_flag_events_conversion_idx
  on feature_flag_events (environment, user_id, occurred_at) include (event_name, value)
  where event_type = 'conversion';

-- Pre-aggregates read by get_ab_test_results without a window (see the rollup file):
--   feature_flag_first_exposures  one row per (flag, environment, user): variant and time of the
--                                 first exposure (ties broken by event id) and the totals of the
--                                 user's attributed conversions;
--   feature_flag_conversions      one row per (flag, environment, user, event name): count and
--                                 value sum of the conversions at or after the first exposure.
-- Needs PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT: conversions without a name are one group).
create table if not exists feature_flag_first_exposures (
  flag_key text not null,
  environment text not null,
  user_id text not null,
  variant text not null,
  occurred_at timestamptz not null,
  event_id bigint not null,
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
