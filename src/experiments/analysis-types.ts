/**
 * The types of `analyzeExperiment`: its options and the per-metric, per-variant results.
 */
import type { GaussianPrior } from './bayesian.js';
import type { PValueCorrection } from './corrections.js';
import type { ComparisonProblem } from './effect-moments.js';
import type { MetricDefinition } from './metric-stats.js';
import type { PowerAnswer } from './power.js';
import type { SampleRatioCheck } from './srm-check.js';

/** The statistics engine of an analysis. */
export type StatsEngine = 'frequentist' | 'bayesian';

/** The part a metric plays: the `goal` decides, `secondary` metrics inform, `guardrails` must not get significantly worse. */
export type MetricRole = 'goal' | 'secondary' | 'guardrail';

/** Options of {@link analyzeExperiment}. */
export interface AnalyzeExperimentOptions {
  /** Definitions of every metric named below (kind, direction, CUPED). */
  metrics: readonly MetricDefinition[];
  /** Key of the metric that decides. */
  goal: string;
  /** Keys of metrics reported, and corrected for, without deciding. */
  secondary?: readonly string[];
  /** Keys of metrics that must show no significant harm (one-sided tests with the frequentist engine). */
  guardrails?: readonly string[];
  /** `frequentist` (default: t-tests, p-values) or `bayesian` (chance to win, risk, credible intervals). */
  engine?: StatsEngine;
  /**
   * Sequential testing (frequentist engine): confidence sequences that stay valid however often
   * results are read, at the cost of wider intervals. `true` uses the tuning parameter 5,000 (the
   * number of users, both arms together, where the intervals are tightest); set it near the
   * sample size you expect. Default false: fixed-horizon tests, valid only when read once.
   */
  sequential?:
    | boolean
    | {
        /** The sample size, in users of all arms, at which the sequence is tightest. */
        tuning: number;
      };
  /** Significance level, and intervals at `1 − alpha`. Between 0 and 0.5; default 0.05. */
  alpha?: number;
  /**
   * Multiple-comparison correction over every goal and secondary metric of every variant
   * (frequentist engine). Default `holm-bonferroni` when more than one comparison is made,
   * `none` for one variant and one metric. Guardrails are never corrected (a correction would make harm harder to see).
   */
  correction?: PValueCorrection;
  /** The variant others are compared with. Default: the first key of `weights`, else the first variant of the statistics. */
  control?: string;
  /** Configured weights, for the sample-ratio-mismatch check. Default: equal weights. */
  weights?: Readonly<Record<string, number>>;
  /** CUPED for metrics whose definition asks for it and whose statistics carry `pre` sums. Default true; false turns it off everywhere. */
  cuped?: boolean;
  /** Gaussian prior on relative effects (Bayesian engine). Default `{ mean: 0, stddev: 0.3, proper: false }` (flat). */
  prior?: Partial<GaussianPrior>;
  /** Chance to win at which the Bayesian engine calls a winner (and, from the other side, harm). Default 0.95. */
  chanceToWinThreshold?: number;
  /** Relative minimum detectable effect of the goal metric (0.02 is 2 %): adds power and sample-size figures. */
  minimumDetectableEffect?: number;
  /** Target power of those figures. Default 0.8. */
  targetPower?: number;
  /** Users exposed per day across all variants: turns the users still needed into days. */
  usersPerDay?: number;
}

/** One effect (relative or absolute) of a variant against control. */
export interface EffectResult {
  /** The effect: relative (0.05 is +5 %) or absolute (in the metric's unit). Bayesian: the posterior mean. */
  estimate: number;
  /** Standard error of the estimate (Bayesian: posterior standard deviation). */
  standardError: number;
  /** Confidence (or credible) interval at `1 − alpha`; one end is infinite for guardrails' one-sided tests. */
  interval: [number, number];
  /** Frequentist p-value (one-sided for guardrails). */
  pValue?: number;
  /** The p-value after the multiple-comparison correction. */
  adjustedPValue?: number;
  /** The interval widened to match `adjustedPValue`; `(−∞, ∞)` when it is 1. */
  adjustedInterval?: [number, number];
  /** Bayesian: probability that the variant is better (lower, for `direction: 'decrease'`). */
  chanceToWin?: number;
  /** Bayesian: expected loss of keeping control and of shipping the variant. */
  risk?: {
    /** Expected loss of keeping control, relative. */
    control: number;
    /** Expected loss of shipping the variant, relative. */
    variant: number;
  };
}

/** What a comparison says: for goal and secondary metrics `BETTER`/`WORSE`/`INCONCLUSIVE`, for guardrails `HARM`/`NO_HARM`. */
export type ComparisonOutcome = 'BETTER' | 'WORSE' | 'INCONCLUSIVE' | 'HARM' | 'NO_HARM' | 'NOT_ENOUGH_DATA';

/** A variant against control on one metric. */
export interface MetricComparison {
  /** What the comparison says. */
  outcome: ComparisonOutcome;
  /** Why there are no effects, when `outcome` is `NOT_ENOUGH_DATA`. */
  problem?: ComparisonProblem;
  /** The relative effect (decides the outcome). */
  relative?: EffectResult;
  /** The absolute effect. */
  absolute?: EffectResult;
  /** CUPED, when it applied: θ and the share of the relative effect's variance it removed. */
  cuped?: {
    /** The regression coefficient of the post-exposure value on the pre-exposure one. */
    theta: number;
    /** Share of the variance removed, 0–1. */
    varianceReduction: number;
  };
  /** Goal metric with `minimumDetectableEffect`: power now and users (and days) still needed. */
  power?: PowerAnswer & {
    /** Days of traffic still needed at the current rate, when `usersPerDay` was given. */
    additionalDays?: number;
  };
}

/** One variant's figures on one metric. */
export interface MetricVariantResult {
  /** The variant key. */
  variant: string;
  /** Users in the variant. */
  units: number;
  /** The metric's unadjusted value: conversion rate, mean per user, or ratio. */
  mean: number;
  /** Against control (absent on control's row). */
  comparison?: MetricComparison;
}

/** One metric across variants. */
export interface MetricAnalysis {
  /** The metric's key. */
  key: string;
  /** The metric's kind. */
  kind: MetricDefinition['kind'];
  /** The part it plays. */
  role: MetricRole;
  /** Higher or lower is better. */
  direction: 'increase' | 'decrease';
  /** Control first, then the other variants in input order. */
  variants: MetricVariantResult[];
}

/**
 * The decision: `SHIP` (a variant wins the goal without harming a guardrail; see `winner`),
 * `KEEP_CONTROL` (every variant loses the goal or harms a guardrail), `KEEP_RUNNING`,
 * `NOT_ENOUGH_DATA` (no goal comparison could be made) or `SAMPLE_RATIO_MISMATCH` (assignment is
 * broken: no decision can be trusted).
 */
export type AnalysisDecision = 'SHIP' | 'KEEP_CONTROL' | 'KEEP_RUNNING' | 'NOT_ENOUGH_DATA' | 'SAMPLE_RATIO_MISMATCH';

/** The result of {@link analyzeExperiment}. */
export interface ExperimentAnalysis {
  /** The control variant. */
  control: string;
  /** The engine used. */
  engine: StatsEngine;
  /** The sequential tuning parameter, when sequential testing was on. */
  sequentialTuning?: number;
  /** Significance level. */
  alpha: number;
  /** The correction applied. */
  correction: PValueCorrection;
  /** Sample-ratio-mismatch check of the variants' users against the weights. */
  srm: SampleRatioCheck;
  /** Goal first, then secondary metrics, then guardrails. */
  metrics: MetricAnalysis[];
  /** The decision. */
  decision: AnalysisDecision;
  /** The variant to ship when `decision` is `SHIP`. */
  winner?: string;
  /** One or two sentences for people. */
  summary: string;
  /** Problems with the data, in plain language. */
  warnings: string[];
}
