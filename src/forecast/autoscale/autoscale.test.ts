import { afterEach, describe, expect, it, vi } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import type { DecisionResult, ScalingDecision } from '../scaling/index.js';
import { type AuditRecord, type AutoscaleOptions, autoscale, type ScaleAction } from './index.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function decision(d: ScalingDecision, confidence: number): DecisionResult {
  return {
    decision: d,
    confidence,
    reasons: [`P(${d}): ${confidence}`, 'CPU: 80%'],
    featureImportance: {},
    probabilities: { SCALE_UP: 0, SCALE_DOWN: 0, MAINTAIN: 0, [d]: confidence },
    forecast: undefined,
    summary: `Decision: ${d}`,
  };
}

/** A scaler whose next decisions come from a queue, with a recording execute. */
function setup(overrides: Partial<AutoscaleOptions> = {}) {
  const clock = fakeClock();
  const queue: DecisionResult[] = [];
  const executed: ScaleAction[] = [];
  const logger = { warn: vi.fn(), error: vi.fn() };
  const scaler = autoscale({
    decide: () => queue.shift() ?? decision('MAINTAIN', 1),
    execute: (action) => {
      executed.push(action);
    },
    cooldownMs: 60_000,
    minReplicas: 2,
    maxReplicas: 5,
    dryRun: false,
    clock,
    logger,
    ...overrides,
  });
  return { clock, queue, executed, scaler, logger };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('autoscale', () => {
  it('executes a confident decision and records it', async () => {
    const { scaler, queue, executed } = setup();
    queue.push(decision('SCALE_UP', 0.9));
    const entry = await scaler.tick();
    expect(executed).toEqual([
      { decision: 'SCALE_UP', fromReplicas: 2, toReplicas: 3, confidence: 0.9, reasons: ['P(SCALE_UP): 0.9', 'CPU: 80%'] },
    ]);
    expect(entry).toMatchObject({
      outcome: 'EXECUTED',
      acted: true,
      replicasBefore: 2,
      replicasAfter: 3,
      targetReplicas: 3,
      at: 1_000_000,
      dryRun: false,
    });
    expect(scaler.replicas).toBe(3);
    expect(scaler.auditLog).toEqual([entry]);
  });

  it('does not act below minConfidence (default 0.7), nor on MAINTAIN, but records both', async () => {
    const { scaler, queue, executed } = setup();
    queue.push(decision('SCALE_UP', 0.69), decision('MAINTAIN', 0.95), decision('SCALE_UP', 0.7));
    const low = await scaler.tick();
    const keep = await scaler.tick();
    const ok = await scaler.tick();
    expect(low).toMatchObject({ outcome: 'BELOW_CONFIDENCE', acted: false, targetReplicas: 3, replicasAfter: 2 });
    expect(low.detail).toBe('confidence 0.69 is below minConfidence 0.70');
    expect(keep).toMatchObject({ outcome: 'MAINTAIN', acted: false, targetReplicas: undefined });
    expect(ok.outcome).toBe('EXECUTED');
    expect(executed).toHaveLength(1);
    expect(scaler.auditLog.map((r) => r.outcome)).toEqual(['BELOW_CONFIDENCE', 'MAINTAIN', 'EXECUTED']);
  });

  it('never executes twice within the cooldown, and again once it has passed', async () => {
    const { scaler, queue, executed, clock } = setup();
    queue.push(decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.95), decision('SCALE_UP', 0.95), decision('SCALE_UP', 0.95));
    await scaler.tick();
    clock.advance(30_000);
    const blocked = await scaler.tick();
    expect(blocked).toMatchObject({ outcome: 'COOLDOWN', acted: false, replicasAfter: 3 });
    expect(blocked.detail).toBe('cooldown: 30000 ms left of 60000 ms');
    clock.advance(29_999);
    expect((await scaler.tick()).outcome).toBe('COOLDOWN');
    clock.advance(1);
    expect((await scaler.tick()).outcome).toBe('EXECUTED');
    expect(executed.map((a) => a.toReplicas)).toEqual([3, 4]);
  });

  it('clamps to the bounds and records AT_BOUND instead of executing', async () => {
    const { scaler, queue, executed, clock } = setup({ cooldownMs: 0, replicas: 4, step: 3 });
    queue.push(decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9), decision('SCALE_DOWN', 0.9), decision('SCALE_DOWN', 0.9));
    expect((await scaler.tick()).targetReplicas).toBe(5);
    const atMax = await scaler.tick();
    expect(atMax).toMatchObject({ outcome: 'AT_BOUND', detail: 'already at maxReplicas 5' });
    clock.advance(1);
    expect((await scaler.tick()).replicasAfter).toBe(2);
    expect((await scaler.tick()).detail).toBe('already at minReplicas 2');
    expect(executed.map((a) => a.toReplicas)).toEqual([5, 2]);
    for (const a of executed) {
      expect(a.toReplicas).toBeGreaterThanOrEqual(2);
      expect(a.toReplicas).toBeLessThanOrEqual(5);
    }
  });

  it('dry run (the default) never executes, records what it would do and simulates count and cooldown', async () => {
    const { scaler, queue, executed, clock } = setup({ dryRun: undefined });
    queue.push(decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9));
    const first = await scaler.tick();
    expect(first).toMatchObject({
      outcome: 'DRY_RUN',
      acted: false,
      dryRun: true,
      replicasBefore: 2,
      replicasAfter: 3,
      detail: 'dry run: would scale 2 → 3',
    });
    expect((await scaler.tick()).outcome).toBe('COOLDOWN');
    clock.advance(60_000);
    expect((await scaler.tick()).replicasAfter).toBe(4);
    expect(executed).toEqual([]);
    expect(scaler.replicas).toBe(4);
  });

  it('uses the replica count execute reports, clamped', async () => {
    const { scaler, queue } = setup({ execute: () => 99, cooldownMs: 0 });
    queue.push(decision('SCALE_UP', 0.9));
    expect((await scaler.tick()).replicasAfter).toBe(5);
    const async = setup({ execute: async () => 3, cooldownMs: 0 });
    async.queue.push(decision('SCALE_UP', 0.9));
    expect((await async.scaler.tick()).replicasAfter).toBe(3);
  });

  it('never rejects: decide and execute failures become audit records and warnings; the cooldown holds after a failed execute', async () => {
    let fail = true;
    const calls: number[] = [];
    const { scaler, queue, logger, clock } = setup({
      execute: () => {
        calls.push(clock.now());
        if (fail) throw new Error('orchestrator down');
      },
    });
    const broken = setup({
      decide: () => {
        throw new Error('no metrics');
      },
    });
    const entry = await broken.scaler.tick();
    expect(entry).toMatchObject({ outcome: 'DECIDE_FAILED', decision: undefined, error: 'no metrics', acted: false });
    expect(broken.logger.warn).toHaveBeenCalledTimes(1);
    const garbage = setup({ decide: () => ({ decision: 'PANIC' }) as never });
    expect((await garbage.scaler.tick()).error).toBe('decide returned no decision');
    const rejects = setup({ decide: () => Promise.reject(new Error('late')) });
    expect((await rejects.scaler.tick()).error).toBe('late');

    queue.push(decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9));
    expect(await scaler.tick()).toMatchObject({ outcome: 'EXECUTE_FAILED', error: 'orchestrator down', replicasAfter: 2, acted: false });
    expect(logger.warn).toHaveBeenCalledWith('elite/forecast: autoscale execute failed: orchestrator down');
    clock.advance(10_000);
    expect((await scaler.tick()).outcome).toBe('COOLDOWN');
    clock.advance(50_000);
    fail = false;
    expect((await scaler.tick()).outcome).toBe('EXECUTED');
    expect(calls).toHaveLength(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(60_000);
  });

  it('runs one tick at a time: a concurrent tick shares the pending one', async () => {
    let release: () => void = () => {};
    const executed: number[] = [];
    const { scaler, queue } = setup({
      cooldownMs: 0,
      execute: (action) =>
        new Promise<void>((resolve) => {
          executed.push(action.toReplicas);
          release = resolve;
        }),
    });
    queue.push(decision('SCALE_UP', 0.9), decision('SCALE_UP', 0.9));
    const a = scaler.tick();
    const b = scaler.tick();
    await Promise.resolve();
    await Promise.resolve();
    release();
    expect(await a).toBe(await b);
    expect(executed).toEqual([3]);
    expect(scaler.auditLog).toHaveLength(1);
  });

  it('caps the audit log, counts drops and passes every record to onAudit (whose errors are contained)', async () => {
    const seen: AuditRecord[] = [];
    const { scaler, logger } = setup({
      maxAuditRecords: 2,
      onAudit: (r) => {
        seen.push(r);
        if (seen.length === 2) throw new Error('disk full');
      },
    });
    for (let i = 0; i < 5; i++) await scaler.tick();
    expect(scaler.auditLog).toHaveLength(2);
    expect(scaler.droppedAuditRecords).toBe(3);
    expect(seen).toHaveLength(5);
    expect(logger.warn).toHaveBeenCalledWith('elite/forecast: onAudit threw: disk full');
  });

  it('start ticks on an interval until stop', async () => {
    vi.useFakeTimers();
    const decide = vi.fn(() => decision('MAINTAIN', 1));
    const { scaler } = setup({ decide });
    scaler.start(1000);
    scaler.start(1000); // restarting replaces the timer rather than adding one
    await vi.advanceTimersByTimeAsync(3500);
    expect(decide).toHaveBeenCalledTimes(3);
    scaler.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(decide).toHaveBeenCalledTimes(3);
    expect(scaler.auditLog).toHaveLength(3);
    expect(() => scaler.start(0)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    scaler.stop();
  });

  it('uses Date.now without a clock', async () => {
    const scaler = autoscale({ decide: () => decision('MAINTAIN', 1), execute: () => {}, cooldownMs: 0, minReplicas: 1, maxReplicas: 1 });
    const before = Date.now();
    const entry = await scaler.tick();
    expect(entry.at).toBeGreaterThanOrEqual(before);
    expect(entry.dryRun).toBe(true);
  });

  it('throws INVALID_OPTIONS for bad options', () => {
    const ok: AutoscaleOptions = {
      decide: () => decision('MAINTAIN', 1),
      execute: () => {},
      cooldownMs: 0,
      minReplicas: 1,
      maxReplicas: 3,
    };
    const bad: Array<Partial<AutoscaleOptions> | null> = [
      null,
      { decide: undefined as never },
      { execute: 'x' as never },
      { minConfidence: 1.5 },
      { cooldownMs: -1 },
      { cooldownMs: undefined as never },
      { minReplicas: -1 },
      { maxReplicas: 0 },
      { step: 0 },
      { maxAuditRecords: 0 },
      { replicas: 4 },
    ];
    for (const b of bad) {
      const call = () => autoscale(b === null ? (null as never) : { ...ok, ...b });
      expect(call).toThrow(EliteError);
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
  });
});
