/**
 * One tick of the autoscaler: ask for a decision, then walk the gates in order (MAINTAIN,
 * confidence, bounds, cooldown, dry run) and act or record why not. Every path ends in exactly
 * one audit record; failures of `decide` and `execute` become records and logger lines.
 * @packageDocumentation
 */
import { messageOf } from '../../internal/errors.js';
import type { SafeLogger } from '../../internal/logger.js';
import type { AuditLog } from './audit-log.js';
import type { AutoscaleSettings } from './options.js';
import type { AuditRecord, AutoscaleDecision, AutoscaleOptions } from './types.js';

/** What the autoscaler remembers between ticks. */
export interface ScalerState {
  /** The replica count as the autoscaler knows it (simulated in dry run). */
  replicas: number;
  /** Clock reading of the last `execute` call (or simulated one), for the cooldown. */
  lastExecuteAt: number | undefined;
}

/** Everything a tick reads: the caller's functions, the checked settings, the state it updates. */
export interface TickContext {
  /** The caller's options: `decide` and `execute` are read from it at each tick. */
  options: Pick<AutoscaleOptions, 'decide' | 'execute'>;
  /** The checked options: bounds, step, cooldown, confidence, dry run, clock. */
  settings: AutoscaleSettings;
  /** Replicas and last execute time; the tick updates them. */
  state: ScalerState;
  /** Where the tick's record goes. */
  audit: AuditLog;
  /** Receives failures of `decide` and `execute`. */
  logger: SafeLogger;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : String(v));

/** Calls `decide`; undefined (after a DECIDE_FAILED record) when it throws or returns no decision. */
async function readDecision(context: TickContext, base: Omit<AuditRecord, 'decision' | 'confidence' | 'reasons' | 'outcome' | 'detail'>) {
  try {
    const result: AutoscaleDecision = await context.options.decide();
    if (result === null || typeof result !== 'object' || !['SCALE_UP', 'SCALE_DOWN', 'MAINTAIN'].includes(result.decision)) {
      throw new Error('decide returned no decision');
    }
    return { ok: true as const, result };
  } catch (error) {
    context.logger.warn(`elite/forecast: autoscale decide failed: ${messageOf(error)}`);
    const record = context.audit.record({
      ...base,
      decision: undefined,
      confidence: undefined,
      reasons: [],
      outcome: 'DECIDE_FAILED',
      detail: 'decide failed; nothing done',
      error: messageOf(error),
    });
    return { ok: false as const, record };
  }
}

/** Runs one tick: decides, maybe acts, and resolves to the tick's audit record. Never rejects. */
export async function runTick(context: TickContext): Promise<AuditRecord> {
  const { settings, state, audit, logger } = context;
  const { minConfidence, cooldownMs, minReplicas, maxReplicas, step, dryRun } = settings;
  const at = settings.clock.now();
  const base = { at, replicasBefore: state.replicas, replicasAfter: state.replicas, acted: false, dryRun, targetReplicas: undefined };
  const read = await readDecision(context, base);
  if (!read.ok) return read.record;
  const { decision, confidence } = read.result;
  const reasons = Array.isArray(read.result.reasons) ? [...read.result.reasons] : [];
  const seen = { ...base, decision, confidence, reasons };
  if (decision === 'MAINTAIN') return audit.record({ ...seen, outcome: 'MAINTAIN', detail: 'decision is MAINTAIN' });
  const target = Math.min(maxReplicas, Math.max(minReplicas, state.replicas + (decision === 'SCALE_UP' ? step : -step)));
  const aimed = { ...seen, targetReplicas: target };
  if (!(confidence >= minConfidence)) {
    return audit.record({
      ...aimed,
      outcome: 'BELOW_CONFIDENCE',
      detail: `confidence ${fmt(confidence)} is below minConfidence ${fmt(minConfidence)}`,
    });
  }
  if (target === state.replicas) {
    return audit.record({
      ...aimed,
      outcome: 'AT_BOUND',
      detail: `already at ${decision === 'SCALE_UP' ? `maxReplicas ${maxReplicas}` : `minReplicas ${minReplicas}`}`,
    });
  }
  const { lastExecuteAt } = state;
  if (lastExecuteAt !== undefined && at - lastExecuteAt < cooldownMs) {
    return audit.record({
      ...aimed,
      outcome: 'COOLDOWN',
      detail: `cooldown: ${cooldownMs - (at - lastExecuteAt)} ms left of ${cooldownMs} ms`,
    });
  }
  state.lastExecuteAt = at;
  if (dryRun) {
    state.replicas = target;
    return audit.record({
      ...aimed,
      replicasAfter: target,
      outcome: 'DRY_RUN',
      detail: `dry run: would scale ${base.replicasBefore} → ${target}`,
    });
  }
  try {
    const set = await context.options.execute({ decision, fromReplicas: base.replicasBefore, toReplicas: target, confidence, reasons });
    // Trust the orchestrator's answer when it gives one, but never outside the bounds.
    state.replicas = typeof set === 'number' && Number.isInteger(set) ? Math.min(maxReplicas, Math.max(minReplicas, set)) : target;
    return audit.record({
      ...aimed,
      replicasAfter: state.replicas,
      acted: true,
      outcome: 'EXECUTED',
      detail: `scaled ${base.replicasBefore} → ${state.replicas}`,
    });
  } catch (error) {
    logger.warn(`elite/forecast: autoscale execute failed: ${messageOf(error)}`);
    return audit.record({
      ...aimed,
      outcome: 'EXECUTE_FAILED',
      detail: 'execute failed; the cooldown still applies before the next try',
      error: messageOf(error),
    });
  }
}
