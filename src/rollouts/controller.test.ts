import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import type { FlagDefinition } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import { createRolloutController } from './controller.js';
import { validatePlan } from './plan.js';
import { createRolloutRecorder } from './recorder.js';
import { differenceSequence, momentsFromSums } from './sequential.js';
import type { RolloutFigures, RolloutPlan } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const plan: RolloutPlan = {
  flagKey: 'f',
  environment: 'production',
  steps: [10, 50, 100],
  minStepMs: 0,
  minSamplePerStep: 100,
  guardrails: [{ metric: 'error_rate' }],
};
const flag = (rollout: number): FlagDefinition => ({ key: 'f', environment: 'production', enabled: true, rollout });
const group = (requests: number, errors: number) => ({
  requests,
  errors,
  latencySum: 0,
  latencySumSquares: 0,
  costSum: 0,
  costSumSquares: 0,
});
const source = (figures: RolloutFigures) => ({ read: async () => figures });
const healthy = source({ treatment: group(1_000, 10), control: group(9_000, 90) });
const harmful = source({ treatment: group(1_000, 80), control: group(9_000, 90) });

describe('rollout plans', () => {
  it.each([
    ['steps', { steps: [] }],
    ['steps[1]', { steps: [5, 5] }],
    ['steps[0]', { steps: [0, 50] }],
    ['steps[1]', { steps: [50, 101] }],
    ['guardrails', { guardrails: [] }],
    ['guardrails[0].metric', { guardrails: [{ metric: 'p99' }] }],
    ['guardrails[0].tolerance', { guardrails: [{ metric: 'latency', tolerance: -1 }] }],
    ['minSamplePerStep', { minSamplePerStep: 0.5 }],
    ['onHarm', { onHarm: 'pause' }],
    ['alpha', { alpha: 0.7 }],
    ['flagKey', { flagKey: '' }],
    ['guardrails[0].metric.kind', { guardrails: [{ metric: { key: 'c', kind: 'median', source: { event: 'buy' } } }] }],
    ['guardrails[0].metric.source.event', { guardrails: [{ metric: { key: 'c', kind: 'binomial', source: {} } }] }],
    ['guardrails[0].metric.denominator', { guardrails: [{ metric: { key: 'c', kind: 'ratio', source: { event: 'buy' } } }] }],
    ['guardrails[0].metric.direction', { guardrails: [{ metric: { key: 'c', kind: 'mean', source: { event: 'buy' }, direction: 'up' } }] }],
    ['guardrails[0].metric.cuped', { guardrails: [{ metric: { key: 'c', kind: 'mean', source: { event: 'buy' }, cuped: true } }] }],
    ['guardrails[1].metric', { guardrails: [{ metric: 'latency' }, { metric: 'latency' }] }],
    ['treatmentVariants', { treatmentVariants: [] }],
  ])('refuses a plan with a bad %s (INVALID_PLAN naming the field)', (field, change) => {
    try {
      validatePlan({ ...plan, ...change } as RolloutPlan);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EliteError);
      expect((error as EliteError).code).toBe('INVALID_PLAN');
      expect((error as EliteError).field).toBe(field);
    }
  });

  it('fills in the defaults', () => {
    expect(validatePlan({ flagKey: 'f', environment: 'production', steps: [50, 100], guardrails: [{ metric: 'latency' }] })).toEqual({
      flagKey: 'f',
      environment: 'production',
      steps: [50, 100],
      minStepMs: 600_000,
      minSamplePerStep: 1_000,
      guardrails: [{ metric: 'latency', tolerance: 0 }],
      onHarm: 'rollback',
      alpha: 0.05,
      sequentialTuning: 5_000,
      treatmentVariants: ['on'],
    });
  });
});

describe('the confidence sequence', () => {
  it('is wider than the fixed-horizon interval and narrows as the sample grows', () => {
    const widths = [1_000, 10_000, 100_000].map((n) => {
      const t = momentsFromSums(n, n * 0.02, n * 0.02);
      const c = momentsFromSums(n, n * 0.02, n * 0.02);
      const [low, high] = differenceSequence(t, c, 0.05, 5_000)!;
      const fixed = 2 * 1.959964 * Math.sqrt((2 * 0.02 * 0.98) / n) * Math.sqrt(n / (n - 1));
      expect(high - low).toBeGreaterThan(fixed);
      return high - low;
    });
    expect(widths[1]).toBeLessThan(widths[0]!);
    expect(widths[2]).toBeLessThan(widths[1]!);
  });
});

describe('the rollout controller', () => {
  it('in a dry run (the default) decides but writes nothing', async () => {
    const storage = createMemoryStorage({ flags: [flag(10)] });
    const controller = createRolloutController({ storage, plan, metrics: healthy, logger: quiet });
    const decision = await controller.check();
    expect(decision).toMatchObject({ action: 'advance', from: 10, to: 50, dryRun: true });
    expect((await storage.getFlag('f', 'production'))?.rollout).toBe(10);
  });

  it('rolls back a harmed flag and then holds until the state is cleared; kill disables it', async () => {
    const storage = createMemoryStorage({ flags: [flag(10)] });
    const controller = createRolloutController({ storage, plan, metrics: harmful, enabled: true, logger: quiet });
    expect(await controller.check()).toMatchObject({ action: 'rollback', from: 10, to: 0, dryRun: false });
    expect(await controller.check()).toMatchObject({ action: 'hold', reasons: [expect.stringMatching(/rolled back earlier/)] });
    const stored = await storage.getFlag('f', 'production');
    expect(stored).toMatchObject({ rollout: 0, enabled: true, metadata: { 'rollout.state': 'rolled_back' } });

    const killStore = createMemoryStorage({ flags: [flag(10)] });
    const killer = createRolloutController({
      storage: killStore,
      plan: { ...plan, onHarm: 'kill' },
      metrics: harmful,
      enabled: true,
      logger: quiet,
    });
    await killer.check();
    expect(await killStore.getFlag('f', 'production')).toMatchObject({ rollout: 0, enabled: false });
  });

  it('holds, never advances, when the metrics or the store cannot be read', async () => {
    const storage = createMemoryStorage({ flags: [flag(10)] });
    const blind = createRolloutController({
      storage,
      plan,
      metrics: { read: () => Promise.reject(new Error('prometheus down')) },
      enabled: true,
      logger: quiet,
    });
    expect(await blind.check()).toMatchObject({
      action: 'hold',
      reasons: [expect.stringMatching(/metrics unavailable \(prometheus down\)/)],
    });
    const down: StorageAdapter = { ...storage, getFlag: () => Promise.reject(new Error('ECONNREFUSED')) };
    const cut = createRolloutController({ storage: down, plan, metrics: healthy, enabled: true, logger: quiet });
    expect(await cut.check()).toMatchObject({ action: 'hold', reasons: [expect.stringMatching(/store is unavailable/)] });
    expect((await storage.getFlag('f', 'production'))?.rollout).toBe(10);
  });

  it('of two controllers acting on the same read, one write wins and the other writes nothing', async () => {
    const storage = createMemoryStorage({ flags: [flag(10)] });
    const a = createRolloutController({ storage, plan, metrics: healthy, enabled: true, logger: quiet });
    const b = createRolloutController({ storage, plan, metrics: healthy, enabled: true, logger: quiet });
    const [first, second] = await Promise.all([a.check(), b.check()]);
    expect([first.dryRun, second.dryRun].sort()).toEqual([false, true]);
    expect([...first.reasons, ...second.reasons].join(' ')).toMatch(/changed since it was read/);
    expect(await storage.getFlag('f', 'production')).toMatchObject({ rollout: 50, version: 2 });
  });

  it('holds until the step has its time and sample, and reports each decision', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const now = () => clock;
    const storage = createMemoryStorage({ flags: [flag(10)], now });
    const recorder = createRolloutRecorder({ now, bucketMs: 1_000 });
    const onDecision = vi.fn(() => {
      throw new Error('notifier down');
    });
    const controller = createRolloutController({
      storage,
      plan: { ...plan, minStepMs: 60_000 },
      metrics: recorder,
      enabled: true,
      now,
      onDecision,
      logger: quiet,
    });
    clock += 1_000;
    for (let i = 0; i < 200; i++) recorder.record('f', i % 10 === 0, { error: false });
    clock += 1_000;
    const early = await controller.check();
    expect(early.action).toBe('hold');
    expect(early.reasons.join(' ')).toMatch(/of 60 s.*20 of 100 requests/);
    for (let i = 0; i < 2_000; i++) recorder.record('f', i % 10 === 0, { error: false });
    clock += 60_000;
    expect(await controller.check()).toMatchObject({ action: 'advance', to: 50, treatmentRequests: 220 });
    expect(onDecision).toHaveBeenCalledTimes(2);
    expect(controller.decisions.map((d) => d.action)).toEqual(['hold', 'advance']);
    expect(recorder.dropped).toBe(0);
    recorder.record('f', true, { latencyMs: Number.NaN });
    expect(recorder.dropped).toBe(1);
  });

  it('refuses a missing store or metrics source at creation', () => {
    expect(() => createRolloutController({ storage: undefined as never, plan, metrics: healthy })).toThrow(/storage must be a store/);
    expect(() => createRolloutController({ storage: createMemoryStorage(), plan, metrics: {} as never })).toThrow(/metrics must have read/);
  });
});
