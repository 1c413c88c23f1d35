// Windows that end after every event (a window "until now") are answered without their end: one
// that also starts before every first exposure reads the all-time pre-aggregates, not the timelines.
// The test empties the timelines behind the functions' back to see which source answers, and checks
// that an event at or after the end keeps the window on the timelines.
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

describe('a window that ends after every event', () => {
  it('is all time when it also starts before every first exposure; an event at its end keeps the timelines', async () => {
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
    const expected = await memory.queryResults(open);
    expect(await storage.queryResults(open)).toEqual(expected);
    expect(expected.map((v) => v.exposures)).toEqual([2, 1]);

    // Without timelines, only the pre-aggregates can give the answer.
    await pool.query('delete from feature_flag_exposure_timelines');
    expect(await storage.queryResults(open)).toEqual(expected);
    expect(await storage.queryResults({ ...open, eventName: 'purchase' })).toEqual(
      await memory.queryResults({ ...open, eventName: 'purchase' }),
    );
    // An end at the last conversion (it falls outside the window): the window is read from the
    // timelines, now empty. The same for an end at the last exposure.
    expect(await storage.queryResults({ ...open, until: at(9) })).toEqual([]);
    expect(await storage.queryResults({ ...open, until: at(7) })).toEqual([]);
    // An end after every event but a start after a first exposure: timelines too.
    expect(await storage.queryResults({ ...open, since: at(1) })).toEqual([]);

    // Rebuilt, every window equals the memory store's again.
    await pool.query('select feature_flag_rollup_rebuild()');
    for (const window of [{ until: at(9) }, { until: at(7) }, { since: at(1) }, {}]) {
      const query = { ...open, ...window };
      expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
    }
  });
});
