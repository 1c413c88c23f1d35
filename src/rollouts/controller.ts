/**
 * The guarded-rollout controller: at each `check()` it reads the flag and the figures since the
 * step began, decides (decide.ts), and, when enabled, writes the new rollout to the store with the
 * flag's version (optimistic concurrency: a flag changed meanwhile is left alone, and of two
 * controllers only one write of a step succeeds). Dry run unless `enabled: true`.
 *
 * State lives in the flag itself, so a controller can restart or run as a scheduled job: the
 * rollout percentage is the step, the flag's `updatedAt` is when the step began, and
 * `metadata['rollout.state']` is `rolled_back` after a rollback (the controller then holds until a
 * person clears it).
 */
import type { StorageAdapter } from '../adapters/types.js';
import type { StoredFlag } from '../definitions/index.js';
import { EliteError } from '../internal/errors.js';
import { type Logger, toSafeLogger } from '../internal/logger.js';
import { decideRollout } from './decide.js';
import { experimentMetricsOf, readExperimentFigures } from './experiment-guardrail.js';
import type { RolloutLease } from './lease.js';
import { validatePlan } from './plan.js';
import type { ResolvedPlan, RolloutDecision, RolloutFigures, RolloutMetricsSource, RolloutPlan } from './types.js';

/** The metadata key holding a controller's state on the flag. */
export const ROLLOUT_STATE_KEY = 'rollout.state';
/** The metadata key holding the last written decision in a sentence (its action, percentages and reasons, at most 256 characters): the flag's history keeps each one. */
export const ROLLOUT_DECISION_KEY = 'rollout.decision';
/** Who the controller's writes are attributed to (the store's `updatedBy`). */
export const ROLLOUT_WRITER = 'rollout-controller';

/** Options of {@link createRolloutController}. */
export interface RolloutControllerOptions {
  /** The store holding the flag. */
  storage: StorageAdapter;
  /** The plan; checked at once (`INVALID_PLAN`). */
  plan: RolloutPlan;
  /**
   * Where the request guardrails' figures come from. Not needed when every guardrail is an
   * experiment metric (read from `storage`): the step's sample is then the users exposed to the
   * new code.
   */
  metrics?: RolloutMetricsSource;
  /** Write decisions to the flag. Default false: a dry run that only reports. */
  enabled?: boolean;
  /** Called with each decision (to notify Discord, log, chart). Errors it throws are logged, never rethrown. */
  onDecision?: (decision: RolloutDecision) => void | Promise<void>;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Where problems are logged. Default `console`. */
  logger?: Logger;
  /**
   * Only the holder of this lease acts (`createPostgresLease`, `createMemoryLease`): a check
   * without it holds, writes nothing and says another controller has the flag. Default none.
   */
  lease?: RolloutLease;
}

/** A controller for one plan. */
export interface RolloutController {
  /** The plan with its defaults. */
  readonly plan: ResolvedPlan;
  /** Runs one check; never rejects (a store or metrics failure is a `hold` with the reason). */
  check(): Promise<RolloutDecision>;
  /** Every decision so far, oldest first (the last 1,000). */
  readonly decisions: readonly RolloutDecision[];
  /** Gives up the lease, if any. Never rejects. */
  close(): Promise<void>;
}

const MAX_DECISIONS = 1_000;

/** A hold decided before any figure was read (no lease, no store, no flag): nothing written. */
const earlyHold = (flagKey: string, at: number, reason: string, rollout = NaN): RolloutDecision => ({
  flagKey,
  action: 'hold',
  from: rollout,
  to: rollout,
  reasons: [reason],
  guardrails: [],
  treatmentRequests: 0,
  stepAgeMs: 0,
  at,
  dryRun: true,
});

const emptyGroup = () => ({ requests: 0, errors: 0, latencySum: 0, latencySumSquares: 0, costSum: 0, costSumSquares: 0 });

/** Creates a controller. Throws `INVALID_PLAN` for a bad plan and `INVALID_OPTIONS` for a missing store or source. */
export function createRolloutController(options: RolloutControllerOptions): RolloutController {
  const plan = validatePlan(options.plan);
  if (typeof options.storage?.getFlag !== 'function')
    throw new EliteError('INVALID_OPTIONS', 'elite/rollouts: storage must be a store (createMemoryStorage, createPostgresStorage, …)', {
      field: 'storage',
    });
  const experimentMetrics = experimentMetricsOf(plan);
  const requestGuarded = experimentMetrics.length < plan.guardrails.length;
  if ((requestGuarded || options.metrics !== undefined) && typeof options.metrics?.read !== 'function')
    throw new EliteError('INVALID_OPTIONS', 'elite/rollouts: metrics must have read(flagKey, since), e.g. createRolloutRecorder()', {
      field: 'metrics',
    });
  if (experimentMetrics.length > 0 && typeof options.storage.queryMetricStats !== 'function')
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/rollouts: experiment-metric guardrails need a store with queryMetricStats (memory, PostgreSQL, Supabase); ${options.storage.metadata?.name ?? 'this store'} has none`,
      { field: 'storage' },
    );
  const { storage, metrics } = options;
  const now = options.now ?? Date.now;
  const logger = toSafeLogger(options.logger);
  const decisions: RolloutDecision[] = [];

  const write = async (flag: StoredFlag, decision: Omit<RolloutDecision, 'dryRun'>): Promise<string | undefined> => {
    // The decision and its figures go with the write, so the flag's history tells why it moved.
    const summary = `${decision.action} ${decision.from} % → ${decision.to} %: ${decision.reasons.join('; ')}`;
    const metadata: NonNullable<StoredFlag['metadata']> = { ...flag.metadata, [ROLLOUT_DECISION_KEY]: summary.slice(0, 256) };
    const next = { ...flag, rollout: decision.to, metadata };
    if (decision.action === 'rollback') {
      metadata[ROLLOUT_STATE_KEY] = 'rolled_back';
      if (plan.onHarm === 'kill') next.enabled = false;
    }
    try {
      await storage.writeFlag(next, { expectedVersion: flag.version, updatedBy: ROLLOUT_WRITER });
      return undefined;
    } catch (error) {
      if (error instanceof EliteError && error.code === 'VERSION_CONFLICT')
        return 'the flag changed since it was read; nothing written, the next check decides again';
      return `the write failed (${error instanceof Error ? error.message : String(error)}); nothing written`;
    }
  };

  /** The request figures from the source and the experiment metrics from the store; rejects when either cannot be read. */
  const readFigures = async (flag: StoredFlag, since: number): Promise<RolloutFigures> => {
    if (experimentMetrics.length > 0 && flag.variants === undefined)
      throw new Error(
        `experiment-metric guardrails compare the users exposed to each variant, and a flag without variants records no exposures; give "${plan.flagKey}" variants`,
      );
    const [figures, experiment] = await Promise.all([
      metrics?.read(plan.flagKey, since) ?? { treatment: emptyGroup(), control: emptyGroup() },
      experimentMetrics.length > 0 ? readExperimentFigures(storage, plan, since) : undefined,
    ]);
    if (experiment === undefined) return figures;
    // Without a request source, the step's sample is the users exposed to the new code.
    if (metrics === undefined) figures.treatment.requests = Math.max(...Object.values(experiment.treatment).map((m) => m.units));
    return { ...figures, experiment };
  };

  /** Why this controller may not act now, or undefined when it may. */
  const leaseProblem = async (): Promise<string | undefined> => {
    if (options.lease === undefined) return undefined;
    try {
      if (await options.lease.acquire()) return undefined;
      return `another controller holds the lease on ${plan.flagKey}: holding, this one does not act`;
    } catch (error) {
      return `the lease could not be taken (${error instanceof Error ? error.message : String(error)}): holding`;
    }
  };

  const decide = async (): Promise<RolloutDecision> => {
    const at = now();
    const problem = await leaseProblem();
    if (problem !== undefined) return earlyHold(plan.flagKey, at, problem);
    let flag: StoredFlag | undefined;
    try {
      flag = await storage.getFlag(plan.flagKey, plan.environment);
    } catch (error) {
      return earlyHold(plan.flagKey, at, `the store is unavailable (${error instanceof Error ? error.message : String(error)}): holding`);
    }
    if (flag === undefined) return earlyHold(plan.flagKey, at, `no flag "${plan.flagKey}" in ${plan.environment}`, 0);
    const stepStartedAt = Date.parse(flag.updatedAt);
    let figures: RolloutFigures | undefined;
    let sourceError: string | undefined;
    try {
      figures = await readFigures(flag, stepStartedAt);
    } catch (error) {
      sourceError = error instanceof Error ? error.message : String(error);
    }
    const state = {
      rollout: flag.rollout ?? 100,
      rolledBack: flag.metadata?.[ROLLOUT_STATE_KEY] === 'rolled_back' || (plan.onHarm === 'kill' && !flag.enabled),
      stepStartedAt,
      now: at,
    };
    const decision = decideRollout(plan, state, figures, sourceError);
    const writes = decision.action === 'advance' || decision.action === 'rollback';
    if (!writes || options.enabled !== true) return { ...decision, dryRun: writes };
    const failure = await write(flag, decision);
    if (failure === undefined) return { ...decision, dryRun: false };
    return { ...decision, reasons: [...decision.reasons, failure], dryRun: true };
  };

  return {
    plan,
    decisions,
    async check() {
      const decision = await decide();
      decisions.push(decision);
      if (decisions.length > MAX_DECISIONS) decisions.shift();
      try {
        await options.onDecision?.(decision);
      } catch (error) {
        logger.warn(`elite/rollouts: onDecision threw (${error instanceof Error ? error.message : String(error)}); the decision stands`);
      }
      return decision;
    },
    close: async () => {
      await options.lease?.release().catch(() => {});
    },
  };
}
