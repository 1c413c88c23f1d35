/**
 * Row-level security on the real PostgreSQL, with the Supabase roles and auth helpers recreated
 * (supabase-roles.sql) and each request run as PostgREST runs it: connected as `authenticator`,
 * `set local role`, JWT claims in `request.jwt.claims`, one transaction.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres.js';
import { MIGRATIONS } from '../../src/sql/migrations.js';
import {
  asRole,
  authenticator,
  createPlainDatabase,
  createSupabaseDatabase,
  dropDatabase,
  dropSupabaseRoles,
  urlFor,
} from './supabase-db.js';

const PLAIN = `elite_rls_plain_${process.pid}`;
const SUPABASE = `elite_rls_${process.pid}`;
const TABLES = [
  'feature_flags',
  'feature_flag_events',
  'feature_flag_first_exposures',
  'feature_flag_conversions',
  'feature_flag_events_pending',
  'feature_flag_events_pending_batches',
  'feature_flag_history',
];

// Recent events (a browser key may not write older ones) to a flag that exists.
const event = (userId: string, type: 'exposure' | 'conversion' = 'exposure') =>
  type === 'exposure'
    ? `insert into feature_flag_events (flag_key, environment, variant, user_id, event_type, occurred_at)
       values ('pricing-test', 'production', 'control', '${userId}', 'exposure', now() - interval '2 minutes')`
    : `insert into feature_flag_events (environment, user_id, event_type, event_name, value, occurred_at)
       values ('production', '${userId}', 'conversion', 'purchase', 10, now() - interval '1 minute')`;

/**
 * Everything the migrations define, as text: functions (body, settings, grants), constraints,
 * indexes, triggers, policies and table grants. Equal before and after a re-application when it
 * is a no-op.
 */
async function schemaFingerprint(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ item: string }>(`
    select 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc) || ' ' || coalesce(array_to_string(p.proconfig, ','), '')
           || ' ' || p.prosecdef || ' ' || coalesce(p.proacl::text, '') as item
      from pg_proc p where p.pronamespace = 'public'::regnamespace
    union all
    select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
     where connamespace = 'public'::regnamespace
    union all
    select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
    union all
    select 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid) from pg_trigger where not tgisinternal
    union all
    select 'policy ' || tablename || ' ' || policyname || ' ' || array_to_string(roles, ',') || ' ' || coalesce(qual, '') || ' '
           || coalesce(with_check, '') from pg_policies where schemaname = 'public'
    union all
    select 'table ' || oid::regclass || ' ' || relrowsecurity || ' ' || coalesce(relacl::text, '') from pg_class
     where relnamespace = 'public'::regnamespace and relkind in ('r', 'S')
    order by 1`);
  return rows.map((r) => r.item);
}

const denied = { code: '42501' };

describe('the RLS migration on plain PostgreSQL (no Supabase roles)', () => {
  it('applies, enables RLS, and the owner keeps full access', async () => {
    await createPlainDatabase(PLAIN);
    const pool = new pg.Pool({ connectionString: urlFor(PLAIN), max: 2 });
    try {
      expect((await migrate(pool)).applied).toEqual(MIGRATIONS.map((m) => m.name));
      const { rows } = await pool.query<{ relname: string; relrowsecurity: boolean }>(
        'select relname, relrowsecurity from pg_class where relname = any($1) order by relname',
        [TABLES],
      );
      expect(rows).toEqual([...TABLES].sort().map((relname) => ({ relname, relrowsecurity: true })));
      await pool.query(event('u1'));
      await pool.query(
        `insert into feature_flags (key, environment, definition, enabled, version) values ('f', 'production', '{}', true, 1)`,
      );
      expect((await pool.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(1);
      expect((await pool.query('select count(*)::int as n from feature_flags')).rows[0].n).toBe(1);
      const results = await pool.query('select * from get_ab_test_results($1, $2)', ['pricing-test', 'production']);
      expect(results.rows).toMatchObject([{ variant: 'control', exposures: '1' }]);
      // The whole set again, then every file alone again: nothing changes (schema, data, results).
      const before = await schemaFingerprint(pool);
      expect(before.filter((item) => item.startsWith('function get_ab_test_results('))).toHaveLength(1);
      for (const m of MIGRATIONS) await pool.query(m.sql);
      expect(await schemaFingerprint(pool)).toEqual(before);
      for (const m of MIGRATIONS) {
        await pool.query(m.sql);
        expect(await schemaFingerprint(pool), m.name).toEqual(before);
        const again = await pool.query('select * from get_ab_test_results($1, $2)', ['pricing-test', 'production']);
        expect(again.rows, m.name).toEqual(results.rows);
      }
      expect((await pool.query('select count(*)::int as n from feature_flag_first_exposures')).rows[0].n).toBe(1);
    } finally {
      await pool.end();
      await dropDatabase(PLAIN);
    }
  });
});

describe('the RLS migration on a Supabase-shaped database', () => {
  let admin: pg.Pool;
  let api: pg.Pool;
  beforeAll(async () => {
    admin = await createSupabaseDatabase(SUPABASE);
    api = new pg.Pool({ connectionString: urlFor(SUPABASE, authenticator), max: 2 });
    await admin.query(
      `insert into feature_flags (key, environment, definition, enabled, version)
       values ('pricing-test', 'production', '{"key":"pricing-test","environment":"production","enabled":true,"allow":["vip-1"],"variants":[{"key":"control","weight":100}]}', true, 1)`,
    );
  });
  afterAll(async () => {
    await api.end();
    await admin.end();
    await dropDatabase(SUPABASE);
    await dropSupabaseRoles();
  });

  it('applies again as a no-op (migrate, the whole set, and every file alone)', async () => {
    const before = await schemaFingerprint(admin);
    expect(await migrate(admin)).toEqual({ applied: [] });
    for (const m of MIGRATIONS) await admin.query(m.sql);
    expect(await schemaFingerprint(admin)).toEqual(before);
    for (const m of MIGRATIONS) {
      await admin.query(m.sql);
      expect(await schemaFingerprint(admin), m.name).toEqual(before);
    }
    const { rows } = await admin.query('select count(*)::int as n from pg_policies where tablename = any($1)', [TABLES]);
    expect(rows[0].n).toBe(9);
  });

  it('every function pins its search path, pg_temp last (no caller object can shadow what it names)', async () => {
    const { rows } = await admin.query<{ name: string; config: string[] | null; definer: boolean }>(
      `select p.oid::regprocedure::text as name, p.proconfig as config, p.prosecdef as definer
         from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`,
    );
    expect(rows.filter((r) => r.definer).length).toBeGreaterThan(5);
    for (const r of rows) expect(r.config, r.name).toContain('search_path=pg_catalog, public, pg_temp');
  });

  it('the recreated auth helpers read the claims of the transaction', async () => {
    const sub = '6f1c1b0e-2f4b-4c53-9a53-4b9d3f1c2a10';
    const row = await asRole(
      api,
      'authenticated',
      { sub },
      async (c) => (await c.query('select auth.uid() as uid, auth.role() as role')).rows[0],
    );
    expect(row).toEqual({ uid: sub, role: 'authenticated' });
    const anon = await asRole(
      api,
      'anon',
      {},
      async (c) => (await c.query("select auth.uid() as uid, auth.jwt() ->> 'role' as role")).rows[0],
    );
    expect(anon).toEqual({ uid: null, role: 'anon' });
  });

  for (const role of ['anon', 'authenticated'] as const) {
    const claims = role === 'authenticated' ? { sub: '6f1c1b0e-2f4b-4c53-9a53-4b9d3f1c2a10' } : {};
    describe(role, () => {
      it('may insert exposures and conversions', async () => {
        await asRole(api, role, claims, async (c) => {
          await c.query(event(`${role}-1`));
          await c.query(event(`${role}-1`, 'conversion'));
        });
        const { rows } = await admin.query('select event_type from feature_flag_events where user_id = $1 order by id', [`${role}-1`]);
        expect(rows.map((r) => r.event_type)).toEqual(['exposure', 'conversion']);
        // The pre-aggregation trigger ran for this role too (it runs as its owner): the drain folds them in.
        await admin.query('select feature_flag_rollup_drain()');
        const fx = await admin.query('select variant from feature_flag_first_exposures where user_id = $1', [`${role}-1`]);
        expect(fx.rows).toEqual([{ variant: 'control' }]);
      });

      it('may not read events back, nor change or delete them', async () => {
        await expect(asRole(api, role, claims, (c) => c.query('select * from feature_flag_events'))).rejects.toMatchObject(denied);
        await expect(asRole(api, role, claims, (c) => c.query(`${event(`${role}-2`)} returning id`))).rejects.toMatchObject(denied);
        await expect(
          asRole(api, role, claims, (c) => c.query("update feature_flag_events set value = 1 where user_id = 'x'")),
        ).rejects.toMatchObject(denied);
        await expect(asRole(api, role, claims, (c) => c.query('delete from feature_flag_events'))).rejects.toMatchObject(denied);
        await expect(asRole(api, role, claims, (c) => c.query('truncate feature_flag_events'))).rejects.toMatchObject(denied);
      });

      it('may not read flag definitions (they can hold user ids), nor write them', async () => {
        await expect(asRole(api, role, claims, (c) => c.query('select * from feature_flags'))).rejects.toMatchObject(denied);
        await expect(
          asRole(api, role, claims, (c) =>
            c.query(`insert into feature_flags (key, environment, definition, enabled, version) values ('x', 'production', '{}', true, 1)`),
          ),
        ).rejects.toMatchObject(denied);
        await expect(asRole(api, role, claims, (c) => c.query('update feature_flags set enabled = false'))).rejects.toMatchObject(denied);
        await expect(asRole(api, role, claims, (c) => c.query('delete from feature_flags'))).rejects.toMatchObject(denied);
      });

      it('may not read results or the pre-aggregates, nor call the maintenance functions', async () => {
        for (const sql of [
          "select * from get_ab_test_results('pricing-test', 'production')",
          'select * from feature_flag_first_exposures',
          'select * from feature_flag_conversions',
          'select * from feature_flag_events_pending',
          'select * from feature_flag_events_pending_batches',
          'select * from feature_flag_history',
          "select * from feature_flag_delete('pricing-test', 'production', null, 'mallory')",
          'select feature_flag_rollup_rebuild()',
          'select feature_flag_rollup_drain()',
          "select feature_flag_rollup_refresh(array['pricing-test'], array['production'], array['u'])",
          'select feature_flag_rollup_fold(array[1::bigint])',
        ]) {
          await expect(
            asRole(api, role, claims, (c) => c.query(sql)),
            sql,
          ).rejects.toMatchObject(denied);
        }
      });
    });
  }

  it('service_role may do everything', async () => {
    await asRole(api, 'service_role', {}, async (c) => {
      expect((await c.query('select key from feature_flags')).rows).toEqual([{ key: 'pricing-test' }]);
      await c.query("update feature_flags set enabled = false where key = 'pricing-test'");
      await c.query(event('service-1'));
      const { rows } = await c.query("select count(*)::int as n from feature_flag_events where event_type = 'exposure'");
      expect(rows[0].n).toBe(3);
      const results = await c.query("select * from get_ab_test_results('pricing-test', 'production')");
      expect(results.rows).toMatchObject([{ variant: 'control', exposures: '3', conversions: '2', conversion_events: '2', value_sum: 20 }]);
      await c.query("delete from feature_flag_events where user_id = 'service-1'");
      await c.query("delete from feature_flags where key = 'nothing'");
    });
  });

  it('service_role reads the flag history, and cannot rewrite it', async () => {
    await asRole(api, 'service_role', {}, async (c) => {
      await c.query("update feature_flags set enabled = true, updated_by = 'ops' where key = 'pricing-test'");
      const { rows } = await c.query(
        "select action, updated_by from feature_flag_history where key = 'pricing-test' order by id desc limit 1",
      );
      expect(rows).toEqual([{ action: 'update', updated_by: 'ops' }]);
    });
    for (const sql of [
      "update feature_flag_history set updated_by = 'someone else'",
      'delete from feature_flag_history',
      "insert into feature_flag_history (key, environment, action, version) values ('x', 'production', 'create', 1)",
      'truncate feature_flag_history',
    ]) {
      await expect(
        asRole(api, 'service_role', {}, (c) => c.query(sql)),
        sql,
      ).rejects.toMatchObject(denied);
    }
  });
});
