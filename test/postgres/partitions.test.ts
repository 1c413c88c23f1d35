// Monthly partitions of the events (child tables of feature_flag_events, see migration
// 20261210000009_partitions): moving whole months out of the parent changes no answer, a retry of
// a moved event is stored once, late events of a moved month are counted, and retention drops the
// old month's table.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import type { FlagEvent, StorageAdapter } from '../../src/adapters/types.js';
import type { MetricDefinition } from '../../src/experiments/metric-stats.js';
import { seededRandom } from './seeded-events.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');
const pool = new pg.Pool({ connectionString: url, max: 4 });

const dropChildren = async () => {
  const { rows } = await pool.query<{ child: string }>('select child from feature_flag_events_archived_months');
  for (const { child } of rows) await pool.query(`drop table if exists ${child}`);
  await pool.query('truncate feature_flag_events_archived_months');
};

beforeAll(async () => {
  await migrate(pool);
  await dropChildren();
  await pool.query('truncate feature_flags, feature_flag_events');
});
afterAll(async () => {
  await dropChildren();
  await pool.end();
});

/** Events from 2026-01-30 to 2026-02-02 (UTC), around the month edge, with fixed ids. */
function aroundEdge(count: number, seed: number, idPrefix: string): FlagEvent[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, i): FlagEvent => {
    const id = `${idPrefix}${i.toString(16).padStart(12, '0')}`;
    const userId = `p${Math.floor(rand() * 70)}`;
    const occurredAt = new Date(Date.UTC(2026, 0, 30) + Math.floor(rand() * 3 * 86_400_000)).toISOString();
    if (rand() < 0.4) {
      const variant = rand() < 0.5 ? 'control' : 'variant-a';
      return { id, type: 'exposure', environment: 'production', flagKey: 'pricing-test', variant, userId, occurredAt };
    }
    return { id, type: 'conversion', environment: 'production', userId, eventName: 'purchase', value: Math.floor(rand() * 30), occurredAt };
  });
}

const metrics: MetricDefinition[] = [
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' }, cuped: { windowDays: 1 } },
  { key: 'buyers', kind: 'binomial', source: { event: 'purchase' } },
];
const windows = [
  {},
  { since: '2026-01-31T12:00:00.000Z', until: '2026-02-01T12:00:00.000Z' },
  { since: '2026-02-01T00:00:00.000Z' },
  { until: '2026-02-01T00:00:00.000Z' },
];

async function expectSame(storage: StorageAdapter, stored: FlagEvent[]) {
  const memory = createMemoryStorage();
  await memory.appendEvents(stored);
  for (const window of windows) {
    const query = { flagKey: 'pricing-test', environment: 'production', ...window };
    expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
    expect(await storage.queryMetricStats({ ...query, metrics })).toEqual(await memory.queryMetricStats({ ...query, metrics }));
  }
  const { rows } = await pool.query('select count(*)::int as n from feature_flag_events');
  expect(rows[0].n).toBe(stored.length);
}

const count = async (sql: string) => (await pool.query(sql)).rows[0].n as number;
const january = (e: FlagEvent) => e.occurredAt < '2026-02-01T00:00:00.000Z';

describe('monthly partitions of the events', () => {
  it('moving January into its table changes no answer; retries and late events of January; retention drops the table', async () => {
    const storage = createPostgresStorage({ pool });
    const events = aroundEdge(900, 2027, 'a0b1c2d3-e4f5-4a6b-8c7d-');
    for (let i = 0; i < events.length; i += 300) await storage.appendEvents(events.slice(i, i + 300));
    await expectSame(storage, events);

    // Everything before February moves (the results call above folded every event in).
    const moved = Number((await pool.query("select feature_flag_events_archive('2026-02-15T00:00:00Z') as n")).rows[0].n);
    expect(moved).toBe(events.filter(january).length);
    expect(await count("select count(*)::int as n from only feature_flag_events where occurred_at < '2026-02-01'")).toBe(0);
    expect(await count("select count(*)::int as n from feature_flag_events_y2026m01 where occurred_at >= '2026-02-01'")).toBe(0);
    expect(await count('select count(*)::int as n from feature_flag_events_y2026m01')).toBe(moved);
    expect(
      await count(
        'select count(*)::int as n from (select id from feature_flag_events_pending union all select unnest(ids) from feature_flag_events_pending_batches) p',
      ),
    ).toBe(0);
    await expectSame(storage, events);
    // Moving again moves nothing.
    expect(Number((await pool.query("select feature_flag_events_archive('2026-02-15T00:00:00Z') as n")).rows[0].n)).toBe(0);

    // A retried batch holding moved events (and new ones): the copies are dropped, the new ones kept.
    const late = aroundEdge(60, 99, 'b0b1c2d3-e4f5-4a6b-8c7d-');
    const retried = events.filter(january).slice(0, 40);
    await storage.appendEvents([...retried, ...late]);
    let stored = [...events, ...late];
    await expectSame(storage, stored);
    expect(await count("select count(*)::int as n from only feature_flag_events where occurred_at < '2026-02-01'")).toBe(
      late.filter(january).length,
    );
    // Late January events join January's table at the next run.
    expect(Number((await pool.query("select feature_flag_events_archive('2026-02-15T00:00:00Z') as n")).rows[0].n)).toBe(
      late.filter(january).length,
    );
    await expectSame(storage, stored);

    // Keep one month on 2026-03-15: January's table is dropped, February is kept.
    const { rows } = await pool.query("select feature_flag_events_retention(1, '2026-03-15T10:00:00Z', 100)::int as n");
    expect(rows[0].n).toBe(stored.filter(january).length);
    expect((await pool.query("select to_regclass('feature_flag_events_y2026m01') as t")).rows[0].t).toBeNull();
    expect(await count('select count(*)::int as n from feature_flag_events_archived_months')).toBe(0);
    stored = stored.filter((e) => !january(e));
    await expectSame(storage, stored);
  });

  it('refuses a missing time', async () => {
    await expect(pool.query('select feature_flag_events_archive(null)')).rejects.toMatchObject({ code: '22023' });
  });
});
