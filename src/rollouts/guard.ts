/**
 * `flags.guard(key, plan, options)`: a guarded-rollout controller running inside the app, on the
 * flags client's own store and environment. Checks at once, then every `intervalMs` (an unref'd
 * timer: it never keeps the process alive), under a lease (the in-process one by default, so two
 * guards of one flag in a process do not both act; `createPostgresLease` across processes), and
 * refreshes the client after each write so the app serves the new rollout at once. A dry run
 * unless `enabled: true`. Stops by itself after a rollback or at the last step.
 *
 * Loaded by the flags client through a dynamic `import()`, so the flags entry does not carry it.
 */
import type { StorageAdapter } from '../adapters/types.js';
import { EliteError } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import { createRolloutController, type RolloutController } from './controller.js';
import { createMemoryLease, leaseName, type RolloutLease } from './lease.js';
import type { RolloutDecision, RolloutMetricsSource, RolloutPlan } from './types.js';

/** A plan for `flags.guard`: the flag and environment are the call's and the client's. */
export type GuardPlan = Omit<RolloutPlan, 'flagKey' | 'environment'>;

/** Options of `flags.guard`. */
export interface GuardOptions {
  /** Where the request guardrails' figures come from (a recorder, Prometheus). Not needed when every guardrail is an experiment metric. */
  metrics?: RolloutMetricsSource;
  /** Write decisions to the flag. Default false: a dry run that decides and reports only. */
  enabled?: boolean;
  /** Time between checks, ms. Default 60,000; at least 10. */
  intervalMs?: number;
  /** Called with each decision (notify, log, chart); errors it throws are logged. */
  onDecision?: (decision: RolloutDecision) => void | Promise<void>;
  /** Only its holder acts. Default an in-process lease on the flag and environment (`createPostgresLease` for several processes). */
  lease?: RolloutLease;
  /** Where problems are logged. Default `console`. */
  logger?: Logger;
}

/** A running guard. */
export interface RolloutGuard {
  /** `running` until `stop()`, a rollback or the last step. */
  readonly state: 'running' | 'stopped';
  /** The latest decision, once the first check has run. */
  readonly last: RolloutDecision | undefined;
  /** Every decision so far, oldest first (the last 1,000). */
  readonly decisions: readonly RolloutDecision[];
  /** The controller behind the guard (its resolved plan, a check on demand). */
  readonly controller: RolloutController;
  /** Stops the checks and gives up the lease. Resolves once a check under way has finished. Never rejects. */
  stop(): Promise<void>;
}

/** What the guard needs of the flags client. */
export interface GuardedClient {
  /** The client's store. */
  readonly storage: StorageAdapter;
  /** The client's environment. */
  readonly environment: string;
  /** Reloads the client's flags. */
  refresh(): Promise<unknown>;
}

/** Starts a guard: throws `INVALID_PLAN` or `INVALID_OPTIONS` before any check. */
export function startGuard(client: GuardedClient, flagKey: string, plan: GuardPlan, options: GuardOptions = {}): RolloutGuard {
  const intervalMs = options.intervalMs ?? 60_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw new EliteError('INVALID_OPTIONS', `elite/flags: guard(): intervalMs must be a number of ms ≥ 10, got ${String(intervalMs)}`, {
      field: 'intervalMs',
    });
  const controller = createRolloutController({
    storage: client.storage,
    plan: { ...plan, flagKey, environment: client.environment },
    metrics: options.metrics,
    enabled: options.enabled === true,
    onDecision: options.onDecision,
    logger: options.logger,
    lease: options.lease ?? createMemoryLease(leaseName(flagKey, client.environment)),
  });
  let state: RolloutGuard['state'] = 'running';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    const decision = await controller.check();
    if (!decision.dryRun) await client.refresh();
    if (decision.action === 'rollback' || decision.action === 'complete') return void (await stop());
    if (state === 'running') {
      timer = setTimeout(() => (running = tick()), intervalMs);
      (timer as { unref?: () => void }).unref?.();
    }
  };
  const stop = async () => {
    if (state === 'stopped') return;
    state = 'stopped';
    clearTimeout(timer);
    await controller.close();
  };
  running = tick();

  return {
    get state() {
      return state;
    },
    get last() {
      return controller.decisions.at(-1);
    },
    get decisions() {
      return controller.decisions;
    },
    controller,
    async stop() {
      await stop();
      await running.catch(() => {});
    },
  };
}
