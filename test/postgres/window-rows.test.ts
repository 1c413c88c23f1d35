// Windows read one row per exposed user: the exposure timelines carry a copy of the user's
// conversions. The copy must follow every change of the user's events (new conversions, a first
// exposure to another flag after converting, conversions without a name or arriving out of order,
// updates and deletes, a rebuild), and the answers must stay those of the memory store.
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

beforeAll(async () => {
  await migrate(pool);
  await pool.query('truncate feature_flags, feature_flag_events');
});
afterAll(async () => {
  await pool.end();
});

const FLAGS = ['pricing-test', 'checkout-test'];
const NAMES = ['purchase', 'signup', undefined];

/** Events of two flags over two hours; conversions of three names (one missing), some before any exposure. */
function events(count: number, seed: number, startMs: number): FlagEvent[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (): FlagEvent => {
    const userId = `w${Math.floor(rand() * 40)}`;
    const occurredAt = new Date(startMs + Math.floor(rand() * 7_200_000)).toISOString();
    if (rand() < 0.45) {
      const flagKey = FLAGS[Math.floor(rand() * 2)] as string;
      return { type: 'exposure', environment: 'production', flagKey, variant: rand() < 0.5 ? 'control' : 'variant-a', userId, occurredAt };
    }
    const eventName = NAMES[Math.floor(rand() * 3)];
    return {
      type: 'conversion',
      environment: 'production',
      userId,
      ...(eventName === undefined ? {} : { eventName }),
      value: Math.floor(rand() * 40),
      occurredAt,
    };
  });
}

const metrics: MetricDefinition[] = [
  { key: 'buyers', kind: 'binomial', source: { event: 'purchase' } },
  { key: 'revenue', kind: 'mean', source: { event: 'purchase' }, cuped: { windowDays: 1 } },
  { key: 'signups', kind: 'mean', source: { event: 'signup', aggregate: 'count' } },
  { key: 'per-signup', kind: 'ratio', source: { event: 'purchase' }, denominator: { event: 'signup', aggregate: 'count' } },
  // One event for the numerator and the denominator, with CUPED: the query reads its positions once.
  {
    key: 'per-order',
    kind: 'ratio',
    source: { event: 'purchase' },
    denominator: { event: 'purchase', aggregate: 'count' },
    cuped: { windowDays: 1 },
  },
];
const windows = [
  { since: '2026-03-01T00:30:00.000Z' },
  { since: '2026-03-01T00:10:00.000Z', until: '2026-03-01T01:20:00.000Z' },
  { until: '2026-03-01T01:00:00.000Z' },
];

async function expectSame(storage: StorageAdapter, stored: FlagEvent[]) {
  const memory = createMemoryStorage();
  await memory.appendEvents(stored);
  for (const flagKey of FLAGS) {
    for (const window of windows) {
      for (const eventName of [undefined, 'purchase', 'signup']) {
        const query = { flagKey, environment: 'production', ...window, ...(eventName === undefined ? {} : { eventName }) };
        expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
      }
      const query = { flagKey, environment: 'production', ...window, metrics };
      expect(await storage.queryMetricStats(query)).toEqual(await memory.queryMetricStats(query));
    }
  }
  // Every row's copy equals what the conversion timelines give now.
  const { rows } = await pool.query(
    `with keys as (
       select array_agg(k.environment order by k.environment, k.user_id) as environments,
              array_agg(k.user_id order by k.environment, k.user_id) as users
       from (select distinct environment, user_id from feature_flag_conversion_timelines) k
     ),
     copies as (select c.* from keys cross join lateral feature_flag_timelines_combined(keys.environments, keys.users) c)
     select count(*)::int as rows,
            count(*) filter (where (t.c_names, t.c_starts, t.c_at, t.c_cum, t.a_at, t.a_cum)
                                   is distinct from (c.c_names, c.c_starts, c.c_at, c.c_cum, c.a_at, c.a_cum))::int as stale
     from feature_flag_exposure_timelines t
     left join copies c on c.environment = t.environment and c.user_id = t.user_id`,
  );
  expect(rows[0].rows).toBeGreaterThan(0);
  expect(rows[0].stale).toBe(0);
}

describe('windows over the exposure timelines and their copy of the conversions', () => {
  it('follow appends in any order, a first exposure after converting, updates, deletes and a rebuild', async () => {
    const storage = createPostgresStorage({ pool });
    const start = Date.UTC(2026, 2, 1);
    const all = events(1600, 31, start);
    // Out of order: the second hour first, then the first; a results call (which folds) in between.
    const late = all.filter((e) => e.occurredAt >= '2026-03-01T01:00:00.000Z');
    const early = all.filter((e) => e.occurredAt < '2026-03-01T01:00:00.000Z');
    await storage.appendEvents(late);
    await expectSame(storage, late);
    for (let i = 0; i < early.length; i += 300) await storage.appendEvents(early.slice(i, i + 300));
    await expectSame(storage, all);

    // A user who only converted so far, then is exposed to one flag: their row starts with a copy.
    const convertedOnly: FlagEvent[] = [
      {
        type: 'conversion',
        environment: 'production',
        userId: 'late-user',
        eventName: 'purchase',
        value: 7,
        occurredAt: '2026-03-01T00:05:00.000Z',
      },
      {
        type: 'conversion',
        environment: 'production',
        userId: 'late-user',
        eventName: 'purchase',
        value: 9,
        occurredAt: '2026-03-01T00:50:00.000Z',
      },
    ];
    await storage.appendEvents(convertedOnly);
    await expectSame(storage, [...all, ...convertedOnly]);
    const exposure: FlagEvent = {
      type: 'exposure',
      environment: 'production',
      flagKey: 'checkout-test',
      variant: 'variant-a',
      userId: 'late-user',
      occurredAt: '2026-03-01T00:40:00.000Z',
    };
    await storage.appendEvents([exposure]);
    let stored = [...all, ...convertedOnly, exposure];
    await expectSame(storage, stored);

    // An update moving conversions to another user, and a delete.
    await pool.query("update feature_flag_events set user_id = 'w1' where user_id = 'w2' and event_type = 'conversion'");
    stored = stored.map((e) => (e.userId === 'w2' && e.type === 'conversion' ? { ...e, userId: 'w1' } : e));
    await expectSame(storage, stored);
    await pool.query("delete from feature_flag_events where user_id in ('w3', 'w4') and event_type = 'conversion'");
    stored = stored.filter((e) => !(['w3', 'w4'].includes(e.userId) && e.type === 'conversion'));
    await expectSame(storage, stored);

    await pool.query('select feature_flag_rollup_rebuild()');
    await expectSame(storage, stored);
  });
  it('rewrites the variants of a database from before the codes: same rows decoded, same answers', async () => {
    await pool.query('truncate feature_flags, feature_flag_events');
    const storage = createPostgresStorage({ pool });
    const stored = events(800, 47, Date.UTC(2026, 3, 1));
    await storage.appendEvents(stored);
    await expectSame(storage, stored);
    const decoded = async () =>
      (
        await pool.query(
          `select flag_key, user_id, feature_flag_variants_decoded(variant_names, variant_codes) as variants
           from feature_flag_exposure_timelines order by flag_key, user_id`,
        )
      ).rows;
    const before = await decoded();
    // The layout of 20261210000010: one text element per exposure, no variant_names.
    await pool.query(`alter table feature_flag_exposure_timelines add column variants text[];
      update feature_flag_exposure_timelines set variants = feature_flag_variants_decoded(variant_names, variant_codes);
      alter table feature_flag_exposure_timelines drop column variant_codes, drop column variant_names;
      alter table feature_flag_exposure_timelines alter column variants set not null`);
    await pool.query("delete from elite_migrations where name >= '20261210000011'");
    expect((await migrate(pool)).applied).toEqual([
      '20261210000011_narrow_rows',
      '20261210000012_narrow_reads',
      '20261210000013_metric_sums',
      '20261210000014_parallel_reads',
      '20261210000015_pending_batches',
      '20261210000016_browser_checks',
      '20261210000017_shared_quantities',
      '20261210000018_window_ends',
    ]);
    expect(await decoded()).toEqual(before);
    const { rows } = await pool.query(
      `select count(*)::int as rows,
              count(*) filter (where cardinality(variant_codes) <> cardinality(at)
                                  or cardinality(variant_names) <> (select count(distinct c) from unnest(variant_codes) c))::int as bad
       from feature_flag_exposure_timelines`,
    );
    expect(rows[0].rows).toBeGreaterThan(0);
    expect(rows[0].bad).toBe(0);
    expect(before.some((r: { variants: string[] }) => new Set(r.variants).size > 1)).toBe(true);
    await expectSame(storage, stored);
  });

  it('give the same results and metric statistics when parallel workers sum them, every step inside the workers', async () => {
    await pool.query('truncate feature_flags, feature_flag_events');
    const stored = events(1600, 47, Date.UTC(2026, 2, 1));
    await createPostgresStorage({ pool }).appendEvents(stored);
    await pool.query('select feature_flag_rollup_drain()');
    await pool.query('analyze feature_flag_exposure_timelines');
    // A parallel plan even for a small table (per-row work made to look expensive, no index), and
    // the plans of the function's query sent back as notices.
    const parallel = new pg.Pool({
      connectionString: url,
      max: 1,
      options:
        '-c parallel_setup_cost=0 -c parallel_tuple_cost=1 -c cpu_operator_cost=10 -c min_parallel_table_scan_size=0 -c max_parallel_workers_per_gather=2' +
        ' -c enable_indexscan=off -c enable_bitmapscan=off',
    });
    const plans: string[] = [];
    parallel.on('connect', (client) => {
      client.on('notice', (n) => plans.push(n.message ?? ''));
      void client.query(
        "load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice",
      );
    });
    try {
      const storage = createPostgresStorage({ pool: parallel });
      const memory = createMemoryStorage();
      await memory.appendEvents(stored);
      for (const window of windows) {
        const query = { flagKey: 'pricing-test', environment: 'production', ...window };
        expect(await storage.queryMetricStats({ ...query, metrics })).toEqual(await memory.queryMetricStats({ ...query, metrics }));
        expect(await storage.queryResults(query)).toEqual(await memory.queryResults(query));
        const purchase = { ...query, eventName: 'purchase' };
        expect(await storage.queryResults(purchase)).toEqual(await memory.queryResults(purchase));
      }
      // get_metric_stats and the windows of get_ab_test_results (all conversions, one name).
      const stepPlans = plans.filter((p) => p.includes('clock_timestamp() as once'));
      expect(stepPlans).toHaveLength(windows.length * 3);
      // Every per-user step (a subquery scan) runs below the Gather, in the workers.
      for (const plan of stepPlans) {
        const gather = plan.indexOf('Gather');
        expect(gather, plan).toBeGreaterThan(0);
        expect(plan.slice(0, gather), plan).not.toContain('Subquery Scan');
        expect(plan.slice(gather), plan).toMatch(/Subquery Scan[\s\S]*Parallel Seq Scan/);
      }
    } finally {
      await parallel.end();
    }
  });
});
