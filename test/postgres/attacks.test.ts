/**
 * Attacks with the browser keys on the real PostgreSQL, as PostgREST runs them (connected as
 * `authenticator`, `set local role anon|authenticated`, JWT claims, one transaction), and the
 * data limits every writer meets. Each test failed on the migrations before the hardening.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRole, authenticator, createSupabaseDatabase, dropDatabase, dropSupabaseRoles, urlFor } from './supabase-db.js';

const DB = `elite_attacks_${process.pid}`;
let admin: pg.Pool;
let api: pg.Pool;

const FLAGS = `insert into feature_flags (key, environment, definition, enabled, version) values
  ('pricing-test', 'production', '{"key":"pricing-test","environment":"production","enabled":true,"allow":["vip-1"],
    "variants":[{"key":"control","weight":50},{"key":"variant-a","weight":50}]}', true, 1),
  ('dark-mode', 'production', '{"key":"dark-mode","environment":"production","enabled":true}', true, 1)`;

/** An insert of one event; `at` is SQL for occurred_at (recent by default, as a browser sends it). */
const insert = (e: {
  type?: 'exposure' | 'conversion';
  flag?: string | null;
  variant?: string | null;
  user?: string;
  name?: string | null;
  value?: string;
  properties?: string;
  at?: string;
  environment?: string;
}) => {
  const type = e.type ?? 'exposure';
  const flag = e.flag === undefined ? (type === 'exposure' ? "'pricing-test'" : 'null') : e.flag;
  const variant = e.variant === undefined ? (type === 'exposure' ? "'control'" : 'null') : e.variant;
  return `insert into feature_flag_events (event_type, flag_key, environment, variant, user_id, event_name, value, properties, occurred_at)
    values ('${type}', ${flag}, ${e.environment ?? "'production'"}, ${variant}, ${e.user ?? "'u-1'"},
            ${e.name === undefined ? (type === 'conversion' ? "'purchase'" : 'null') : e.name}, ${e.value ?? 'null'},
            ${e.properties ?? 'null'}, ${e.at ?? "now() - interval '1 minute'"})`;
};

/** The same insert with an explicit idempotency key. */
const withEventId = (sql: string, eventId: string) =>
  sql.replace('properties, occurred_at)', 'properties, occurred_at, event_id)').replace(/\)\s*$/, `, '${eventId}')`);

/** Runs `fn` as `role` in one transaction that is rolled back (temporary objects included). */
async function rolledBack<T>(role: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await api.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${role}`);
    return await fn(client);
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

const results = async (flag: string) =>
  (await admin.query('select variant, exposures::int, conversions::int, value_sum from get_ab_test_results($1, $2)', [flag, 'production']))
    .rows;

beforeAll(async () => {
  admin = await createSupabaseDatabase(DB);
  api = new pg.Pool({ connectionString: urlFor(DB, authenticator), max: 2 });
  await admin.query(FLAGS);
});
afterAll(async () => {
  await api?.end();
  await admin?.end();
  await dropDatabase(DB);
  await dropSupabaseRoles();
});

describe.each(['anon', 'authenticated'])('as %s', (role) => {
  const claims = role === 'authenticated' ? { sub: '6f1c1b0e-2f4b-4c53-9a53-4b9d3f1c2a10' } : {};
  const as = <T>(fn: (c: pg.PoolClient) => Promise<T>) => asRole(api, role, claims, fn);

  it('a temporary view shadowing a table cannot run its trigger as the owner (pg_temp last in every search path)', async () => {
    const loot = await rolledBack(role, async (c) => {
      await c.query('create temp table loot (definition jsonb)');
      await c.query(`create function pg_temp.steal() returns trigger language plpgsql as $$
        begin insert into pg_temp.loot select definition from public.feature_flags; return null; end $$`);
      // The table the insert trigger writes.
      await c.query("create temp view feature_flag_events_pending_batches as select 1::bigint as batch, '{}'::bigint[] as ids");
      await c.query(`create trigger steal instead of insert on feature_flag_events_pending_batches
        for each row execute function pg_temp.steal()`);
      await c.query(insert({ type: 'conversion', user: `'${role}-temp'` }));
      return (await c.query('select definition from loot')).rows;
    });
    expect(loot).toEqual([]);
  });

  it('cannot move the id sequence (setval), nor choose ids', async () => {
    for (const sql of [
      "select setval('feature_flag_events_id_seq', 9223372036854775000)",
      "select nextval('feature_flag_events_id_seq')",
      `insert into feature_flag_events (id, event_type, environment, user_id, event_name, occurred_at)
         overriding system value values (1000000000, 'conversion', 'production', 'u-x', 'purchase', now())`,
    ]) {
      await expect(
        as((c) => c.query(sql)),
        sql,
      ).rejects.toMatchObject({ code: '42501' });
    }
    // Everyone's inserts keep working.
    await as((c) => c.query(insert({ user: `'${role}-after-setval'` })));
    await admin.query(insert({ user: "'owner-after-setval'" }));
  });

  it('crafted rows are refused: long incompressible text, huge or non-finite values', async () => {
    const noise = "(select string_agg(md5(i::text), '') from generate_series(1, 130) i)"; // 4,160 characters
    for (const sql of [
      insert({ user: noise }),
      insert({ type: 'conversion', name: noise }),
      insert({ type: 'conversion', value: '1e308' }),
      insert({ type: 'conversion', value: "'NaN'" }),
      insert({ type: 'conversion', value: "'Infinity'" }),
      insert({ type: 'conversion', properties: `jsonb_build_object('x', repeat(${noise}, 20))` }),
    ]) {
      await expect(
        as((c) => c.query(sql)),
        sql,
      ).rejects.toMatchObject({ code: '23514' });
    }
    // Results keep working (the raw insert of such rows used to break the pre-aggregates of every flag).
    expect(await results('pricing-test')).toContainEqual(expect.objectContaining({ variant: 'control' }));
  });

  it('may insert only recent events: at most 24 hours old and 5 minutes ahead', async () => {
    for (const at of ["now() - interval '25 hours'", "now() + interval '10 minutes'", "'2026-01-01T00:00:00Z'"]) {
      await expect(
        as((c) => c.query(insert({ type: 'conversion', at }))),
        at,
      ).rejects.toMatchObject({ code: '23514' });
    }
    await as(async (c) => {
      await c.query(insert({ type: 'conversion', user: `'${role}-recent'`, at: "now() - interval '23 hours'" }));
      await c.query(insert({ type: 'conversion', user: `'${role}-recent'`, at: "now() + interval '4 minutes'" }));
    });
  });

  it('may expose users only to an existing flag of that environment and one of its variants', async () => {
    for (const e of [
      { variant: "'ghost'" },
      { flag: "'no-such-flag'" },
      { environment: "'staging'" },
      { flag: "'dark-mode'", variant: "'control'" },
      { flag: null, variant: null },
    ]) {
      await expect(
        as((c) => c.query(insert(e))),
        JSON.stringify(e),
      ).rejects.toMatchObject({ code: '23514' });
    }
    await as(async (c) => {
      await c.query(insert({ user: `'${role}-real'`, variant: "'variant-a'" }));
      await c.query(insert({ user: `'${role}-real'`, flag: "'dark-mode'", variant: "'on'" }));
    });
    // An earlier exposure to a made-up variant would have moved this user out of variant-a.
    await expect(
      as((c) => c.query(insert({ user: `'${role}-real'`, variant: "'ghost'", at: "now() - interval '2 hours'" }))),
    ).rejects.toMatchObject({ code: '23514' });
    const { rows } = await admin.query(
      "select * from get_ab_test_results('pricing-test', 'production') where variant not in ('control', 'variant-a')",
    );
    expect(rows).toEqual([]);
  });

  it('may insert at most 1,000 rows per statement', async () => {
    const many = (n: number, user: string) =>
      `insert into feature_flag_events (event_type, environment, user_id, event_name, value, occurred_at)
       select 'conversion', 'production', '${user}-' || i, 'purchase', 1, now() from generate_series(1, ${n}) i`;
    await expect(as((c) => c.query(many(1001, role)))).rejects.toMatchObject({ code: '23514' });
    await as((c) => c.query(many(1000, role)));
    await asRole(api, 'service_role', {}, (c) => c.query(many(1001, `${role}-service`)));
    const { rows } = await admin.query('select count(*)::int as n from feature_flag_events where user_id like $1', [`${role}-%`]);
    expect(rows[0].n).toBeGreaterThanOrEqual(2001);
  });

  it.each([
    ['a plain insert (the retry refused with 23505)', ''],
    ['on conflict (event_id) do nothing (supabase-js upsert)', ' on conflict (event_id) do nothing'],
  ])('a retried event (same event_id) is stored once and counted once: %s', async (how, suffix) => {
    const user = `${role}-retry-${suffix ? 'upsert' : 'plain'}`;
    const id = `0b6c1c33-5e4a-4d49-9a43-${(role === 'anon' ? 1 : 2) * 10 + (suffix ? 1 : 0)}`.padEnd(36, '0');
    const conversionId = id.replace(/^0/, '1');
    for (let i = 0; i < 2; i++) {
      const retry = as(async (c) => {
        await c.query(withEventId(insert({ user: `'${user}'` }), id) + suffix);
        await c.query(withEventId(insert({ type: 'conversion', user: `'${user}'`, value: '7' }), conversionId) + suffix);
      });
      // The unique key refuses a plain insert of a stored event (the whole statement) before any
      // trigger sees it; `on conflict do nothing` skips it.
      if (i === 1 && !suffix) await expect(retry).rejects.toMatchObject({ code: '23505', constraint: 'feature_flag_events_event_id_key' });
      else await retry;
    }
    const { rows } = await admin.query('select count(*)::int as n from feature_flag_events where user_id = $1', [user]);
    expect(rows[0].n, how).toBe(2);
    // The pre-aggregation trigger saw only the rows really inserted.
    const pending = await admin.query(
      'select count(*)::int as n from (select id from feature_flag_events_pending union all select unnest(ids) from feature_flag_events_pending_batches) p join feature_flag_events e using (id) where e.user_id = $1',
      [user],
    );
    expect(pending.rows[0].n).toBe(2);
    await admin.query('select feature_flag_rollup_drain()');
    const fx = await admin.query('select conversion_events::int, value_sum from feature_flag_first_exposures where user_id = $1', [user]);
    expect(fx.rows).toEqual([{ conversion_events: 1, value_sum: 7 }]);
  });

  it('sees no event_id but that of its own last insert on the connection', async () => {
    await admin.query(insert({ type: 'conversion', user: "'someone-else'" }));
    const seen = await as(async (c) => {
      const before = (await c.query('select event_id from feature_flag_events')).rows;
      await c.query(insert({ type: 'conversion', user: `'${role}-own'` }));
      const after = (await c.query('select event_id from feature_flag_events')).rows;
      return { before, after };
    });
    expect(seen.before.length).toBeLessThanOrEqual(1);
    expect(seen.after).toHaveLength(1);
    const own = await admin.query('select event_id from feature_flag_events where user_id = $1', [`${role}-own`]);
    expect(seen.after).toEqual(own.rows);
  });
});

describe('limits every writer meets (CHECK constraints, src/internal/limits.ts)', () => {
  const refused = [
    insert({ user: "''" }),
    insert({ user: "repeat('u', 257)" }),
    insert({ type: 'conversion', name: "repeat('n', 201)" }),
    insert({ flag: "'Pricing Test'" }),
    insert({ flag: "repeat('f', 129)" }),
    insert({ variant: "repeat('v', 129)" }),
    insert({ environment: "'Production'" }),
    insert({ type: 'conversion', value: '1000000000001' }),
    insert({ type: 'conversion', value: "'-Infinity'" }),
    insert({ type: 'conversion', at: "'1999-12-31T23:59:59Z'" }),
    insert({ type: 'conversion', at: "'2100-01-01T00:00:00Z'" }),
    insert({ type: 'conversion', properties: "jsonb_build_object('a', array_fill(0, array[20000]))" }),
  ];
  it.each(refused)('refuses %s', async (sql) => {
    await expect(admin.query(sql)).rejects.toMatchObject({ code: '23514' });
  });

  it('accepts everything at the limits (what the SDK accepts is stored)', async () => {
    await admin.query(insert({ user: "repeat('é', 256)", flag: `repeat('f', 128)`, variant: "repeat('v', 128)" }));
    await admin.query(
      insert({
        type: 'conversion',
        user: "repeat('é', 256)",
        name: "repeat('n', 200)",
        value: '-1e12',
        at: "'2000-01-01T00:00:00Z'",
        // 8,192 characters of JSON.stringify output at their largest as jsonb: an array of zeros.
        properties: `('{"a":[' || repeat('0,', 4090) || '0]}')::jsonb`,
      }),
    );
  });

  it('the server roles retry with on conflict (event_id) do nothing: one row, counted once', async () => {
    const id = '0b6c1c33-5e4a-4d49-9a43-6a1a1f9d0100';
    for (let i = 0; i < 2; i++) {
      await admin.query(`${withEventId(insert({ user: "'owner-retry'" }), id)} on conflict (event_id) do nothing`);
      const conversion = insert({ type: 'conversion', user: "'owner-retry'", value: '5' });
      await asRole(api, 'service_role', {}, (c) =>
        c.query(`${withEventId(conversion, id.replace(/.$/, '1'))} on conflict (event_id) do nothing`),
      );
    }
    const { rows } = await admin.query("select count(*)::int as n from feature_flag_events where user_id = 'owner-retry'");
    expect(rows[0].n).toBe(2);
    await admin.query('select feature_flag_rollup_drain()');
    const fx = await admin.query(
      "select conversion_events::int, value_sum from feature_flag_first_exposures where user_id = 'owner-retry'",
    );
    expect(fx.rows).toEqual([{ conversion_events: 1, value_sum: 5 }]);
  });

  it("one flag's bad data never stops another flag's results (the drain folds around it)", async () => {
    const client = await admin.connect();
    try {
      await client.query('begin');
      // Data from before the constraints (a restore, a load that bypassed them): two values whose sum overflows.
      await client.query('alter table feature_flag_events drop constraint if exists feature_flag_events_value_check');
      await client.query(insert({ user: "'poisoned'", at: "'2026-06-01T00:00:00Z'" }));
      await client.query(`${insert({ type: 'conversion', user: "'poisoned'", value: '1e308', at: "'2026-06-01T00:01:00Z'" })},
        ('conversion', null, 'production', null, 'poisoned', 'purchase', 1e308, null, '2026-06-01T00:02:00Z')`);
      await client.query(insert({ flag: "'dark-mode'", variant: "'on'", user: "'healthy'", at: "'2026-06-01T00:00:00Z'" }));
      const { rows } = await client.query("select variant, exposures::int from get_ab_test_results('dark-mode', 'production')");
      expect(rows).toEqual([{ variant: 'on', exposures: expect.any(Number) }]);
      const healthy = await client.query("select variant from feature_flag_first_exposures where user_id = 'healthy'");
      expect(healthy.rows).toEqual([{ variant: 'on' }]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
