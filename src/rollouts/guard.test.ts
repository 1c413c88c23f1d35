/**
 * `flags.guard()`: the rollout controller started from the flags client, on its store and
 * environment, checking on a timer; a dry run unless enabled; stopped by `stop()`, a rollback or
 * the last step; one guard per flag acting in a process.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from '../flags/create-flags.js';
import { loadGuard as loadGuardOnEdge } from '../flags/rollouts-loader.edge.js';
import { createRolloutRecorder } from './recorder.js';

const quiet = { warn: () => {}, error: () => {} };
const KEY = 'new-checkout';
const plan = { steps: [5, 25, 100], minStepMs: 0, minSamplePerStep: 100, guardrails: [{ metric: 'error_rate' as const }] };

function setup(errorRateNew: number) {
  const storage = createMemoryStorage({ flags: [{ key: KEY, environment: 'production', enabled: true, rollout: 5 }] });
  const flags = createFlags({ storage, logger: quiet, environment: 'production' });
  // Figures recorded in the past bucket-wise: the controller's step began before them.
  const recorder = createRolloutRecorder({ now: () => Date.now() + 20_000 });
  for (let i = 0; i < 2_000; i++) {
    const onNew = i % 4 === 0;
    recorder.record(KEY, onNew, { error: (i * 7919) % 1000 < (onNew ? errorRateNew : 0.01) * 1000 });
  }
  return { storage, flags, recorder };
}

describe('flags.guard', () => {
  it('is a dry run by default: it decides on a timer and writes nothing; stop() ends it', async () => {
    const { storage, flags, recorder } = setup(0.3);
    const guard = await flags.guard(KEY, plan, { metrics: recorder, intervalMs: 20, logger: quiet });
    expect(guard.state).toBe('running');
    await expect.poll(() => guard.decisions.length).toBeGreaterThanOrEqual(1);
    expect(guard.last).toMatchObject({ action: 'rollback', dryRun: true, from: 5, to: 0 });
    // A rollback stops the guard, dry run or not.
    await expect.poll(() => guard.state).toBe('stopped');
    expect((await storage.getFlag(KEY, 'production'))?.rollout).toBe(5);
    await guard.stop();
    await flags.close();
  });

  it('enabled, it rolls a harmful release back and the client serves the new rollout at once', async () => {
    const { storage, flags, recorder } = setup(0.3);
    const users = Array.from({ length: 400 }, (_, i) => `u${i}`);
    await flags.refresh();
    expect(users.some((u) => flags.isEnabledSync(KEY, u))).toBe(true);
    const seen: string[] = [];
    const guard = await flags.guard(KEY, plan, {
      metrics: recorder,
      enabled: true,
      intervalMs: 20,
      onDecision: (d) => void seen.push(d.action),
    });
    await expect.poll(() => guard.state).toBe('stopped');
    expect(seen).toEqual(['rollback']);
    expect(await storage.getFlag(KEY, 'production')).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
    expect(users.some((u) => flags.isEnabledSync(KEY, u))).toBe(false);
    await flags.close();
  });

  it('works destructured, like the evaluation methods', async () => {
    const { flags, recorder } = setup(0.3);
    const { guard: startGuard } = flags;
    const guard = await startGuard(KEY, plan, { metrics: recorder, intervalMs: 20, logger: quiet });
    await expect.poll(() => guard.decisions.length).toBeGreaterThanOrEqual(1);
    expect(guard.last).toMatchObject({ action: 'rollback', dryRun: true });
    await guard.stop();
    await flags.close();
  });

  it('advances a healthy release step by step until it completes', async () => {
    const { storage, flags, recorder } = setup(0.01);
    const guard = await flags.guard(KEY, plan, { metrics: recorder, enabled: true, intervalMs: 10, logger: quiet });
    await expect.poll(() => guard.state, { timeout: 10_000 }).toBe('stopped');
    expect(guard.decisions.filter((d) => d.action !== 'hold').map((d) => [d.action, d.from, d.to])).toEqual([
      ['advance', 5, 25],
      ['advance', 25, 100],
      ['complete', 100, 100],
    ]);
    expect((await storage.getFlag(KEY, 'production'))?.rollout).toBe(100);
    await flags.close();
  });

  it('of two guards on one flag in a process, only the first acts; stop() frees the flag', async () => {
    const { flags, recorder } = setup(0.01);
    const first = await flags.guard(KEY, { ...plan, minSamplePerStep: 1e9 }, { metrics: recorder, intervalMs: 10_000, logger: quiet });
    await expect.poll(() => first.decisions.length).toBe(1);
    const second = await flags.guard(KEY, plan, { metrics: recorder, intervalMs: 10_000, logger: quiet });
    await expect.poll(() => second.decisions.length).toBe(1);
    expect(second.last?.reasons[0]).toMatch(/another controller holds the lease/);
    await first.stop();
    expect(first.state).toBe('stopped');
    expect((await second.controller.check()).reasons[0]).not.toMatch(/another controller/);
    await second.stop();
    await flags.close();
  });

  it('rejects a bad plan or interval before any check', async () => {
    const { flags, recorder } = setup(0.01);
    await expect(flags.guard(KEY, { ...plan, steps: [] }, { metrics: recorder })).rejects.toMatchObject({
      code: 'INVALID_PLAN',
      field: 'steps',
    });
    await expect(flags.guard(KEY, plan, { metrics: recorder, intervalMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      field: 'intervalMs',
    });
    await expect(flags.guard(KEY, plan)).rejects.toMatchObject({ code: 'INVALID_OPTIONS', field: 'metrics' });
    await flags.close();
  });

  it('the Edge build has no controller: its loader rejects with UNSUPPORTED_RUNTIME', async () => {
    await expect(loadGuardOnEdge()).rejects.toMatchObject({ code: 'UNSUPPORTED_RUNTIME' });
  });
});
