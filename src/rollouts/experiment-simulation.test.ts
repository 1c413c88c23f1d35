/**
 * Guardrails on experiment metrics, driven end to end in one process: synthetic users hit a real
 * flags client on the memory store (exposures and `track()` conversions buffered and flushed to
 * it), and the controller compares a conversion rate and a mean LLM cost between the users
 * exposed to the new variant and the rest, from the store's `queryMetricStats`.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { MetricDefinition } from '../experiments/metric-stats.js';
import { createFlags } from '../flags/create-flags.js';
import type { FlagDefinition } from '../flags/types.js';
import { seededRandom } from '../internal/seeded-random.js';
import { createRolloutController } from './controller.js';
import type { RolloutDecision, RolloutPlan } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const KEY = 'new-assistant';
const TICK_MS = 60_000;

const conversion: MetricDefinition = { key: 'conversion', kind: 'binomial', source: { event: 'purchase' } };
const cost: MetricDefinition = { key: 'llm_cost', kind: 'mean', source: { event: 'llm_call' }, direction: 'decrease' };

const plan: RolloutPlan = {
  flagKey: KEY,
  environment: 'production',
  steps: [10, 25, 50, 100],
  minStepMs: 5 * 60_000,
  minSamplePerStep: 400,
  sequentialTuning: 1_000,
  guardrails: [{ metric: conversion }, { metric: cost }],
};

interface Scenario {
  seed: number;
  /** Chance that a visit ends in a purchase, old and new code. */
  convertOld: number;
  convertNew: number;
  /** Mean LLM cost of a visit, USD, old and new code. */
  costOld: number;
  costNew: number;
  visitsPerTick: number;
  maxTicks: number;
}

async function run(scenario: Scenario) {
  const rand = seededRandom(scenario.seed);
  let clock = Date.UTC(2026, 11, 1);
  const now = () => clock;
  // The new code and a holdback of the old, split half and half among the users the rollout includes.
  const flag: FlagDefinition = {
    key: KEY,
    environment: 'production',
    enabled: true,
    rollout: 0,
    variants: [
      { key: 'on', weight: 50 },
      { key: 'off', weight: 50 },
    ],
    defaultVariant: 'off',
  };
  const storage = createMemoryStorage({ flags: [flag], now });
  const flags = createFlags({ storage, logger: quiet, now, flushIntervalMs: 3_600_000 });
  await flags.refresh();
  const controller = createRolloutController({ storage, plan, enabled: true, now, logger: quiet });
  const timeline: RolloutDecision[] = [];
  const exposed = new Set<string>();
  for (let tick = 0; tick < scenario.maxTicks; tick++) {
    for (let i = 0; i < scenario.visitsPerTick; i++) {
      const user = `user-${Math.floor(rand() * 20_000)}`;
      const onNew = flags.getVariantSync(KEY, user) === 'on';
      if (onNew) exposed.add(user);
      // Exponential cost around its mean: skewed, as LLM spend is.
      flags.track('llm_call', user, { value: -(onNew ? scenario.costNew : scenario.costOld) * Math.log(1 - rand()) });
      if (rand() < (onNew ? scenario.convertNew : scenario.convertOld)) flags.track('purchase', user);
    }
    await flags.flush();
    clock += TICK_MS;
    const decision = await controller.check();
    if (decision.action !== 'hold') timeline.push(decision);
    if (decision.action === 'advance' || decision.action === 'rollback') await flags.refresh();
    if (decision.action === 'rollback' || decision.action === 'complete') break;
  }
  await flags.close();
  return { timeline, exposed: exposed.size, stored: await storage.getFlag(KEY, 'production') };
}

const base = { convertOld: 0.1, convertNew: 0.1, costOld: 0.02, costNew: 0.02, visitsPerTick: 600, maxTicks: 150 };

describe('guardrails on experiment metrics, in simulation', () => {
  it('a healthy release advances through every step', async () => {
    const { timeline, stored } = await run({ seed: 1, ...base });
    expect(timeline.map((d) => [d.action, d.from, d.to])).toEqual([
      ['advance', 0, 10],
      ['advance', 10, 25],
      ['advance', 25, 50],
      ['advance', 50, 100],
      ['complete', 100, 100],
    ]);
    for (const d of timeline.slice(1, 4)) {
      expect(d.treatmentRequests).toBeGreaterThanOrEqual(plan.minSamplePerStep!);
      expect(d.guardrails.map((g) => [g.metric, g.status])).toEqual([
        ['conversion', 'ok'],
        ['llm_cost', 'ok'],
      ]);
    }
    expect(stored?.rollout).toBe(100);
  });

  it.each([
    [
      'a conversion rate down from 10 % to 5 %',
      { convertNew: 0.05 },
      'conversion',
      /conversion is worse on the new code: .* \(at least .* lower/,
    ],
    ['an LLM cost per user up 50 %', { costNew: 0.03 }, 'llm_cost', /llm_cost is worse on the new code: .* \(at least .* higher/],
  ])('a release with %s is rolled back', async (name, bad, metric, reason) => {
    const { timeline, stored, exposed } = await run({ seed: 2, ...base, ...bad });
    const rollback = timeline.at(-1)!;
    expect(rollback.action).toBe('rollback');
    expect(rollback.from).toBeLessThan(50);
    expect(rollback.guardrails.find((g) => g.metric === metric)?.status).toBe('harmed');
    expect(rollback.reasons.join(' ')).toMatch(reason);
    expect(stored).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
    console.info(`${name}: rolled back at ${rollback.from} %, ${exposed} users exposed to the new code`);
  });

  it('an A/A release is rolled back in at most alpha of repeated runs', async () => {
    const runs = 20;
    let rollbacks = 0;
    for (let seed = 300; seed < 300 + runs; seed++) {
      const { timeline } = await run({ seed, ...base });
      if (timeline.some((d) => d.action === 'rollback')) rollbacks++;
      else expect(timeline.at(-1)?.action).toBe('complete');
    }
    console.info(`A/A on experiment metrics: ${rollbacks} rollbacks in ${runs} runs`);
    expect(rollbacks).toBeLessThanOrEqual(1);
  }, 300_000);
});

describe('experiment-metric guardrails: configuration', () => {
  const experimentPlan: RolloutPlan = { ...plan, minStepMs: 0 };

  it('needs a store with queryMetricStats, and a source for request guardrails', () => {
    const { queryMetricStats: _, ...storage } = createMemoryStorage();
    expect(() => createRolloutController({ storage: storage as never, plan: experimentPlan })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'storage' }),
    );
    expect(() =>
      createRolloutController({ storage: createMemoryStorage(), plan: { ...experimentPlan, guardrails: [{ metric: 'error_rate' }] } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'metrics' }));
  });

  it('holds on a flag without variants (it records no exposures), and when the store fails', async () => {
    const storage = createMemoryStorage({ flags: [{ key: KEY, environment: 'production', enabled: true, rollout: 10 }] });
    const controller = createRolloutController({ storage, plan: experimentPlan, enabled: true, logger: quiet });
    const decision = await controller.check();
    expect(decision.action).toBe('hold');
    expect(decision.reasons.join(' ')).toMatch(/a flag without variants records no exposures/);
    const failing = { ...storage, queryMetricStats: async () => Promise.reject(new Error('connection reset')) };
    await storage.writeFlag({
      key: KEY,
      environment: 'production',
      enabled: true,
      rollout: 10,
      variants: [
        { key: 'on', weight: 50 },
        { key: 'off', weight: 50 },
      ],
    });
    const second = await createRolloutController({ storage: failing, plan: experimentPlan, enabled: true, logger: quiet }).check();
    expect(second).toMatchObject({ action: 'hold', reasons: [expect.stringMatching(/metrics unavailable \(connection reset\)/)] });
  });
});
