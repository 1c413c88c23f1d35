/**
 * Fault tests on the real database: PostgreSQL is stopped mid-run and started again.
 * Needs the cluster of scripts/db-start.sh (this test stops and restarts it).
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import { createFlags } from '../../src/flags/client.js';
import type { FlagDefinition } from '../../src/flags/types.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');
// The cluster to stop and start is the one DATABASE_URL points at: its port, and its directory as
// the server reports it (scripts/db-start.sh keeps the data in <dir>/data). Set in beforeAll.
let cluster: { ELITE_PG_PORT: string; ELITE_PG_DIR: string } | undefined;
const script = (name: string, ...args: string[]) => {
  if (!cluster) throw new Error('the cluster of DATABASE_URL is not known yet');
  return execFileSync('bash', [new URL(`../../scripts/${name}`, import.meta.url).pathname, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...cluster },
  });
};

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
};

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {}); // idle connections die with the server; the pool replaces them
  const dataDirectory = (await pool.query<{ data_directory: string }>('show data_directory')).rows[0]?.data_directory ?? '';
  if (!dataDirectory.endsWith('/data')) {
    throw new Error(`DATABASE_URL's server keeps its data in ${dataDirectory}, not a cluster of scripts/db-start.sh`);
  }
  cluster = { ELITE_PG_PORT: new URL(url).port || '5432', ELITE_PG_DIR: dataDirectory.slice(0, -'/data'.length) };
  await migrate(pool);
  await pool.query('truncate feature_flags, feature_flag_events');
});
afterAll(async () => {
  if (cluster) script('db-start.sh'); // whatever happened, leave the server running
  await pool.end();
});

describe('PostgreSQL stopped mid-run', () => {
  it('clients keep serving flags (STALE) and buffer events; after the restart everything arrives once', async () => {
    const storage = createPostgresStorage({ pool, listenClient: () => new pg.Client({ connectionString: url }), reconnectDelayMs: 200 });
    await storage.writeFlag(experiment);
    let now = Date.UTC(2026, 0, 1);
    const client = createFlags({
      storage,
      now: () => now,
      timeoutMs: 3_000,
      maxBuffer: 5_000,
      flushIntervalMs: 100,
      logger: { warn: () => {}, error: () => {} },
    });
    await client.refresh();
    const before = await client.evaluate('pricing-test', 'u1');
    expect(before.reason).toBe('SPLIT');

    script('db-stop.sh', 'keep');
    now += 60_001; // the cached definitions expire while the database is down
    const during = await client.evaluate('pricing-test', 'u1');
    expect(during).toEqual({ ...before, reason: 'STALE' });
    for (let i = 0; i < 2_000; i++) client.track('purchase', `user-${i}`, { value: i });
    const failed = await client.flush();
    expect(failed.ok).toBe(false);
    expect(client.stats()).toMatchObject({ eventsPending: 2_001, eventsDropped: 0 }); // + u1's exposure

    script('db-start.sh');
    await vi.waitFor(async () => expect((await client.flush()).ok).toBe(true), { timeout: 30_000, interval: 500 });
    const { rows } = await pool.query(
      "select count(*)::int as n, count(distinct user_id)::int as users, sum(value)::float8 as v from feature_flag_events where event_type = 'conversion'",
    );
    expect(rows[0]).toEqual({ n: 2_000, users: 2_000, v: (1_999 * 2_000) / 2 });
    const { rows: exposures } = await pool.query("select user_id, variant from feature_flag_events where event_type = 'exposure'");
    expect(exposures).toEqual([{ user_id: 'u1', variant: before.variant }]);
    now += 60_001;
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('SPLIT');
    // The listener is back: a change reaches the client at once.
    await storage.writeFlag({ ...experiment, enabled: false });
    await vi.waitFor(() => expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('DISABLED'), { timeout: 5_000, interval: 50 });
    await client.close();
    await storage.close?.();
  });

  it('past maxBuffer the newest events are dropped and counted; after the restart exactly the buffered ones arrive once', async () => {
    const storage = createPostgresStorage({ pool, listenClient: () => new pg.Client({ connectionString: url }), reconnectDelayMs: 200 });
    const flag: FlagDefinition = { ...experiment, key: 'checkout-test' };
    await storage.writeFlag(flag);
    let now = Date.UTC(2026, 0, 2);
    const warnings: string[] = [];
    const client = createFlags({
      storage,
      now: () => now,
      timeoutMs: 3_000,
      maxBuffer: 500,
      maxBatch: 200, // the 500 buffered events go back in three batches
      flushIntervalMs: 100,
      logger: { warn: (message) => warnings.push(message), error: () => {} },
    });
    await client.refresh();
    const before = await client.evaluate('checkout-test', 'u1');
    expect(before.reason).toBe('SPLIT');
    expect(await client.flush()).toEqual({ ok: true, pending: 0 }); // u1's exposure is stored: the buffer is empty
    const base = client.stats();
    expect(base).toMatchObject({ eventsAccepted: 1, eventsStored: 1, eventsPending: 0, eventsDropped: 0 });

    script('db-stop.sh', 'keep');
    now += 60_001; // the cached definitions expire while the database is down
    expect(await client.evaluate('checkout-test', 'u1')).toEqual({ ...before, reason: 'STALE' });
    // 800 conversions, each marked with its sequence number: the buffer takes the first 500.
    for (let seq = 0; seq < 800; seq++) client.track('overflow-purchase', `over-${seq}`, { value: 1, properties: { seq } });
    expect((await client.flush()).ok).toBe(false);
    expect(client.stats()).toMatchObject({ eventsAccepted: 501, eventsStored: 1, eventsPending: 500, eventsDropped: 300 });
    expect(warnings.filter((w) => w.includes('the event buffer is full'))).toHaveLength(1);
    // Still serving from the last known definitions, for a user seen before and a new one.
    expect(client.evaluateSync('checkout-test', 'u1')).toEqual({ ...before, reason: 'STALE' });
    const newcomer = await client.evaluate('checkout-test', 'u2');
    expect(newcomer.reason).toBe('STALE');
    // u2's exposure finds the buffer full too: dropped and counted, not queued.
    expect(client.stats()).toMatchObject({ eventsPending: 500, eventsDropped: 301 });

    script('db-start.sh');
    await vi.waitFor(async () => expect((await client.flush()).ok).toBe(true), { timeout: 30_000, interval: 500 });
    expect(client.stats()).toMatchObject({ eventsAccepted: 501, eventsStored: 501, eventsPending: 0, eventsDropped: 301 });
    const { rows } = await pool.query(
      `select count(*)::int as n, count(distinct (properties->>'seq')::int)::int as seqs,
              min((properties->>'seq')::int)::int as first, max((properties->>'seq')::int)::int as last,
              count(distinct user_id)::int as users
         from feature_flag_events where event_type = 'conversion' and event_name = 'overflow-purchase'`,
    );
    expect(rows[0]).toEqual({ n: 500, seqs: 500, first: 0, last: 499, users: 500 });
    const { rows: exposures } = await pool.query(
      "select user_id, variant from feature_flag_events where event_type = 'exposure' and flag_key = 'checkout-test'",
    );
    expect(exposures).toEqual([{ user_id: 'u1', variant: before.variant }]);
    now += 60_001;
    expect((await client.evaluate('checkout-test', 'u1')).reason).toBe('SPLIT');
    await client.close();
    await storage.close?.();
  });
});
