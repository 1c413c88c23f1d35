/**
 * The options of `analyzeExperiment`, checked and with their defaults: configuration errors throw
 * `INVALID_OPTIONS` with what to do.
 */
import { EliteError } from '../internal/errors.js';
import type { AnalyzeExperimentOptions, MetricRole, StatsEngine } from './analysis-types.js';
import type { GaussianPrior } from './bayesian.js';
import type { PValueCorrection } from './corrections.js';
import type { MetricDefinition } from './metric-stats.js';

/** The default tuning parameter of confidence sequences, in users of both arms. */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/** A metric with the part it plays. */
export interface RoledMetric {
  /** The definition. */
  definition: MetricDefinition;
  /** Its part. */
  role: MetricRole;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  /** Goal, secondary, guardrails, in that order. */
  metrics: RoledMetric[];
  /** Engine. */
  engine: StatsEngine;
  /** Tuning of confidence sequences, when on. */
  sequentialTuning: number | undefined;
  /** Significance level. */
  alpha: number;
  /** Correction (before the one-comparison default is applied). */
  correction: PValueCorrection | undefined;
  /** CUPED on or off. */
  cuped: boolean;
  /** Prior on relative effects. */
  prior: GaussianPrior;
  /** Chance-to-win threshold. */
  threshold: number;
  /** MDE, target power, traffic. */
  minimumDetectableEffect: number | undefined;
  /** Target power. */
  targetPower: number;
  /** Users per day across variants. */
  usersPerDay: number | undefined;
}

function fail(field: string, problem: string): never {
  throw new EliteError('INVALID_OPTIONS', `elite/experiments: analyzeExperiment() ${field} ${problem}`, { field });
}

function between(value: unknown, field: string, low: number, high: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > low && value < high))
    fail(field, `must be a number strictly between ${low} and ${high}, got ${String(value)}`);
  return value;
}

function positive(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(field, `must be a finite number > 0, got ${String(value)}`);
  return value;
}

function roles(options: AnalyzeExperimentOptions): RoledMetric[] {
  if (!Array.isArray(options.metrics)) fail('metrics', 'must be an array of metric definitions');
  const byKey = new Map<string, MetricDefinition>();
  for (const [i, m] of options.metrics.entries()) {
    if (typeof m?.key !== 'string' || m.key === '') fail(`metrics[${i}].key`, 'must be a non-empty string');
    if (!['binomial', 'mean', 'ratio'].includes(m.kind))
      fail(`metrics[${i}].kind`, `must be binomial, mean or ratio, got ${String(m.kind)}`);
    if (byKey.has(m.key)) fail(`metrics[${i}].key`, `"${m.key}" is defined twice`);
    byKey.set(m.key, m);
  }
  const out: RoledMetric[] = [];
  const seen = new Set<string>();
  const add = (key: unknown, role: MetricRole, field: string) => {
    const definition = typeof key === 'string' ? byKey.get(key) : undefined;
    if (definition === undefined)
      fail(field, `names "${String(key)}", which is not in metrics (${[...byKey.keys()].join(', ') || 'none'})`);
    if (seen.has(definition.key)) fail(field, `names "${definition.key}" twice: give each metric one role`);
    seen.add(definition.key);
    out.push({ definition, role });
  };
  add(options.goal, 'goal', 'goal');
  for (const [i, key] of (options.secondary ?? []).entries()) add(key, 'secondary', `secondary[${i}]`);
  for (const [i, key] of (options.guardrails ?? []).entries()) add(key, 'guardrail', `guardrails[${i}]`);
  return out;
}

/** Checks the options and applies the defaults. */
export function resolveOptions(options: AnalyzeExperimentOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options', 'must be an object with at least { metrics, goal }');
  const engine = options.engine ?? 'frequentist';
  if (engine !== 'frequentist' && engine !== 'bayesian') fail('engine', `must be 'frequentist' or 'bayesian', got ${String(engine)}`);
  const correction = options.correction;
  if (correction !== undefined && !['none', 'holm-bonferroni', 'benjamini-hochberg'].includes(correction))
    fail('correction', `must be 'none', 'holm-bonferroni' or 'benjamini-hochberg', got ${String(correction)}`);
  const seq = options.sequential;
  let sequentialTuning: number | undefined;
  if (seq === true) sequentialTuning = DEFAULT_SEQUENTIAL_TUNING;
  else if (typeof seq === 'object' && seq !== null) sequentialTuning = positive(seq.tuning, 'sequential.tuning');
  else if (seq !== undefined && seq !== false) fail('sequential', 'must be a boolean or { tuning }');
  if (sequentialTuning !== undefined && engine === 'bayesian')
    fail('sequential', "applies to the frequentist engine only; drop it or use engine: 'frequentist'");
  const prior = { mean: 0, stddev: 0.3, proper: false, ...options.prior };
  if (!Number.isFinite(prior.mean)) fail('prior.mean', 'must be a finite number');
  positive(prior.stddev, 'prior.stddev');
  return {
    metrics: roles(options),
    engine,
    sequentialTuning,
    alpha: between(options.alpha, 'alpha', 0, 0.5, 0.05),
    correction,
    cuped: options.cuped !== false,
    prior,
    threshold: between(options.chanceToWinThreshold, 'chanceToWinThreshold', 0.5, 1, 0.95),
    minimumDetectableEffect: positive(options.minimumDetectableEffect, 'minimumDetectableEffect'),
    targetPower: between(options.targetPower, 'targetPower', 0, 1, 0.8),
    usersPerDay: positive(options.usersPerDay, 'usersPerDay'),
  };
}
