import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createRolloutController } from './controller.js';
import { createMemoryLease, createPostgresLease, leaseName } from './lease.js';
import { createRolloutRecorder } from './recorder.js';
import type { RolloutPlan } from './types.js';

const plan: RolloutPlan = { flagKey: 'new-checkout', environment: 'production', steps: [1, 100], guardrails: [{ metric: 'error_rate' }] };
const quiet = { warn: () => {}, error: () => {} };

describe('rollout leases', () => {
  it('of two controllers on one flag only the lease holder acts; the other acts once it is released', async () => {
    const storage = createMemoryStorage({ flags: [{ key: 'new-checkout', environment: 'production', enabled: true, rollout: 0 }] });
    const name = leaseName('new-checkout', 'production');
    const make = () =>
      createRolloutController({
        storage,
        plan,
        metrics: createRolloutRecorder(),
        enabled: true,
        lease: createMemoryLease(name),
        logger: quiet,
      });
    const first = make();
    const second = make();
    expect((await first.check()).action).toBe('advance');
    const blocked = await second.check();
    expect(blocked).toMatchObject({ action: 'hold', dryRun: true });
    expect(blocked.reasons[0]).toMatch(/another controller holds the lease on new-checkout/);
    expect((await storage.getFlag('new-checkout', 'production'))?.version).toBe(2);
    await first.close();
    expect((await second.check()).reasons.join()).not.toMatch(/lease/);
    await second.close();
  });

  it('a lease that cannot be taken holds; a bad postgres lease is refused at creation', async () => {
    const storage = createMemoryStorage({ flags: [{ key: 'new-checkout', environment: 'production', enabled: true, rollout: 0 }] });
    const lease = { acquire: () => Promise.reject(new Error('connection refused')), release: async () => {} };
    const controller = createRolloutController({ storage, plan, metrics: createRolloutRecorder(), enabled: true, lease, logger: quiet });
    const decision = await controller.check();
    expect(decision.action).toBe('hold');
    expect(decision.reasons[0]).toMatch(/lease could not be taken \(connection refused\)/);
    expect(() => createPostgresLease({ pool: {} as never, name: 'x' })).toThrow(/needs \{ pool \}/);
  });
});
