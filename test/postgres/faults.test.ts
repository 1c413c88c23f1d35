/**
 * Fault tests on the real database: PostgreSQL is stopped mid-run and started again, frozen
 * (SIGSTOP) while a batch is in flight, and flooded with notifications by another role.
 * Needs the cluster of scripts/db-start.sh (this test stops, freezes and restarts it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import type { StorageAdapter } from '../../src/adapters/types.js';
import { createFlags } from '../../src/flags/create-flags.js';
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

/**
 * The processes of the cluster DATABASE_URL points at (its postmaster, from postmaster.pid in its
 * data directory, and the postmaster's children), never another cluster's.
 */
function clusterPids(): number[] {
  if (!cluster) throw new Error('the cluster of DATABASE_URL is not known yet');
  const postmaster = Number(readFileSync(`${cluster.ELITE_PG_DIR}/data/postmaster.pid`, 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 1) throw new Error('no postmaster pid');
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 1);
  return [postmaster, ...children];
}
const signal = (pids: number[], name: 'SIGSTOP' | 'SIGCONT') => {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // A backend that ended meanwhile.
    }
  }
};

describe('PostgreSQL frozen mid-write', () => {
  it('a batch written while the database is frozen (SIGSTOP, 15 s) is retried by the SDK and stored exactly once', async () => {
    await pool.query('truncate feature_flag_events');
    const storage = createPostgresStorage({ pool });
    const flag: FlagDefinition = { ...experiment, key: 'freeze-test' };
    await storage.writeFlag(flag);
    const errors: string[] = [];
    const client = createFlags({
      storage,
      timeoutMs: 3_000,
      flushIntervalMs: 100,
      maxBatch: 1_000,
      logger: { warn: () => {}, error: (message) => errors.push(message) },
    });
    await client.refresh();
    expect((await client.evaluate('freeze-test', 'u1')).reason).toBe('SPLIT');
    expect((await client.flush()).ok).toBe(true);

    const frozen = clusterPids();
    signal(frozen, 'SIGSTOP');
    try {
      // 500 conversions go out in one batch to a frozen server: the statement reaches the socket,
      // nothing answers, the buffer's write timeout (10 s) gives up and retries the batch. The
      // abandoned statement commits once the server runs again: the retry must then be a no-op.
      for (let seq = 0; seq < 500; seq++) client.track('freeze-purchase', `freeze-${seq}`, { value: 1, properties: { seq } });
      const during = client.flush();
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      expect((await during).ok).toBe(false);
    } finally {
      signal(frozen, 'SIGCONT');
    }
    await vi.waitFor(async () => expect((await client.flush()).ok).toBe(true), { timeout: 30_000, interval: 250 });
    // Let an abandoned statement that is still running finish before counting.
    await vi.waitFor(
      async () => {
        const { rows } = await pool.query(
          "select count(*)::int as n from pg_stat_activity where query like 'insert into feature_flag_events%' and state = 'active'",
        );
        expect(rows[0].n).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const { rows } = await pool.query(
      `select count(*)::int as n, count(distinct (properties->>'seq')::int)::int as seqs, count(distinct event_id)::int as ids
         from feature_flag_events where event_name = 'freeze-purchase'`,
    );
    expect(rows[0]).toEqual({ n: 500, seqs: 500, ids: 500 });
    expect(client.stats()).toMatchObject({ eventsPending: 0, eventsDropped: 0 });
    await client.close();
  }, 60_000);
});

describe('PostgreSQL frozen mid-write, at the adapter', () => {
  it('a write abandoned during a freeze commits late; the same batch sent again is a no-op', async () => {
    await pool.query('truncate feature_flag_events');
    const storage = createPostgresStorage({ pool });
    const batch = Array.from({ length: 200 }, (_, seq) => ({
      id: crypto.randomUUID(),
      type: 'conversion' as const,
      environment: 'production',
      userId: `adapter-freeze-${seq}`,
      eventName: 'adapter-freeze',
      value: 1,
      occurredAt: new Date(Date.UTC(2026, 0, 3)).toISOString(),
    }));
    const frozen = clusterPids();
    signal(frozen, 'SIGSTOP');
    let first: Promise<void>;
    try {
      first = storage.appendEvents(batch);
      first.catch(() => {});
      // The caller gives up, as the event buffer does after its write timeout, and sends the batch again.
      const abandoned = await Promise.race([first.then(() => 'stored'), new Promise((r) => setTimeout(() => r('timed out'), 2_000))]);
      expect(abandoned).toBe('timed out');
    } finally {
      signal(frozen, 'SIGCONT');
    }
    await storage.appendEvents(batch);
    await first;
    const { rows } = await pool.query("select count(*)::int as n from feature_flag_events where event_name = 'adapter-freeze'");
    expect(rows[0].n).toBe(200);
  });
});

describe('a NOTIFY storm from another role', () => {
  it('100k notifications for one flag: evaluations never return ERROR, store reads and memory stay bounded', async () => {
    await pool.query('drop role if exists elite_noisy');
    await pool.query("create role elite_noisy login password 'elite-noisy-pw'");
    const noisyUrl = new URL(url);
    noisyUrl.username = 'elite_noisy';
    noisyUrl.password = 'elite-noisy-pw';
    const storage = createPostgresStorage({ pool, listenClient: () => new pg.Client({ connectionString: url }), reconnectDelayMs: 200 });
    const flag: FlagDefinition = { ...experiment, key: 'some-flag' };
    await storage.writeFlag(flag);
    let reads = 0;
    const counted: StorageAdapter = {
      ...storage,
      metadata: storage.metadata,
      getFlag: (key, environment) => {
        reads++;
        return storage.getFlag(key, environment);
      },
      listFlags: (environment) => {
        reads++;
        return storage.listFlags(environment);
      },
    };
    const client = createFlags({ storage: counted, timeoutMs: 2_000, cacheTtlMs: 600_000, logger: { warn: () => {}, error: () => {} } });
    await client.refresh();
    expect((await client.evaluate('some-flag', 'u1')).reason).toBe('SPLIT');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the LISTEN connection is up
    const readsBefore = reads;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;

    const noisy = new pg.Client({ connectionString: noisyUrl.toString() });
    await noisy.connect();
    // One transaction per notification: PostgreSQL folds identical ones within a transaction.
    const storm = noisy.query(
      "do $$ begin for i in 1..100000 loop perform pg_notify('elite_flags', 'production:some-flag'); commit; end loop; end $$",
    );
    const reasons = new Map<string, number>();
    let stormDone = false;
    void storm.finally(() => {
      stormDone = true;
    });
    const started = Date.now();
    let maxHeap = heapBefore;
    while (!stormDone && Date.now() - started < 45_000) {
      for (const details of [client.evaluateSync('some-flag', `user-${reasons.size}`), await client.evaluate('some-flag', 'u1')]) {
        reasons.set(details.reason, (reasons.get(details.reason) ?? 0) + 1);
      }
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await storm;
    await noisy.end();
    expect(stormDone).toBe(true);
    // The tail of the storm still being delivered: keep evaluating a little.
    for (let i = 0; i < 50; i++) {
      const details = await client.evaluate('some-flag', 'u1');
      reasons.set(details.reason, (reasons.get(details.reason) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const figures = JSON.stringify({
      reasons: Object.fromEntries(reasons),
      reads: reads - readsBefore,
      heapGrowthMb: Math.round((maxHeap - heapBefore) / 1e6),
      stormMs: Date.now() - started,
    });
    console.info(`NOTIFY storm: ${figures}`);
    expect(reasons.get('ERROR') ?? 0, figures).toBe(0);
    // Reads coalesce: one read in flight per key, however many notifications arrive meanwhile, so
    // the count follows the storm's duration (a few hundred reads here), never the 100k notifications.
    expect(reads - readsBefore, figures).toBeLessThan(2_000);
    expect(maxHeap - heapBefore).toBeLessThan(100 * 1024 * 1024);
    // A real change still gets through after the storm.
    await storage.writeFlag({ ...flag, enabled: false });
    await vi.waitFor(() => expect(client.evaluateSync('some-flag', 'u1').reason).toBe('DISABLED'), { timeout: 5_000, interval: 50 });
    await client.close();
    await storage.close?.();
    await pool.query('drop role elite_noisy');
  }, 60_000);
});
