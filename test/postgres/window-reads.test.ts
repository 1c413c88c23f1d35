// Which source answers a window: one without an end that starts before every first exposure is all
// time, read from the per-user pre-aggregates; every window with an end is read from the timelines,
// even one that ends after every event, and never from the events. The test empties the timelines
// behind the functions' back to see which source answers, and counts the reads of the events table
// within a transaction (pg_stat_xact_user_tables) to see that none is made.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import type { FlagEvent } from '../../src/adapters/types.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');
const pool = new pg.Pool({ connectionString: url, max: 2 });

beforeAll(async () => {
  await migrate(pool);
  await pool.query('truncate feature_flags, feature_flag_events');
});
afterAll(async () => {
  await pool.query('truncate feature_flags, feature_flag_events');
  await pool.end();
});

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 0, minute)).toISOString();
const exposure = (userId: string, variant: string, minute: number): FlagEvent => ({
  type: 'exposure',
  environment: 'production',
  flagKey: 'open-window',
  variant,
  userId,
  occurredAt: at(minute),
});
const purchase = (userId: string, value: number, minute: number): FlagEvent => ({
  type: 'conversion',
  environment: 'production',
  userId,
  eventName: 'purchase',
  value,
  occurredAt: at(minute),
});

const eventReads = async (client: pg.PoolClient): Promise<number> => {
  const { rows } = await client.query(
    `select coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0)::int as reads
     from pg_stat_xact_user_tables where relid = 'feature_flag_events'::regclass`,
  );
  return rows[0].reads;
};

describe('which source answers a window', () => {
  it('all time from the pre-aggregates; any window with an end from the timelines, never from the events', async () => {
    const storage = createPostgresStorage({ pool });
    const memory = createMemoryStorage();
    const stored = [
      exposure('u1', 'control', 0),
      exposure('u2', 'treatment', 1),
      exposure('u1', 'treatment', 5),
      purchase('u1', 10, 3),
      purchase('u2', 4, 6),
      exposure('u3', 'control', 7),
      purchase('u3', 5, 9),
    ];
    await storage.appendEvents(stored);
    await memory.appendEvents(stored);
    const open = { flagKey: 'open-window', environment: 'production', since: at(-60), until: '2099-01-01T00:00:00.000Z' };
    const allTime = { flagKey: 'open-window', environment: 'production', since: at(-60) };
    const expected = await memory.queryResults(open);
    expect(await storage.queryResults(open)).toEqual(expected);
    expect(await storage.queryResults(allTime)).toEqual(expected);
    expect(expected.map((v) => v.exposures)).toEqual([2, 1]);

    // An end after every event: the function reads the timelines and the pending ids (none left by
    // the calls above), not one row of the events, whatever their indexes.
    const client = await pool.connect();
    try {
      await client.query('begin');
      const before = await eventReads(client);
      const { rows } = await client.query('select * from get_ab_test_results($1, $2, null, $3, $4)', [
        'open-window',
        'production',
        open.since,
        open.until,
      ]);
      expect(rows.map((r) => Number(r.exposures))).toEqual([2, 1]);
      expect(await eventReads(client)).toBe(before);
      // The same count sees a read of the events (the raw events of a read-only transaction).
      await client.query('commit');
      await client.query('begin read only');
      const readOnly = await eventReads(client);
      await client.query('select * from get_ab_test_results($1, $2, null, $3, $4)', ['open-window', 'production', open.since, open.until]);
      expect(await eventReads(client)).toBeGreaterThan(readOnly);
      await client.query('commit');
    } finally {
      // A failed assertion leaves a transaction open: end it before the client goes back to the pool.
      await client.query('rollback').catch(() => {});
      client.release();
    }

    // Without timelines, a window without an end that starts before every first exposure is still
    // answered (the pre-aggregates); every window with an end, even after every event, is empty.
    await pool.query('delete from feature_flag_exposure_timelines');
    expect(await storage.queryResults(allTime)).toEqual(expected);
    expect(await storage.queryResults({ ...allTime, eventName: 'purchase' })).toEqual(
      await memory.queryResults({ ...allTime, eventName: 'purchase' }),
    );
    for (const until of ['2099-01-01T00:00:00.000Z', at(10), at(9), at(7)])
      expect(await storage.queryResults({ ...open, until })).toEqual([]);
    // No end but a start after a first exposure: timelines too.
    expect(await storage.queryResults({ ...allTime, since: at(1) })).toEqual([]);

    // Rebuilt, every window equals the memory store's again.
    await pool.query('select feature_flag_rollup_rebuild()');
    for (const window of [{ until: at(9) }, { until: at(7) }, { until: at(10) }, { since: at(1), until: undefined }, {}]) {
      const query = { ...open, ...window };
      expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
    }
  });
});
