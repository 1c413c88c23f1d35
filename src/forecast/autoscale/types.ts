/**
 * The autoscaler's public shapes: its options, the action `execute` receives, the audit record
 * every tick leaves, and the running loop `autoscale()` returns.
 * @packageDocumentation
 */
import type { Logger } from '../../internal/logger.js';
import type { DecisionResult, ScalingDecision } from '../scaling/index.js';

/** What `execute` is asked to do. */
export interface ScaleAction {
  /** The direction: `SCALE_UP` or `SCALE_DOWN` (a MAINTAIN never reaches `execute`). */
  decision: Exclude<ScalingDecision, 'MAINTAIN'>;
  /** The replica count before the action, as the autoscaler knows it. */
  fromReplicas: number;
  /** Already clamped to [minReplicas, maxReplicas]. */
  toReplicas: number;
  /** The decision's confidence, in [0, 1]; at least `minConfidence`. */
  confidence: number;
  /** The decision's reasons, for your orchestrator's log. */
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
  /** The decision's confidence; undefined when `decide` failed. */
  confidence: number | undefined;
  /** The decision's reasons; empty when `decide` failed. */
  reasons: string[];
  /** The replica count when the tick started. */
  replicasBefore: number;
  /** The count after the tick: the target when executed (or simulated in dry run), else unchanged. */
  replicasAfter: number;
  /** The clamped target an action would have set, when the decision was to scale. */
  targetReplicas: number | undefined;
  /** True only when `execute` was called and resolved. */
  acted: boolean;
  /** Whether the autoscaler ran in dry run (simulating instead of calling `execute`). */
  dryRun: boolean;
  /** What the tick did, or why it did nothing. */
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
  /** Fewest replicas: a whole number >= 0. Scale-downs stop here (outcome AT_BOUND). Required. */
  minReplicas: number;
  /** Most replicas: a whole number >= `minReplicas`. Scale-ups stop here (outcome AT_BOUND). Required. */
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
  /** Time source: `now()` returns epoch ms. Default `{ now: Date.now }`, the system clock; tests inject a fake. */
  clock?: {
    /** The current time, epoch ms. */
    now(): number;
  };
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
  /** Stops the timer of {@link Autoscaler.start}; a tick already running completes. */
  stop(): void;
  /** Oldest first; at most `maxAuditRecords`. */
  readonly auditLog: readonly AuditRecord[];
  /** Records dropped from `auditLog` because of its cap. */
  readonly droppedAuditRecords: number;
  /** The replica count as the autoscaler knows it (simulated in dry run). */
  readonly replicas: number;
}
