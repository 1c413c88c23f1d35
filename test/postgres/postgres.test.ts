import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import { describeStorageAdapter } from '../../src/adapters/storage.case.js';
import type { FlagEvent, StorageAdapter } from '../../src/adapters/types.js';
import type { MetricDefinition } from '../../src/experiments/metric-stats.js';
import { createFlags } from '../../src/flags/create-flags.js';
import { createOverrideReader, signOverrides } from '../../src/flags/overrides.js';
import type { FlagDefinition } from '../../src/flags/types.js';
import { MIGRATIONS } from '../../src/sql/migrations.js';
import { seededExperimentEvents, seededRandom, VARIANTS } from './seeded-events.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');

const pool = new pg.Pool({ connectionString: url, max: 4 });
const clean = async () => {
  await pool.query('truncate feature_flags, feature_flag_events, feature_flag_history');
};

beforeAll(async () => {
  await pool.query(
    'drop table if exists feature_flags, feature_flag_events, feature_flag_first_exposures, feature_flag_conversions, feature_flag_events_pending, feature_flag_events_pending_batches, feature_flag_exposure_timelines, feature_flag_conversion_timelines, elite_migrations cascade',
  );
  await migrate(pool);
});
afterAll(async () => {
  await pool.end();
});

/** Runs `check` with a pool of a new, empty database of this server (`<name>_<pid>`), dropped after. */
const inNewDatabase = async (name: string, check: (db: pg.Pool) => Promise<void>): Promise<void> => {
  const db = `${name}_${process.pid}`;
  await pool.query(`drop database if exists ${db}`);
  await pool.query(`create database ${db}`);
  const other = new pg.Pool({ connectionString: url.replace(/\/[^/]*$/, `/${db}`), max: 2 });
  try {
    await check(other);
  } finally {
    await other.end();
    await pool.query(`drop database ${db}`);
  }
};

describeStorageAdapter('postgres', async () => {
  await clean();
  return { storage: createPostgresStorage({ pool }) };
});

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34 },
    { key: 'variant-a', weight: 33 },
    { key: 'variant-b', weight: 33 },
  ],
};

describe('migrate', () => {
  it('is ordered and idempotent: applying it again is a no-op', async () => {
    expect(await migrate(pool)).toEqual({ applied: [] });
    const { rows } = await pool.query('select name from elite_migrations order by name');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('applies cleanly to an empty database, twice in parallel without racing', async () => {
    await inNewDatabase('elite_migrate', async (other) => {
      const [a, b] = await Promise.all([migrate(other), migrate(other)]);
      expect([...a.applied, ...b.applied]).toEqual(MIGRATIONS.map((m) => m.name));
    });
  });
});

/** Sessions of this database other than `exclude`: their state and held advisory locks. */
const sessions = async (exclude: number[] = []) => {
  const { rows } = await pool.query<{ pid: number; state: string; query: string }>(
    `select pid, state, query from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and not (pid = any($1))`,
    [exclude],
  );
  const locks = await pool.query("select count(*)::int as n from pg_locks where locktype = 'advisory'");
  return { idleInTransaction: rows.filter((r) => r.state.startsWith('idle in transaction')), advisoryLocks: locks.rows[0].n as number };
};

describe('migrate on a busy database', () => {
  it('a saturated pool: fails fast with MIGRATION_LOCKED instead of queueing, leaving nothing behind', async () => {
    const small = new pg.Pool({ connectionString: url, max: 2 });
    // The app's traffic holds every connection of the pool.
    const busy = [small.query('select pg_sleep(20)'), small.query('select pg_sleep(20)')].map((q) => q.catch(() => undefined));
    await vi.waitFor(async () => {
      const { rows } = await pool.query("select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(20)'");
      expect(rows[0].n).toBe(2);
    });
    const started = Date.now();
    try {
      const error = await migrate(small, { lockTimeoutMs: 1_000 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toMatchObject({ code: 'MIGRATION_LOCKED', name: 'EliteError' });
      expect((error as Error).message).toMatch(/could not get a free connection from the pool within 1000 ms.*raise lockTimeoutMs/);
    } finally {
      await pool.query("select pg_cancel_backend(pid) from pg_stat_activity where query = 'select pg_sleep(20)'");
      await Promise.allSettled(busy);
    }
    // Once a connection is free it completes, on that one connection.
    expect(await migrate(small, { lockTimeoutMs: 1_000 })).toEqual({ applied: [] });
    await small.end();
    expect(await sessions()).toMatchObject({ idleInTransaction: [], advisoryLocks: 0 });
  });

  it('another session holding a conflicting lock: fails fast (or completes), never hangs, holds nothing after', async () => {
    // Migrations to apply again (they are idempotent): their DDL needs locks on feature_flags.
    await pool.query('delete from elite_migrations');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table feature_flags, feature_flag_events in access share mode'); // a long report query
    const holderPid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const app = new pg.Pool({ connectionString: url, max: 3 });
    try {
      const started = Date.now();
      const result = await migrate(app, { lockTimeoutMs: 800 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result).toMatchObject({ code: 'MIGRATION_LOCKED', name: 'EliteError' });
      expect((result as Error).message).toMatch(/table locks of migration \d{14}_\w+ within 800 ms; nothing was applied/);
      // Readers of the table were never queued behind a waiting ALTER for long.
      expect((await app.query('select count(*)::int as n from feature_flags')).rows[0].n).toBeGreaterThanOrEqual(0);
      expect(await sessions([holderPid])).toMatchObject({ idleInTransaction: [], advisoryLocks: 0 });
      expect((await pool.query('select count(*)::int as n from elite_migrations')).rows[0].n).toBe(0);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    expect((await migrate(app)).applied).toEqual(MIGRATIONS.map((m) => m.name));
    await app.end();
    expect(await sessions()).toMatchObject({ idleInTransaction: [], advisoryLocks: 0 });
  });

  it('two processes migrating an empty database at once both succeed, one applying', async () => {
    const db = `elite_migrate_procs_${process.pid}`;
    await pool.query(`drop database if exists ${db}`);
    await pool.query(`create database ${db}`);
    const dir = mkdtempSync(join(tmpdir(), 'elite-migrate-'));
    // The real migrate() bundled for plain node (the .sql migrations inlined as text).
    buildSync({
      entryPoints: [new URL('../../src/adapters/postgres-migrate.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      loader: { '.sql': 'text' },
      outfile: join(dir, 'migrate.mjs'),
    });
    const pgEntry = new URL('../../node_modules/pg/lib/index.js', import.meta.url).pathname;
    writeFileSync(
      join(dir, 'run.mjs'),
      `import pg from ${JSON.stringify(pgEntry)};
       import { migrate } from './migrate.mjs';
       const pool = new pg.Pool({ connectionString: process.argv[2], max: 2 });
       const result = await migrate(pool, { lockTimeoutMs: 20000 });
       await pool.end();
       process.stdout.write(JSON.stringify(result));`,
    );
    try {
      const run = () =>
        promisify(execFile)(process.execPath, [join(dir, 'run.mjs'), url.replace(/\/[^/]*$/, `/${db}`)], { timeout: 50_000 });
      const [a, b] = await Promise.all([run(), run()]);
      const results = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { applied: string[] }[];
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, MIGRATIONS.length]);
      const other = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, `/${db}`) });
      await other.connect();
      expect((await other.query('select name from elite_migrations order by name')).rows.map((r) => r.name)).toEqual(
        MIGRATIONS.map((m) => m.name),
      );
      await other.end();
    } finally {
      await pool.query(`drop database if exists ${db} with (force)`);
    }
  });

  it('a pg.Client is used as is, and left with no transaction, lock or setting of the migration', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const before = (await client.query('show lock_timeout')).rows[0].lock_timeout;
      expect(await migrate(client, { lockTimeoutMs: 1_234 })).toEqual({ applied: [] });
      expect((await client.query('show lock_timeout')).rows[0].lock_timeout).toBe(before);
      expect(
        (await client.query('select count(*)::int as n from pg_locks where locktype = $1 and pid = pg_backend_pid()', ['advisory'])).rows[0]
          .n,
      ).toBe(0);
      // Not in a transaction: a rollback warns instead of ending one.
      expect((await client.query('select now() = statement_timestamp() as fresh')).rows[0].fresh).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('rejects bad options at once', async () => {
    await expect(migrate(pool, { lockTimeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', field: 'lockTimeoutMs' });
  });
});

describe('createPostgresStorage', () => {
  it('a batch the database refuses for its content is INVALID_EVENT, nothing of it stored; an unreachable one STORAGE_ERROR without its password', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    // Stands for any CHECK the migrations add: the adapter must classify the database's refusal.
    await pool.query("alter table feature_flag_events add constraint elite_test_refused check (user_id <> 'refused-by-the-database')");
    const event: FlagEvent = {
      type: 'exposure',
      environment: 'production',
      flagKey: 'f',
      variant: 'a',
      userId: 'u1',
      occurredAt: '2026-01-01T00:00:00Z',
    };
    try {
      const refused = storage.appendEvents([event, { ...event, userId: 'refused-by-the-database' }]);
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_EVENT', name: 'EliteError', cause: { code: '23514' } });
      expect((await pool.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(0);
    } finally {
      await pool.query('alter table feature_flag_events drop constraint elite_test_refused');
    }
    const down = new URL(url);
    down.port = '9';
    down.password = 'hunter2-pg-secret';
    const unreachable = new pg.Pool({ connectionString: down.toString(), connectionTimeoutMillis: 2_000 });
    const error = await createPostgresStorage({ pool: unreachable })
      .appendEvents([event])
      .catch((e: unknown) => e);
    await unreachable.end();
    expect(error).toMatchObject({ code: 'STORAGE_ERROR', name: 'EliteError' });
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain('hunter2-pg-secret');
  });

  it('writeFlags writes in one transaction: a flag the database refuses leaves none written', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    await storage.writeFlag({ ...experiment, key: 'kept' });
    await pool.query("alter table feature_flags add constraint elite_test_refused check (key <> 'refused-by-the-database')");
    try {
      const batch = [{ ...experiment, key: 'kept', enabled: false }, experiment, { ...experiment, key: 'refused-by-the-database' }];
      await expect(storage.writeFlags?.(batch)).rejects.toMatchObject({ code: '23514' });
      expect(await storage.getFlag('pricing-test', 'production')).toBeUndefined();
      expect(await storage.getFlag('kept', 'production')).toMatchObject({ version: 1, enabled: true });
    } finally {
      await pool.query('alter table feature_flags drop constraint elite_test_refused');
    }
    expect(await sessions()).toMatchObject({ idleInTransaction: [] });
  });

  it('two concurrent writes cannot close a prerequisite cycle or overlap layer ranges between them', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const flag = (key: string, more: Partial<FlagDefinition>): FlagDefinition => ({
      key,
      environment: 'production',
      enabled: true,
      rollout: 50,
      ...more,
    });
    for (let round = 0; round < 12; round++) {
      // Each write alone is valid; together they would close a → b → a, or put two experiments on 40–50.
      const writes = [
        storage.writeFlag(flag(`a${round}`, { prerequisites: [{ flag: `b${round}` }] })),
        storage.writeFlag(flag(`b${round}`, { prerequisites: [{ flag: `a${round}` }] })),
        storage.writeFlag(flag(`left${round}`, { layer: { key: `layer${round}`, from: 0, to: 50 } })),
        storage.writeFlag(flag(`right${round}`, { layer: { key: `layer${round}`, from: 40, to: 100 } })),
      ];
      const outcomes = await Promise.allSettled(writes);
      const refused = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'written'));
      expect(refused.slice(0, 2).sort()).toEqual(['INVALID_FLAG', 'written']);
      expect(refused.slice(2).sort()).toEqual(['INVALID_FLAG', 'written']);
    }
    expect(await sessions()).toMatchObject({ idleInTransaction: [] });
  });

  it('rejects a missing pool at once', () => {
    expect(() => createPostgresStorage({} as never)).toThrow(/pool must be a pg.Pool/);
  });

  it('stores keys, event names and properties carrying SQL verbatim', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const sneaky = "x'; drop table feature_flags; --";
    await storage.writeFlag({ ...experiment, description: sneaky, segments: { evil: { name: sneaky } } });
    expect((await storage.getFlag('pricing-test', 'production'))?.description).toBe(sneaky);
    await storage.appendEvents([
      {
        type: 'conversion',
        environment: 'production',
        userId: sneaky,
        eventName: sneaky,
        properties: { [sneaky]: sneaky },
        occurredAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    const { rows } = await pool.query('select user_id, event_name, properties from feature_flag_events');
    expect(rows).toEqual([{ user_id: sneaky, event_name: sneaky, properties: { [sneaky]: sneaky } }]);
    expect(await storage.getFlag(sneaky, sneaky)).toBeUndefined();
  });

  /** A pg.Client whose statements are named as they are sent: a COPY, an insert, or an insert skipping stored ids. */
  async function namingClient(statements: string[], connectionString = url): Promise<pg.Client> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      statements.push(statementName(args[0]));
      return query(...args);
    }) as never;
    return client;
  }
  const statementName = (statement: unknown): string =>
    typeof statement === 'object' && statement !== null && 'submit' in statement
      ? 'copy'
      : String(statement).includes('on conflict (event_id) do nothing')
        ? 'skipping stored ids'
        : 'insert';
  /** Any other `query()`: it cannot run a COPY. */
  const namingQueryable = (statements: string[]) => ({
    query: (text: string, values?: unknown[]) => {
      statements.push(statementName(text));
      return pool.query(text, values);
    },
  });
  /**
   * Runs `check` twice, the events table emptied each time: with a pg.Client (batches go by COPY)
   * and with another `query()` (by INSERT); `statements` names what each sent, `first` the write.
   */
  async function eachWriteWay(check: (db: never, first: 'copy' | 'insert', statements: string[]) => Promise<void>) {
    const statements: string[] = [];
    const client = await namingClient(statements);
    try {
      for (const [db, first] of [
        [client, 'copy'],
        [namingQueryable(statements), 'insert'],
      ] as const) {
        await clean();
        statements.length = 0;
        await check(db as never, first, statements);
      }
    } finally {
      await client.end();
    }
  }

  it('writes an event batch with one statement: a COPY through node-postgres, an INSERT through any other query()', async () => {
    const batch: FlagEvent[] = Array.from({ length: 500 }, (_, i) => ({
      type: i % 5 === 0 ? 'conversion' : 'exposure',
      environment: 'production',
      ...(i % 5 === 0
        ? { eventName: 'purchase', value: i, properties: { n: i, tags: ['a'] } }
        : { flagKey: 'pricing-test', variant: 'control' }),
      userId: `u${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
    }));
    await eachWriteWay(async (db, first, statements) => {
      await createPostgresStorage({ pool: db }).appendEvents(batch);
      expect(statements).toEqual([first]);
      const { rows } = await pool.query('select count(*)::int as n, sum(value) as v from feature_flag_events');
      expect(rows[0]).toEqual({ n: 500, v: batch.reduce((s, e) => s + (e.value ?? 0), 0) });
      const { rows: props } = await pool.query("select properties from feature_flag_events where user_id = 'u5'");
      expect(props[0].properties).toEqual({ n: 5, tags: ['a'] });
    });
  });

  it('a COPY stores its rows a page at a time (no BEFORE row trigger on the events), read back from the WAL', async () => {
    // PostgreSQL batches a COPY's rows (heap multi-insert) only into tables without BEFORE or
    // INSTEAD OF row triggers, whatever their WHEN clause; the browser keys' row checks fire after
    // the insert. Counted in the WAL records of the events table (pg_walinspect, in a database of
    // its own), one 300-event batch.
    await inNewDatabase('elite_copy_pages', async (other) => {
      await migrate(other);
      await other.query('create extension pg_walinspect');
      const { rows: rel } = await other.query(
        "select pg_relation_filenode('feature_flag_events')::text as node, (select oid::text from pg_database where datname = current_database()) as db",
      );
      const batch: FlagEvent[] = Array.from({ length: 300 }, (_, i) => ({
        type: 'exposure',
        environment: 'production',
        flagKey: 'pricing-test',
        variant: 'control',
        userId: `u${i}`,
        occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
      }));
      const before = (await other.query('select pg_current_wal_insert_lsn()::text as lsn')).rows[0].lsn;
      await createPostgresStorage({ pool: other }).appendEvents(batch);
      const after = (await other.query('select pg_current_wal_insert_lsn()::text as lsn')).rows[0].lsn;
      const { rows } = await other.query(
        `select record_type, count(*)::int as n from pg_get_wal_records_info($1, $2)
         where resource_manager in ('Heap', 'Heap2') and block_ref like $3 group by record_type`,
        [before, after, `%rel %/${rel[0].db}/${rel[0].node} fork main%`],
      );
      const count = (type: string) => rows.filter((r) => r.record_type.startsWith(type)).reduce((sum, r) => sum + r.n, 0);
      expect(count('MULTI_INSERT'), JSON.stringify(rows)).toBeGreaterThan(0);
      expect(count('MULTI_INSERT')).toBeLessThan(30);
      expect(count('INSERT'), JSON.stringify(rows)).toBe(0);
      expect((await other.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(300);
    });
  });

  it('copies every character of every column as it is: tabs, line breaks, backslashes, \\N and \\. included', async () => {
    await clean();
    const odd = [
      'a\tb',
      'line\nbreak',
      'cr\rlf\r\n',
      'back\\slash',
      '\\N',
      '\\.',
      '\\',
      'tail\\',
      '"quoted" \'single\'',
      '🙂 ünïcødé',
      ' ',
    ];
    const events: FlagEvent[] = odd.map((text, i) => ({
      type: 'conversion',
      environment: 'production',
      userId: text,
      eventName: text,
      value: i,
      properties: { [text]: text, nested: [text, { text }] },
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    }));
    events.push({ type: 'conversion', environment: 'production', userId: 'no-name', occurredAt: '2026-01-01T00:01:00.000Z' });
    await createPostgresStorage({ pool }).appendEvents(events);
    const { rows } = await pool.query('select user_id, event_name, value, properties from feature_flag_events order by occurred_at, value');
    expect(rows).toEqual([
      ...odd.map((text, i) => ({ user_id: text, event_name: text, value: i, properties: { [text]: text, nested: [text, { text }] } })),
      { user_id: 'no-name', event_name: null, value: null, properties: null },
    ]);
  });

  it('a role that row-level security applies to (COPY refused, 0A000) gets the INSERT, and from then on only the INSERT', async () => {
    const role = `elite_rls_writer_${process.pid}`;
    await clean();
    await pool.query(`drop role if exists ${role}`);
    await pool.query(`create role ${role} login password 'rls-writer'`);
    const statements: string[] = [];
    let client: pg.Client | undefined;
    try {
      await pool.query(
        `grant insert (event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at), select on feature_flag_events to ${role}`,
      );
      await pool.query(`create policy ${role}_insert on feature_flag_events for insert to ${role} with check (true)`);
      client = await namingClient(statements, url.replace(/\/\/[^@/]*@/, `//${role}:rls-writer@`));
      const storage = createPostgresStorage({ pool: client });
      const batch = (from: number): FlagEvent[] =>
        Array.from({ length: 50 }, (_, i) => ({
          type: 'conversion',
          environment: 'production',
          userId: `rls-${from + i}`,
          eventName: 'purchase',
          value: 1,
          occurredAt: '2026-01-01T00:00:00.000Z',
        }));
      await storage.appendEvents(batch(0));
      expect(statements).toEqual(['copy', 'insert']);
      await storage.appendEvents(batch(50));
      expect(statements).toEqual(['copy', 'insert', 'insert']);
      const { rows } = await pool.query("select count(*)::int as n from feature_flag_events where user_id like 'rls-%'");
      expect(rows[0].n).toBe(100);
    } finally {
      await client?.end();
      await pool.query(`drop policy if exists ${role}_insert on feature_flag_events`);
      await pool.query(`drop owned by ${role}`);
      await pool.query(`drop role ${role}`);
    }
  });

  it('a closed client is STORAGE_ERROR, and a pool keeps its connections after refused batches', async () => {
    await clean();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.end();
    const event: FlagEvent = { type: 'conversion', environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00.000Z' };
    await expect(createPostgresStorage({ pool: client as never }).appendEvents([event])).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    const small = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const storage = createPostgresStorage({ pool: small });
      const refused = { ...event, flagKey: 'Not A Key', variant: 'a', type: 'exposure' as const };
      for (let i = 0; i < 3; i++) await expect(storage.appendEvents([event, refused])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      await storage.appendEvents([event]);
      expect({ total: small.totalCount, idle: small.idleCount }).toEqual({ total: 1, idle: 1 });
      expect((await pool.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(1);
    } finally {
      await small.end();
    }
  });

  it("a COPY held up past the pool's query_timeout is STORAGE_ERROR, its connection closed; one in time leaves no timer", async () => {
    await clean();
    const event: FlagEvent = { type: 'conversion', environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00.000Z' };
    // No idle timeout: the pool sets no timer of its own when the client comes back.
    const timed = new pg.Pool({ connectionString: url, max: 1, query_timeout: 500, idleTimeoutMillis: 0 });
    const locker = await pool.connect();
    try {
      const storage = createPostgresStorage({ pool: timed });
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const idleTimers = timers();
      await storage.appendEvents([event]);
      // The timeout's timer is stopped when the COPY ends (else it would fire on a finished COPY);
      // timers of earlier tests may end meanwhile, none starts.
      expect(timers()).toBeLessThanOrEqual(idleTimers);
      await locker.query('begin');
      await locker.query('lock table feature_flag_events in access exclusive mode');
      const started = performance.now();
      await expect(storage.appendEvents([event])).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(timed.totalCount).toBe(0); // closed, not given back mid-COPY
      await locker.query('rollback');
      await storage.appendEvents([event]);
      expect((await pool.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(2);
    } finally {
      await locker.query('rollback').catch(() => {});
      locker.release();
      await timed.end();
    }
  });

  it('stores a batch sent again once: one COPY (or plain insert), then one insert skipping the stored ids', async () => {
    const event = (i: number): FlagEvent => ({
      id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      type: 'conversion',
      environment: 'production',
      eventName: 'purchase',
      value: i,
      userId: `retry-${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    });
    await eachWriteWay(async (db, first, statements) => {
      const storage = createPostgresStorage({ pool: db });
      const batch = [event(1), event(2), event(3)];
      await storage.appendEvents(batch);
      expect(statements).toEqual([first]);
      // A retry of a committed write, with one event that was not in it, and one id twice.
      await storage.appendEvents([...batch, event(4), event(4)]);
      expect(statements).toEqual([first, first, 'skipping stored ids']);
      const { rows } = await pool.query('select user_id, value from feature_flag_events order by value');
      expect(rows).toEqual([1, 2, 3, 4].map((i) => ({ user_id: `retry-${i}`, value: i })));
      // A batch refused for its content is still INVALID_EVENT, after a duplicate id or not.
      const bad = { ...event(5), value: 1e13 };
      await expect(storage.appendEvents([event(1), bad])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      await expect(storage.appendEvents([bad])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      const refused = { ...event(6), flagKey: 'Not A Key', variant: 'a', type: 'exposure' as const };
      await expect(storage.appendEvents([event(1), refused])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      await expect(storage.appendEvents([refused])).rejects.toMatchObject({ code: 'INVALID_EVENT', cause: { code: '23514' } });
    });
  });

  it('returns the same results as the memory store on the same events', async () => {
    await clean();
    const postgres = createPostgresStorage({ pool });
    const memory = createMemoryStorage();
    // Seeded pseudo-random events: exposures to several variants, re-exposures, conversions
    // before and after exposure, other event names, values.
    const variants = VARIANTS;
    const events = seededExperimentEvents({ count: 3000, users: 600, exposureShare: 0.6, seed: 42 });
    await postgres.appendEvents(events);
    await memory.appendEvents(events);
    const byVariant = (rows: Awaited<ReturnType<StorageAdapter['queryResults']>>) => Object.fromEntries(rows.map((r) => [r.variant, r]));
    expect((await postgres.queryResults({ flagKey: 'pricing-test', environment: 'production' })).map((r) => r.variant).sort()).toEqual(
      variants,
    );
    for (const query of [
      {},
      { eventName: 'purchase' },
      { since: '2026-01-01T06:00:00.000Z', until: '2026-01-01T18:00:00.000Z' },
      { eventName: 'signup', since: '2026-01-01T12:00:00.000Z' },
      // Most users first exposed after the start: pre-aggregates for them, raw events for the rest.
      { since: '2026-01-01T02:00:00.000Z' },
      { eventName: 'purchase', since: '2026-01-01T02:00:00.000Z' },
      // Before the first exposure: all time.
      { eventName: 'signup', since: '2025-12-31T00:00:00.000Z' },
    ]) {
      const q = { flagKey: 'pricing-test', environment: 'production', ...query };
      expect(byVariant(await postgres.queryResults(q))).toEqual(byVariant(await memory.queryResults(q)));
    }
  });
});

describe('request overrides', () => {
  it('a signed cookie forces a variant with reason OVERRIDE; the database stores no exposure for it', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    await storage.writeFlag(experiment);
    const flags = createFlags({ storage, environment: 'production' });
    const secret = 'test-only-overrides-secret-of-32-characters';
    const cookie = await signOverrides({ 'pricing-test': 'variant-b' }, secret);
    const overrides = await createOverrideReader({ secret }).read(
      new Request('http://127.0.0.1/', { headers: { cookie: `elite-overrides=${cookie}` } }),
    );
    const qa = flags.withOverrides(overrides);
    for (let i = 0; i < 10; i++) expect(await qa.getVariant('pricing-test', `qa-${i}`)).toBe('variant-b');
    expect(await qa.evaluate('pricing-test', 'qa-0')).toMatchObject({ variant: 'variant-b', reason: 'OVERRIDE' });
    const served = await flags.getVariant('pricing-test', 'user-1');
    await flags.flush();
    const { rows } = await pool.query("select user_id, variant from feature_flag_events where event_type = 'exposure'");
    expect(rows).toEqual([{ user_id: 'user-1', variant: served }]);
    await flags.close();
  });
});

describe('push invalidation (LISTEN)', () => {
  const listenClient = () => new pg.Client({ connectionString: url });

  it('a change made through one instance reaches a client of another within 1 s', async () => {
    await clean();
    const writerPool = new pg.Pool({ connectionString: url, max: 2 });
    const readerPool = new pg.Pool({ connectionString: url, max: 2 });
    const writer = createPostgresStorage({ pool: writerPool });
    const reader = createPostgresStorage({ pool: readerPool, listenClient });
    try {
      await writer.writeFlag(experiment);
      const client = createFlags({ storage: reader, cacheTtlMs: 600_000 });
      await client.refresh();
      expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('SPLIT');
      await new Promise((r) => setTimeout(r, 200)); // the LISTEN connection is up
      await writer.writeFlag({ ...experiment, enabled: false });
      await vi.waitFor(() => expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('DISABLED'), { timeout: 1000, interval: 20 });
      await client.close();
    } finally {
      await reader.close?.();
      await writerPool.end();
      await readerPool.end();
    }
  });

  it('reconnects after the listening connection is killed and resyncs everything', async () => {
    await clean();
    const storage = createPostgresStorage({ pool, listenClient, reconnectDelayMs: 50 });
    const seen: string[] = [];
    const off = storage.subscribe?.('production', (key) => seen.push(key));
    await new Promise((r) => setTimeout(r, 200));
    await pool.query("select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen elite_flags'");
    await vi.waitFor(() => expect(seen).toContain('*'), { timeout: 3000, interval: 20 });
    await storage.writeFlag(experiment);
    await vi.waitFor(() => expect(seen).toContain('pricing-test'), { timeout: 2000, interval: 20 });
    off?.();
    await storage.close?.();
  });
});

describe('results pre-aggregation (feature_flag_first_exposures, feature_flag_conversions)', () => {
  const q = { flagKey: 'pricing-test', environment: 'production' };
  const byVariant = (rows: Awaited<ReturnType<StorageAdapter['queryResults']>>) => Object.fromEntries(rows.map((r) => [r.variant, r]));
  function randomEvents(count: number, users: number, seed0: number): FlagEvent[] {
    const rand = seededRandom(seed0);
    return Array.from({ length: count }, (): FlagEvent => {
      const userId = `u${Math.floor(rand() * users)}`;
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 3_600_000)).toISOString();
      return rand() < 0.5
        ? {
            type: 'exposure',
            environment: 'production',
            flagKey: rand() < 0.8 ? 'pricing-test' : 'other',
            variant: rand() < 0.5 ? 'control' : 'variant-a',
            userId,
            occurredAt,
          }
        : {
            type: 'conversion',
            environment: 'production',
            userId,
            eventName: rand() < 0.5 ? 'purchase' : undefined,
            value: Math.floor(rand() * 10),
            occurredAt,
          };
    });
  }
  const expectParity = async (storage: StorageAdapter, events: FlagEvent[]) => {
    const memory = createMemoryStorage();
    await memory.appendEvents(events);
    for (const extra of [{}, { eventName: 'purchase' }]) {
      const expected = await memory.queryResults({ ...q, ...extra });
      expect(expected.length).toBe(2);
      expect(byVariant(await storage.queryResults({ ...q, ...extra }))).toEqual(byVariant(expected));
      // The raw path (a window with an end, covering everything) agrees too.
      expect(
        byVariant(await storage.queryResults({ ...q, ...extra, since: '2000-01-01T00:00:00.000Z', until: '2100-01-01T00:00:00.000Z' })),
      ).toEqual(byVariant(expected));
      // A window inside the hour, read from the timelines: the users first exposed in it and what they did before its end.
      const mid = { ...q, ...extra, since: '2026-01-01T00:20:00.000Z', until: '2026-01-01T00:45:00.000Z' };
      expect(byVariant(await storage.queryResults(mid))).toEqual(byVariant(await memory.queryResults(mid)));
    }
    // Metric statistics (CUPED's 14 days reach back past the hour) agree with the memory store's, all time and windowed.
    for (const window of [{}, { since: '2026-01-01T00:30:00.000Z' }]) {
      const query = { ...q, ...window, metrics: parityMetrics };
      expect(await storage.queryMetricStats(query)).toEqual(await memory.queryMetricStats(query));
    }
  };
  const parityMetrics: MetricDefinition[] = [
    { key: 'buyers', kind: 'binomial', source: { event: 'purchase' } },
    { key: 'revenue', kind: 'mean', source: { event: 'purchase' }, cuped: true },
    { key: 'per-order', kind: 'ratio', source: { event: 'purchase' }, denominator: { event: 'purchase', aggregate: 'count' }, cuped: true },
  ];

  it('stay exact when concurrent batches touch the same users, in any order', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = randomEvents(4000, 150, 99);
    const batches = Array.from({ length: 40 }, (_, i) => events.slice(i * 100, i * 100 + 100));
    // Four connections write batches concurrently: the same users in flight in several transactions.
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = lane; i < batches.length; i += 4) await storage.appendEvents(batches[i] as FlagEvent[]);
      }),
    );
    await expectParity(storage, events);
  });

  it('remember pending events as one row per insert statement, moved to the pending ids by whatever folds or recounts', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = randomEvents(600, 40, 5);
    for (let i = 0; i < events.length; i += 200) await storage.appendEvents(events.slice(i, i + 200));
    const state = async () =>
      (
        await pool.query(`select (select count(*) from feature_flag_events_pending_batches)::int as batches,
            (select coalesce(sum(cardinality(ids)), 0) from feature_flag_events_pending_batches)::int as batched,
            (select count(*) from feature_flag_events_pending)::int as pending`)
      ).rows[0];
    expect(await state()).toEqual({ batches: 3, batched: 600, pending: 0 });
    // A delete before any drain: its trigger takes the rollup lock, which moves the batches first.
    const { rowCount } = await pool.query("delete from feature_flag_events where user_id in ('u1', 'u2')");
    expect(rowCount).toBeGreaterThan(0);
    expect(await state()).toEqual({ batches: 0, batched: 0, pending: 600 - (rowCount ?? 0) });
    await expectParity(
      storage,
      events.filter((e) => !['u1', 'u2'].includes(e.userId)),
    );
    expect(await state()).toEqual({ batches: 0, batched: 0, pending: 0 });
  });

  it('a read-only transaction (a replica) cannot fold pending events: it reads the raw events, same answer', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = randomEvents(800, 60, 11);
    await storage.appendEvents(events);
    const memory = createMemoryStorage();
    await memory.appendEvents(events);
    const client = await pool.connect();
    try {
      await client.query('begin transaction read only');
      const { rows } = await client.query('select * from get_ab_test_results($1, $2)', [q.flagKey, q.environment]);
      await client.query('commit');
      const expected = byVariant(await memory.queryResults(q));
      expect(Object.fromEntries(rows.map((r) => [r.variant, Number(r.exposures)]))).toEqual(
        Object.fromEntries(Object.values(expected).map((r) => [r.variant, r.exposures])),
      );
      expect(Object.fromEntries(rows.map((r) => [r.variant, Number(r.conversion_events)]))).toEqual(
        Object.fromEntries(Object.values(expected).map((r) => [r.variant, r.conversionEvents])),
      );
    } finally {
      client.release();
    }
    expect(
      (
        await pool.query(
          'select count(*)::int as n from (select id from feature_flag_events_pending union all select unnest(ids) from feature_flag_events_pending_batches) p',
        )
      ).rows[0].n,
    ).toBe(800);
    await expectParity(storage, events); // a writable call folds them in
    expect(
      (
        await pool.query(
          'select count(*)::int as n from (select id from feature_flag_events_pending union all select unnest(ids) from feature_flag_events_pending_batches) p',
        )
      ).rows[0].n,
    ).toBe(0);
  });

  it('recount after deletes and updates of events, empty on truncate, and rebuild on demand', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = randomEvents(1500, 80, 7);
    for (let i = 0; i < events.length; i += 250) await storage.appendEvents(events.slice(i, i + 250));
    await pool.query("delete from feature_flag_events where user_id in ('u1', 'u2', 'u3') or occurred_at < '2026-01-01T00:10:00Z'");
    let kept = events.filter((e) => !['u1', 'u2', 'u3'].includes(e.userId) && e.occurredAt >= '2026-01-01T00:10:00.000Z');
    await expectParity(storage, kept);
    await pool.query("update feature_flag_events set occurred_at = occurred_at + interval '30 minutes' where user_id in ('u4', 'u5')");
    kept = kept.map((e) =>
      ['u4', 'u5'].includes(e.userId) ? { ...e, occurredAt: new Date(Date.parse(e.occurredAt) + 1_800_000).toISOString() } : e,
    );
    await expectParity(storage, kept);
    // A load that bypassed the triggers, then the repair.
    await pool.query('alter table feature_flag_events disable trigger feature_flag_events_rollup_insert');
    const more = randomEvents(300, 80, 8);
    try {
      await storage.appendEvents(more);
    } finally {
      await pool.query('alter table feature_flag_events enable trigger feature_flag_events_rollup_insert');
    }
    expect(Number((await pool.query('select feature_flag_rollup_rebuild() as n')).rows[0].n)).toBeGreaterThan(0);
    await expectParity(storage, [...kept, ...more]);
    await pool.query('truncate feature_flag_events');
    const { rows } = await pool.query(
      'select (select count(*) from feature_flag_first_exposures)::int as f, (select count(*) from feature_flag_conversions)::int as c',
    );
    expect(rows[0]).toEqual({ f: 0, c: 0 });
    expect(
      (
        await pool.query(
          'select count(*)::int as n from (select id from feature_flag_events_pending union all select unnest(ids) from feature_flag_events_pending_batches) p',
        )
      ).rows[0].n,
    ).toBe(0);
  });
});

describe('a month boundary and retention by month', () => {
  // Two days around 2026-02-01T00:00Z: users first exposed on either side, conversions on both.
  const aroundBoundary = (): FlagEvent[] => {
    const rand = seededRandom(2026);
    return Array.from({ length: 1200 }, (): FlagEvent => {
      const userId = `m${Math.floor(rand() * 90)}`;
      const occurredAt = new Date(Date.UTC(2026, 0, 31) + Math.floor(rand() * 2 * 86_400_000)).toISOString();
      return rand() < 0.4
        ? {
            type: 'exposure',
            environment: 'production',
            flagKey: 'pricing-test',
            variant: rand() < 0.5 ? 'control' : 'variant-a',
            userId,
            occurredAt,
          }
        : { type: 'conversion', environment: 'production', userId, eventName: 'purchase', value: Math.floor(rand() * 50), occurredAt };
    });
  };
  const metrics: MetricDefinition[] = [
    { key: 'revenue', kind: 'mean', source: { event: 'purchase' }, cuped: { windowDays: 1 } },
    { key: 'per-order', kind: 'ratio', source: { event: 'purchase' }, denominator: { event: 'purchase', aggregate: 'count' } },
  ];
  const windows = [{}, { since: '2026-01-31T12:00:00.000Z', until: '2026-02-01T12:00:00.000Z' }, { since: '2026-02-01T00:00:00.000Z' }];
  const expectSame = async (storage: StorageAdapter, events: FlagEvent[]) => {
    const memory = createMemoryStorage();
    await memory.appendEvents(events);
    for (const window of windows) {
      const query = { flagKey: 'pricing-test', environment: 'production', ...window };
      expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
      expect(await storage.queryMetricStats({ ...query, metrics })).toEqual(await memory.queryMetricStats({ ...query, metrics }));
    }
  };

  it('results and metric statistics across the boundary equal the memory store, before and after January is dropped', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = aroundBoundary();
    for (let i = 0; i < events.length; i += 200) await storage.appendEvents(events.slice(i, i + 200));
    await expectSame(storage, events);
    // Keep one month on 2026-03-15: everything before 2026-02-01 goes, in batches of 100.
    const kept = events.filter((e) => e.occurredAt >= '2026-02-01T00:00:00.000Z');
    const { rows } = await pool.query("select feature_flag_events_retention(1, '2026-03-15T10:00:00Z', 100)::int as n");
    expect(rows[0].n).toBe(events.length - kept.length);
    await expectSame(storage, kept);
    await expect(pool.query('select feature_flag_events_retention(0)')).rejects.toMatchObject({ code: '22023' });
  });

  it('upgrades a database holding events: the timelines are built from the events already stored', async () => {
    await clean();
    const storage = createPostgresStorage({ pool });
    const events = aroundBoundary();
    await storage.appendEvents(events);
    await pool.query('select feature_flag_rollup_drain()');
    // The database as it was before the timelines: without their tables and migrations.
    await pool.query('drop table feature_flag_exposure_timelines, feature_flag_conversion_timelines cascade');
    await pool.query('drop trigger feature_flag_events_pending_taken on feature_flag_events_pending');
    await pool.query("delete from elite_migrations where name >= '20261210'");
    expect((await migrate(pool)).applied).toEqual(MIGRATIONS.map((m) => m.name).filter((n) => n >= '20261210'));
    await expectSame(storage, events);
  });
});
