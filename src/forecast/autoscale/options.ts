/**
 * The autoscaler's options, checked once when the loop is built: every bound, count and
 * confidence validated in a fixed order (the first bad one is the one reported), defaults filled in.
 * @packageDocumentation
 */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import type { AutoscaleOptions } from './types.js';

/** The checked options of one autoscaler, defaults applied. */
export interface AutoscaleSettings {
  /** Smallest confidence that acts, in [0, 1]. */
  minConfidence: number;
  /** Time after an `execute` call during which no other call is made, ms. */
  cooldownMs: number;
  /** Lower replica bound. */
  minReplicas: number;
  /** Upper replica bound. */
  maxReplicas: number;
  /** Replicas added or removed per action. */
  step: number;
  /** Audit records kept in memory. */
  maxAuditRecords: number;
  /** Replicas at start, within the bounds. */
  replicas: number;
  /** Simulate instead of calling `execute`. */
  dryRun: boolean;
  /** Time source. */
  clock: {
    /** The current time, epoch ms. */
    now(): number;
  };
}

/** Throws the `INVALID_OPTIONS` error of a bad autoscaler option: `field` and the rule it breaks. */
export function invalidOption(field: string, rule: string, value: unknown): never {
  throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${field} ${rule}, got ${String(value)}`, { field });
}

/** Checks `options` and fills in the defaults. Throws `INVALID_OPTIONS` naming the first bad option. */
export function resolveAutoscaleOptions(options: AutoscaleOptions): AutoscaleSettings {
  checkOptionsObject(options);
  if (typeof options.decide !== 'function') invalidOption('decide', 'must be a function returning a decision', options.decide);
  if (typeof options.execute !== 'function') invalidOption('execute', 'must be a function applying an action', options.execute);
  const minConfidence = options.minConfidence ?? 0.7;
  if (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1))
    invalidOption('minConfidence', 'must be in [0, 1]', minConfidence);
  if (!Number.isInteger(options.cooldownMs) || options.cooldownMs < 0)
    invalidOption('cooldownMs', 'must be a whole number of ms >= 0', options.cooldownMs);
  if (!Number.isInteger(options.minReplicas) || options.minReplicas < 0)
    invalidOption('minReplicas', 'must be a whole number >= 0', options.minReplicas);
  if (!Number.isInteger(options.maxReplicas) || options.maxReplicas < options.minReplicas) {
    invalidOption('maxReplicas', `must be a whole number >= minReplicas (${options.minReplicas})`, options.maxReplicas);
  }
  const step = options.step ?? 1;
  if (!Number.isInteger(step) || step < 1) invalidOption('step', 'must be a whole number >= 1', step);
  const maxAuditRecords = options.maxAuditRecords ?? 1000;
  if (!Number.isInteger(maxAuditRecords) || maxAuditRecords < 1)
    invalidOption('maxAuditRecords', 'must be a whole number >= 1', maxAuditRecords);
  const replicas = options.replicas ?? options.minReplicas;
  if (!Number.isInteger(replicas) || replicas < options.minReplicas || replicas > options.maxReplicas) {
    invalidOption('replicas', `must be a whole number in [${options.minReplicas}, ${options.maxReplicas}]`, replicas);
  }
  return {
    minConfidence,
    cooldownMs: options.cooldownMs,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    step,
    maxAuditRecords,
    replicas,
    dryRun: options.dryRun ?? true,
    clock: options.clock ?? { now: Date.now },
  };
}
