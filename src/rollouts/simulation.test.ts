/**
 * Guarded rollouts driven end to end in one process: synthetic users hit a real flags client on the
 * memory store, each request lands in the rollout recorder with the group the flag served, and the
 * controller checks every 10 simulated seconds and writes the rollout to the store.
 */

import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from '../flags/create-flags.js';
import type { FlagDefinition } from '../flags/types.js';
import { seededRandom } from '../internal/seeded-random.js';
import { createRolloutController } from './controller.js';
import { createRolloutRecorder } from './recorder.js';
import type { RolloutDecision, RolloutPlan } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const KEY = 'new-checkout';
const TICK_MS = 10_000;

/** A standard normal draw (Box–Muller). */
const normal = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

interface Scenario {
  seed: number;
  /** Error probability of the old and the new code. */
  errorOld: number;
  errorNew: number;
  /** Median latency multiplier of the new code. */
  latencyFactor: number;
  requestsPerTick: number;
  maxTicks: number;
}

const plan: RolloutPlan = {
  flagKey: KEY,
  environment: 'production',
  steps: [1, 5, 25, 50, 100],
  minStepMs: 5 * 60_000,
  minSamplePerStep: 300,
  guardrails: [{ metric: 'error_rate' }, { metric: 'latency' }],
};

async function run(scenario: Scenario) {
  const rand = seededRandom(scenario.seed);
  let clock = Date.UTC(2026, 11, 1);
  const now = () => clock;
  const flag: FlagDefinition = { key: KEY, environment: 'production', enabled: true, rollout: 0 };
  const storage = createMemoryStorage({ flags: [flag], now });
  const flags = createFlags({ storage, logger: quiet, now, trackExposures: false });
  await flags.refresh();
  const recorder = createRolloutRecorder({ now });
  const controller = createRolloutController({ storage, plan, metrics: recorder, enabled: true, now, logger: quiet });
  const exposedToNew = new Set<string>();
  const timeline: RolloutDecision[] = [];
  for (let tick = 0; tick < scenario.maxTicks; tick++) {
    for (let i = 0; i < scenario.requestsPerTick; i++) {
      const user = `user-${Math.floor(rand() * 500_000)}`;
      const onNew = flags.isEnabledSync(KEY, user);
      if (onNew) exposedToNew.add(user);
      const error = rand() < (onNew ? scenario.errorNew : scenario.errorOld);
      const latencyMs = 200 * (onNew ? scenario.latencyFactor : 1) * Math.exp(0.5 * normal(rand));
      recorder.record(KEY, onNew, { error, latencyMs });
    }
    clock += TICK_MS;
    const decision = await controller.check();
    if (decision.action !== 'hold') timeline.push(decision);
    if (decision.action === 'advance' || decision.action === 'rollback') await flags.refresh();
    if (decision.action === 'rollback' || decision.action === 'complete') break;
  }
  await flags.close();
  return { timeline, exposedToNew: exposedToNew.size, stored: await storage.getFlag(KEY, 'production') };
}

describe('guarded rollouts in simulation', () => {
  it('a healthy release reaches 100 % in the planned steps, each after its minimum time and sample', async () => {
    const { timeline, stored } = await run({
      seed: 1,
      errorOld: 0.01,
      errorNew: 0.01,
      latencyFactor: 1,
      requestsPerTick: 1_000,
      maxTicks: 400,
    });
    expect(timeline.map((d) => [d.action, d.from, d.to])).toEqual([
      ['advance', 0, 1],
      ['advance', 1, 5],
      ['advance', 5, 25],
      ['advance', 25, 50],
      ['advance', 50, 100],
      ['complete', 100, 100],
    ]);
    for (const d of timeline.slice(1, 5)) {
      expect(d.stepAgeMs).toBeGreaterThanOrEqual(plan.minStepMs!);
      expect(d.treatmentRequests).toBeGreaterThanOrEqual(plan.minSamplePerStep!);
      expect(d.guardrails.every((g) => g.status === 'ok')).toBe(true);
    }
    expect(stored?.rollout).toBe(100);
  });

  it.each([
    ['+3 points of error rate', { errorNew: 0.04, latencyFactor: 1 }, 'error_rate'],
    ['+40 % latency', { errorNew: 0.01, latencyFactor: 1.4 }, 'latency'],
  ])('a release with %s is rolled back before 25 %%', async (_name, bad, metric) => {
    const { timeline, exposedToNew, stored } = await run({ seed: 2, errorOld: 0.01, ...bad, requestsPerTick: 1_000, maxTicks: 400 });
    const rollback = timeline.at(-1)!;
    expect(rollback.action).toBe('rollback');
    expect(rollback.from).toBeLessThan(25);
    expect(rollback.guardrails.find((g) => g.metric === metric)?.status).toBe('harmed');
    expect(rollback.reasons.join(' ')).toMatch(/worse on the new code/);
    expect(stored).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
    // The decision and its figures are written with the flag, so its history says why it moved.
    expect(stored?.metadata?.['rollout.decision']).toMatch(/^rollback \d+ % → 0 %: .* is worse on the new code: .* against /);
    // Users exposed to the bad code: a few percent of those who visited, reported by the suite.
    expect(exposedToNew).toBeGreaterThan(0);
    expect(exposedToNew).toBeLessThan(5_000);
    console.info(`${_name}: rolled back at ${rollback.from} %, ${exposedToNew} users exposed to the new code`);
  });

  it('an A/A release is rolled back in at most alpha of repeated runs', async () => {
    const runs = 100;
    let rollbacks = 0;
    for (let seed = 100; seed < 100 + runs; seed++) {
      const { timeline } = await run({ seed, errorOld: 0.02, errorNew: 0.02, latencyFactor: 1, requestsPerTick: 400, maxTicks: 600 });
      if (timeline.some((d) => d.action === 'rollback')) rollbacks++;
      else expect(timeline.at(-1)?.action).toBe('complete');
    }
    console.info(`A/A: ${rollbacks} rollbacks in ${runs} runs`);
    expect(rollbacks / runs).toBeLessThanOrEqual(0.05);
  }, 120_000);
});
