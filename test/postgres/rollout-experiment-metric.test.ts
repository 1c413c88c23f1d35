/**
 * An experiment-metric guardrail on the real PostgreSQL: the store computes the metric per variant
 * in SQL (`queryMetricStats`) from the exposures and conversions since the step began, and the
 * controller rolls back the release whose conversion rate fell, leaving a healthy one to advance.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import type { StorageAdapter } from '../../src/adapters/types.js';
import type { FlagEvent } from '../../src/index.js';
import { createRolloutController } from '../../src/rollouts/index.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');

const pool = new pg.Pool({ connectionString: url, max: 3 });
let storage: StorageAdapter;
const quiet = { warn: () => {}, error: () => {} };

beforeAll(async () => {
  await migrate(pool);
  storage = createPostgresStorage({ pool });
});
afterAll(async () => {
  await pool.end();
});

/** 400 users per variant exposed a minute after the step began; the first `converted[variant]` buy a minute later. */
function events(flagKey: string, stepBegan: number, converted: Record<string, number>): FlagEvent[] {
  const out: FlagEvent[] = [];
  for (const [variant, conversions] of Object.entries(converted)) {
    for (let i = 0; i < 400; i++) {
      const userId = `${flagKey}-${variant}-${i}`;
      out.push({
        type: 'exposure',
        environment: 'production',
        flagKey,
        variant,
        userId,
        occurredAt: new Date(stepBegan + 60_000).toISOString(),
      });
      if (i < conversions)
        out.push({
          type: 'conversion',
          environment: 'production',
          userId,
          eventName: 'purchase',
          occurredAt: new Date(stepBegan + 120_000).toISOString(),
        });
    }
  }
  return out;
}

async function check(flagKey: string, converted: Record<string, number>) {
  await pool.query('delete from feature_flags where key = $1', [flagKey]);
  const stored = await storage.writeFlag({
    key: flagKey,
    environment: 'production',
    enabled: true,
    rollout: 10,
    variants: [
      { key: 'on', weight: 50 },
      { key: 'off', weight: 50 },
    ],
    defaultVariant: 'off',
  });
  await storage.appendEvents(events(flagKey, Date.parse(stored.updatedAt), converted));
  const controller = createRolloutController({
    storage,
    enabled: true,
    logger: quiet,
    now: () => Date.parse(stored.updatedAt) + 3_600_000,
    plan: {
      flagKey,
      environment: 'production',
      steps: [10, 50, 100],
      minStepMs: 60_000,
      minSamplePerStep: 300,
      guardrails: [{ metric: { key: 'conversion', kind: 'binomial', source: { event: 'purchase' } } }],
    },
  });
  return { decision: await controller.check(), flag: await storage.getFlag(flagKey, 'production') };
}

describe('an experiment-metric guardrail on PostgreSQL', () => {
  it('rolls back the release whose conversion rate fell (computed in SQL per variant)', async () => {
    const { decision, flag } = await check('guard-metric-bad', { on: 40, off: 100 });
    expect(decision.action).toBe('rollback');
    expect(decision.guardrails[0]).toMatchObject({
      metric: 'conversion',
      kind: 'binomial',
      treatment: 0.1,
      control: 0.25,
      status: 'harmed',
    });
    expect(flag).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
  });

  it('advances the release whose conversion rate held', async () => {
    const { decision, flag } = await check('guard-metric-good', { on: 100, off: 100 });
    expect(decision).toMatchObject({ action: 'advance', from: 10, to: 50, treatmentRequests: 400 });
    expect(decision.guardrails[0]?.status).toBe('ok');
    expect(flag?.rollout).toBe(50);
  });
});
