import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import { describeStorageAdapter } from '../../src/adapters/storage.case.js';
import type { FlagEvent, StorageAdapter } from '../../src/adapters/types.js';
import { createFlags } from '../../src/flags/client.js';
import type { FlagDefinition } from '../../src/flags/types.js';
import { MIGRATIONS } from '../../src/sql/migrations.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');

const pool = new pg.Pool({ connectionString: url, max: 4 });
const clean = async () => {
  await pool.query('truncate feature_flags, feature_flag_events');
};

beforeAll(async () => {
  await pool.query(
    'drop table if exists feature_flags, feature_flag_events, feature_flag_first_exposures, feature_flag_conversions, elite_migrations cascade',
  );
  await migrate(pool);
});
afterAll(async () => {
  await pool.end();
});

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
    const db = `elite_migrate_${process.pid}`;
    await pool.query(`drop database if exists ${db}`);
    await pool.query(`create database ${db}`);
    const other = new pg.Pool({ connectionString: url.replace(/\/[^/]*$/, `/${db}`), max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(other), migrate(other)]);
      expect([...a.applied, ...b.applied]).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await other.end();
      await pool.query(`drop database ${db}`);
    }
  });
});

describe('createPostgresStorage', () => {
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

  it('writes an event batch with one statement', async () => {
    await clean();
    let queries = 0;
    const counting = {
      query: (text: string, values?: unknown[]) => {
        queries++;
        return pool.query(text, values);
      },
    };
    const storage = createPostgresStorage({ pool: counting as never });
    const batch: FlagEvent[] = Array.from({ length: 500 }, (_, i) => ({
      type: i % 5 === 0 ? 'conversion' : 'exposure',
      environment: 'production',
      ...(i % 5 === 0
        ? { eventName: 'purchase', value: i, properties: { n: i, tags: ['a'] } }
        : { flagKey: 'pricing-test', variant: 'control' }),
      userId: `u${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
    }));
    await storage.appendEvents(batch);
    expect(queries).toBe(1);
    const { rows } = await pool.query('select count(*)::int as n, sum(value) as v from feature_flag_events');
    expect(rows[0]).toEqual({ n: 500, v: batch.reduce((s, e) => s + (e.value ?? 0), 0) });
    const { rows: props } = await pool.query("select properties from feature_flag_events where user_id = 'u5'");
    expect(props[0].properties).toEqual({ n: 5, tags: ['a'] });
  });

  it('returns the same results as the memory store on the same events', async () => {
    await clean();
    const postgres = createPostgresStorage({ pool });
    const memory = createMemoryStorage();
    // Seeded pseudo-random events: exposures to several variants, re-exposures, conversions
    // before and after exposure, other event names, values.
    let seed = 42;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const variants = ['control', 'variant-a', 'variant-b'];
    const events: FlagEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      const userId = `user-${Math.floor(rand() * 600)}`;
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 86_400_000)).toISOString();
      if (rand() < 0.6) {
        events.push({
          type: 'exposure',
          environment: 'production',
          flagKey: 'pricing-test',
          variant: variants[Math.floor(rand() * 3)] as string,
          userId,
          occurredAt,
        });
      } else {
        events.push({
          type: 'conversion',
          environment: 'production',
          userId,
          eventName: rand() < 0.7 ? 'purchase' : 'signup',
          value: Math.floor(rand() * 100),
          occurredAt,
        });
      }
    }
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
    ]) {
      const q = { flagKey: 'pricing-test', environment: 'production', ...query };
      expect(byVariant(await postgres.queryResults(q))).toEqual(byVariant(await memory.queryResults(q)));
    }
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
