/**
 * The types of guarded rollouts: a plan (steps, minimum time and sample per step, guardrails),
 * the figures a guardrail reads for the users on the new code and for the rest, and the decision a
 * check makes.
 */

import type { MetricDefinition, MetricKind, MetricStats } from '../experiments/metric-stats.js';

/** What a guardrail compares between the users on the new code and the rest. */
export type GuardrailMetric =
  /** Share of requests that failed (`errors / requests`). */
  | 'error_rate'
  /** Mean request latency, ms (a shift of the distribution moves its p95 and its mean alike). */
  | 'latency'
  /** Mean LLM cost per request, USD. */
  | 'cost_per_request';

/** One guardrail of a plan. */
export interface Guardrail {
  /**
   * The figure compared: a request metric the metrics source reads, or an experiment metric (the
   * definitions of `flags.results(key, { analysis })`: binomial, mean or ratio on tracked events,
   * with its `direction`) that the store computes per variant from the exposures and events since
   * the step began (`queryMetricStats`). CUPED is not used here.
   */
  metric: GuardrailMetric | MetricDefinition;
  /**
   * Harm tolerated before the guardrail counts as harmed, relative to the rest's figure: 0.1 lets
   * the new code be 10 % worse. Default 0: any worsening the test is sure of.
   */
  tolerance?: number;
}

/** A rollout plan on one flag. */
export interface RolloutPlan {
  /** The flag rolled out: a toggle whose `rollout` the controller moves. */
  flagKey: string;
  /** The flag's environment. */
  environment: string;
  /** Rollout percentages, increasing, each in (0, 100]; the last is usually 100. */
  steps: readonly number[];
  /** Shortest time on a step before advancing, ms. Default 10 minutes. */
  minStepMs?: number;
  /** Fewest requests from users on the new code during a step before advancing. Default 1,000. */
  minSamplePerStep?: number;
  /** What is compared at every check. At least one. */
  guardrails: readonly Guardrail[];
  /** What a harmed guardrail does: `rollback` sets the rollout to 0, `kill` disables the flag. Default `rollback`. */
  onHarm?: 'rollback' | 'kill';
  /**
   * The chance of rolling back a healthy release over the whole rollout, at most. Split evenly
   * over every guardrail on every step (Bonferroni), each compared by a confidence sequence, so
   * checking as often as you like does not raise it. Default 0.05.
   */
  alpha?: number;
  /** Tuning of the confidence sequence (the sample size where it is tightest). Default 5,000. */
  sequentialTuning?: number;
  /**
   * The variants of the new code, for experiment-metric guardrails: users exposed to one of these
   * are compared with the users exposed to the flag's other variants. Default `['on']`.
   */
  treatmentVariants?: readonly string[];
}

/** A plan with every default filled in, as `validatePlan` returns it. */
export type ResolvedPlan = Omit<Required<RolloutPlan>, 'guardrails'> & {
  /** The guardrails, each with its tolerance. */
  guardrails: readonly Required<Guardrail>[];
};

/**
 * What a metrics source reports for one group of users over a window: sums, so that rates and
 * means and their variances follow.
 */
export interface GroupFigures {
  /** Requests (or calls) made. */
  requests: number;
  /** Of which failed. */
  errors: number;
  /** Σ latency, ms. */
  latencySum: number;
  /** Σ latency², ms². */
  latencySumSquares: number;
  /** Σ LLM cost, USD. */
  costSum: number;
  /** Σ cost², USD². */
  costSumSquares: number;
}

/** The figures of both groups since a time. */
export interface RolloutFigures {
  /** Users served the new code (the flag on). */
  treatment: GroupFigures;
  /** Everyone else. */
  control: GroupFigures;
  /**
   * Experiment metrics' sufficient statistics, metric key → statistics, summed over the variants
   * of each group (the controller reads them from the store for experiment-metric guardrails).
   */
  experiment?: {
    /** Users exposed to a variant of the new code. */
    treatment: Record<string, MetricStats>;
    /** Users exposed to the other variants. */
    control: Record<string, MetricStats>;
  };
}

/** Where a controller reads its figures: the app's telemetry, Prometheus, experiment events. */
export interface RolloutMetricsSource {
  /** The figures of both groups from `since` (ms since the epoch) to now. May reject: the controller then holds. */
  read(flagKey: string, since: number): Promise<RolloutFigures>;
}

/** The outcome of one guardrail at one check. */
export interface GuardrailResult {
  /** The figure compared: a {@link GuardrailMetric}, or the experiment metric's key. */
  metric: string;
  /** The experiment metric's kind, for an experiment-metric guardrail. */
  kind?: MetricKind;
  /** The new code's figure. */
  treatment: number;
  /** The rest's figure. */
  control: number;
  /** Confidence sequence of `treatment − control` (at the plan's alpha split over guardrails and steps), valid whenever it is read; undefined without data. */
  interval?: [number, number];
  /** `harmed`: worse beyond the tolerance with the plan's confidence; `ok`: not shown harmful; `no_data`: a group has fewer than 50 requests (users, for an experiment metric). */
  status: 'harmed' | 'ok' | 'no_data';
}

/** What a check decided. */
export type RolloutAction = 'advance' | 'hold' | 'rollback' | 'complete';

/** One decision, with the figures behind it. */
export interface RolloutDecision {
  /** The flag. */
  flagKey: string;
  /** What the controller does (or, in a dry run, would do). */
  action: RolloutAction;
  /** Rollout percentage before the decision. */
  from: number;
  /** Rollout percentage after it (0 after a rollback; the same on hold). */
  to: number;
  /** Sentences for people: why. */
  reasons: string[];
  /** Each guardrail's figures. */
  guardrails: GuardrailResult[];
  /** Requests from users on the new code during this step. */
  treatmentRequests: number;
  /** Time on this step, ms. */
  stepAgeMs: number;
  /** When the check ran, ms since the epoch. */
  at: number;
  /** True when nothing was written (dry run, or another writer changed the flag first). */
  dryRun: boolean;
}
