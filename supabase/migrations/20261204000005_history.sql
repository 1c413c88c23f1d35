-- @tiqology/elite: the audit trail of flag changes. Idempotent: applying it again is a no-op.
--
-- Every insert, update and delete of feature_flags appends one row to feature_flag_history, from a
-- trigger: in the same transaction as the change, whoever makes it (the SDK, the CLI, the Supabase
-- dashboard, plain SQL). Who made it is the row's updated_by for a create or an update; a delete
-- has no new row, so the deleting statement names its author in the transaction-local setting
-- elite.actor (the pg adapter sets it in the DELETE itself, the Supabase adapter through
-- feature_flag_delete below). The trigger is SECURITY DEFINER: a role that may write flags records
-- its changes without any privilege on the history, and cannot change or remove them.

create table if not exists feature_flag_history (
  id bigint generated always as identity primary key,
  key text not null,
  environment text not null,
  action text not null check (action in ('create', 'update', 'delete')),
  -- The version the change produced; for a delete, the version removed.
  version integer not null,
  -- Definitions as stored in feature_flags.definition (without version and updated_at).
  before jsonb,
  after jsonb,
  updated_by text,
  changed_at timestamptz not null default now()
);
-- A flag's changes, newest first.
create index if not exists feature_flag_history_flag_idx on feature_flag_history (key, environment, id desc);

create or replace function feature_flags_history() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    insert into feature_flag_history (key, environment, action, version, before, after, updated_by)
    values (new.key, new.environment, 'create', new.version, null, new.definition, new.updated_by);
  elsif tg_op = 'UPDATE' then
    insert into feature_flag_history (key, environment, action, version, before, after, updated_by)
    values (new.key, new.environment, 'update', new.version, old.definition, new.definition, new.updated_by);
  else
    insert into feature_flag_history (key, environment, action, version, before, after, updated_by)
    values (old.key, old.environment, 'delete', old.version, old.definition, null,
            nullif(current_setting('elite.actor', true), ''));
  end if;
  return null;
end;
$$;
drop trigger if exists feature_flags_history on feature_flags;
create trigger feature_flags_history after insert or update or delete on feature_flags
  for each row execute function feature_flags_history();

-- A delete that names its author, for clients that cannot set elite.actor themselves (PostgREST
-- runs each request in its own transaction). SECURITY INVOKER: the caller's privileges and row-level
-- security decide whether the row may be deleted. Returns the version removed; no row when there
-- was none (or not at p_expected_version).
create or replace function feature_flag_delete(p_key text, p_environment text, p_expected_version integer, p_updated_by text)
returns table (version integer)
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform set_config('elite.actor', coalesce(p_updated_by, ''), true);
  return query
    delete from feature_flags f
    where f.key = p_key and f.environment = p_environment and (p_expected_version is null or f.version = p_expected_version)
    returning f.version;
end;
$$;

alter table feature_flag_history enable row level security;
revoke execute on function feature_flags_history() from public;
revoke execute on function feature_flag_delete(text, text, integer, text) from public;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    return; -- plain PostgreSQL: no Supabase roles to grant to
  end if;
  -- Browser keys see nothing of it; the service key reads it, and cannot rewrite it.
  revoke all on table feature_flag_history from anon, authenticated, service_role;
  grant select on table feature_flag_history to service_role;
  revoke all on sequence feature_flag_history_id_seq from anon, authenticated, service_role;
  revoke execute on function feature_flags_history() from anon, authenticated, service_role;
  revoke execute on function feature_flag_delete(text, text, integer, text) from anon, authenticated;
  grant execute on function feature_flag_delete(text, text, integer, text) to service_role;
  drop policy if exists feature_flag_history_service on feature_flag_history;
  create policy feature_flag_history_service on feature_flag_history for select to service_role using (true);
end;
$$;
