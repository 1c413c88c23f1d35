import { EliteError, messageOf } from '../internal/errors.js';
import { type Logger, toSafeLogger } from '../internal/logger.js';
import type { DecisionResult, ScalingDecision } from './scaling/index.js';

/** What `execute` is asked to do. */
export interface ScaleAction {
  decision: Exclude<ScalingDecision, 'MAINTAIN'>;
  fromReplicas: number;
  /** Already clamped to [minReplicas, maxReplicas]. */
  toReplicas: number;
  confidence: number;
  reasons: string[];
}

/** Why a tick did or did not act. */
export type AutoscaleOutcome =
  | 'EXECUTED'
  | 'DRY_RUN'
  | 'MAINTAIN'
  | 'BELOW_CONFIDENCE'
  | 'COOLDOWN'
  | 'AT_BOUND'
  | 'DECIDE_FAILED'
  | 'EXECUTE_FAILED';

/** One audit record per tick, acted on or not. */
export interface AuditRecord {
  /** Clock reading (epoch ms) when the tick started. */
  at: number;
  /** Undefined when `decide` failed. */
  decision: ScalingDecision | undefined;
  confidence: number | undefined;
  reasons: string[];
  replicasBefore: number;
  /** The count after the tick: the target when executed (or simulated in dry run), else unchanged. */
  replicasAfter: number;
  /** The clamped target an action would have set, when the decision was to scale. */
  targetReplicas: number | undefined;
  /** True only when `execute` was called and resolved. */
  acted: boolean;
  dryRun: boolean;
  outcome: AutoscaleOutcome;
  /** One sentence: why this outcome. */
  detail: string;
  /** The failure message for DECIDE_FAILED / EXECUTE_FAILED. */
  error?: string;
}

/**
 * What the autoscaler reads from a decision: a {@link DecisionResult} from `decide()` fits, and so
 * does a hand-made `{ decision, confidence, reasons }`.
 */
export type AutoscaleDecision = Pick<DecisionResult, 'decision' | 'confidence' | 'reasons'>;

/** Options of {@link autoscale}. */
export interface AutoscaleOptions {
  /** Produces a decision; typically closes over fresh metrics and a forecast. May be async. */
  decide: () => AutoscaleDecision | Promise<AutoscaleDecision>;
  /**
   * Applies an action (calls your orchestrator). When it returns or resolves to a whole number,
   * that is taken as the replica count actually set (clamped to the bounds); anything else means
   * `toReplicas` was set. A throw or rejection is recorded as EXECUTE_FAILED.
   */
  execute: (action: ScaleAction) => unknown;
  /** Smallest confidence that acts, in [0, 1]. Default 0.7. */
  minConfidence?: number;
  /** Time after an `execute` call (successful or not) during which no other call is made. Required; 0 disables. */
  cooldownMs: number;
  minReplicas: number;
  maxReplicas: number;
  /** Replicas at start. Default `minReplicas`. */
  replicas?: number;
  /** Replicas added or removed per action. Default 1. */
  step?: number;
  /**
   * Default true: never call `execute`; record `DRY_RUN` with the target and simulate the
   * change (replica count and cooldown) so the log shows what a live run would have done.
   */
  dryRun?: boolean;
  /** Time source (epoch ms). Default `Date.now`; tests inject a fake. */
  clock?: { now(): number };
  /** Audit records kept in memory, oldest dropped first. Default 1000. */
  maxAuditRecords?: number;
  /** Called with every record (persist it, log it); errors it throws are logged and ignored. */
  onAudit?: (record: AuditRecord) => void;
  /** Receives failures of `decide`, `execute` and `onAudit`. Default `console`. */
  logger?: Logger;
}

/** The running loop returned by {@link autoscale}. */
export interface Autoscaler {
  /** Decides once and maybe acts; never rejects. A tick started while one runs returns that one's record. */
  tick(): Promise<AuditRecord>;
  /** Ticks every `intervalMs` (timer unref'd) until {@link Autoscaler.stop}; restarting replaces the timer. */
  start(intervalMs: number): void;
  stop(): void;
  /** Oldest first; at most `maxAuditRecords`. */
  readonly auditLog: readonly AuditRecord[];
  /** Records dropped from `auditLog` because of its cap. */
  readonly droppedAuditRecords: number;
  /** The replica count as the autoscaler knows it (simulated in dry run). */
  readonly replicas: number;
}

/**
 * An auto-scaling loop around a decision function: acts only when the decision is to scale, its
 * confidence is at least `minConfidence`, the cooldown since the last `execute` call has passed
 * and the target (clamped to [minReplicas, maxReplicas]) differs from the current count. Every
 * tick leaves an audit record saying what was decided and why it was or was not acted on.
 * `dryRun` is on by default: turn it off once the log shows the decisions you want.
 *
 * Throws `INVALID_OPTIONS` for bad options; after that nothing throws: failures of `decide` and
 * `execute` become audit records and logger lines.
 *
 * @example
 * const scaler = autoscale({
 *   decide: async () => decide({ forecast: await nextHours(), capacity: 5000 }),
 *   execute: ({ toReplicas }) => k8s.scale('api', toReplicas),
 *   cooldownMs: 10 * 60_000, minReplicas: 2, maxReplicas: 20, dryRun: false,
 * });
 * scaler.start(60_000);
 */
export function autoscale(options: AutoscaleOptions): Autoscaler {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${field} ${rule}, got ${String(value)}`, { field });
  };
  if (options === null || typeof options !== 'object') fail('options', 'must be an object', options);
  if (typeof options.decide !== 'function') fail('decide', 'must be a function returning a decision', options.decide);
  if (typeof options.execute !== 'function') fail('execute', 'must be a function applying an action', options.execute);
  const minConfidence = options.minConfidence ?? 0.7;
  if (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1))
    fail('minConfidence', 'must be in [0, 1]', minConfidence);
  if (!Number.isInteger(options.cooldownMs) || options.cooldownMs < 0)
    fail('cooldownMs', 'must be a whole number of ms >= 0', options.cooldownMs);
  if (!Number.isInteger(options.minReplicas) || options.minReplicas < 0)
    fail('minReplicas', 'must be a whole number >= 0', options.minReplicas);
  if (!Number.isInteger(options.maxReplicas) || options.maxReplicas < options.minReplicas) {
    fail('maxReplicas', `must be a whole number >= minReplicas (${options.minReplicas})`, options.maxReplicas);
  }
  const step = options.step ?? 1;
  if (!Number.isInteger(step) || step < 1) fail('step', 'must be a whole number >= 1', step);
  const maxAudit = options.maxAuditRecords ?? 1000;
  if (!Number.isInteger(maxAudit) || maxAudit < 1) fail('maxAuditRecords', 'must be a whole number >= 1', maxAudit);
  let replicas = options.replicas ?? options.minReplicas;
  if (!Number.isInteger(replicas) || replicas < options.minReplicas || replicas > options.maxReplicas) {
    fail('replicas', `must be a whole number in [${options.minReplicas}, ${options.maxReplicas}]`, replicas);
  }
  const { cooldownMs, minReplicas, maxReplicas } = options;
  const dryRun = options.dryRun ?? true;
  const clock = options.clock ?? { now: Date.now };
  const logger = toSafeLogger(options.logger);
  const auditLog: AuditRecord[] = [];
  let dropped = 0;
  let lastExecuteAt: number | undefined;
  let inFlight: Promise<AuditRecord> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const record = (entry: AuditRecord): AuditRecord => {
    auditLog.push(entry);
    if (auditLog.length > maxAudit) {
      auditLog.shift();
      dropped++;
    }
    if (options.onAudit) {
      try {
        options.onAudit(entry);
      } catch (error) {
        logger.warn(`elite/forecast: onAudit threw: ${messageOf(error)}`);
      }
    }
    return entry;
  };

  const run = async (): Promise<AuditRecord> => {
    const at = clock.now();
    const base = { at, replicasBefore: replicas, replicasAfter: replicas, acted: false, dryRun, targetReplicas: undefined };
    let result: AutoscaleDecision;
    try {
      result = await options.decide();
      if (result === null || typeof result !== 'object' || !['SCALE_UP', 'SCALE_DOWN', 'MAINTAIN'].includes(result.decision)) {
        throw new Error('decide returned no decision');
      }
    } catch (error) {
      logger.warn(`elite/forecast: autoscale decide failed: ${messageOf(error)}`);
      return record({
        ...base,
        decision: undefined,
        confidence: undefined,
        reasons: [],
        outcome: 'DECIDE_FAILED',
        detail: 'decide failed; nothing done',
        error: messageOf(error),
      });
    }
    const { decision, confidence } = result;
    const reasons = Array.isArray(result.reasons) ? [...result.reasons] : [];
    const seen = { ...base, decision, confidence, reasons };
    if (decision === 'MAINTAIN') return record({ ...seen, outcome: 'MAINTAIN', detail: 'decision is MAINTAIN' });
    const target = Math.min(maxReplicas, Math.max(minReplicas, replicas + (decision === 'SCALE_UP' ? step : -step)));
    const aimed = { ...seen, targetReplicas: target };
    if (!(confidence >= minConfidence)) {
      return record({
        ...aimed,
        outcome: 'BELOW_CONFIDENCE',
        detail: `confidence ${fmt(confidence)} is below minConfidence ${fmt(minConfidence)}`,
      });
    }
    if (target === replicas) {
      return record({
        ...aimed,
        outcome: 'AT_BOUND',
        detail: `already at ${decision === 'SCALE_UP' ? `maxReplicas ${maxReplicas}` : `minReplicas ${minReplicas}`}`,
      });
    }
    if (lastExecuteAt !== undefined && at - lastExecuteAt < cooldownMs) {
      return record({
        ...aimed,
        outcome: 'COOLDOWN',
        detail: `cooldown: ${cooldownMs - (at - lastExecuteAt)} ms left of ${cooldownMs} ms`,
      });
    }
    lastExecuteAt = at;
    if (dryRun) {
      replicas = target;
      return record({
        ...aimed,
        replicasAfter: target,
        outcome: 'DRY_RUN',
        detail: `dry run: would scale ${base.replicasBefore} → ${target}`,
      });
    }
    try {
      const set = await options.execute({ decision, fromReplicas: base.replicasBefore, toReplicas: target, confidence, reasons });
      // Trust the orchestrator's answer when it gives one, but never outside the bounds.
      replicas = typeof set === 'number' && Number.isInteger(set) ? Math.min(maxReplicas, Math.max(minReplicas, set)) : target;
      return record({
        ...aimed,
        replicasAfter: replicas,
        acted: true,
        outcome: 'EXECUTED',
        detail: `scaled ${base.replicasBefore} → ${replicas}`,
      });
    } catch (error) {
      logger.warn(`elite/forecast: autoscale execute failed: ${messageOf(error)}`);
      return record({
        ...aimed,
        outcome: 'EXECUTE_FAILED',
        detail: 'execute failed; the cooldown still applies before the next try',
        error: messageOf(error),
      });
    }
  };

  const tick = (): Promise<AuditRecord> => {
    // One tick at a time: a second execute must not start while the first is pending.
    inFlight ??= run().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    tick,
    start(intervalMs) {
      if (!Number.isInteger(intervalMs) || intervalMs < 1) fail('intervalMs', 'must be a whole number of ms >= 1', intervalMs);
      if (timer !== undefined) clearInterval(timer);
      timer = setInterval(() => void tick(), intervalMs);
      (timer as { unref?: () => void }).unref?.();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    get auditLog() {
      return auditLog;
    },
    get droppedAuditRecords() {
      return dropped;
    },
    get replicas() {
      return replicas;
    },
  };
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : String(v));
