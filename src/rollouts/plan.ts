/**
 * Checks a rollout plan when it is written or a controller starts, and fills in its defaults: a
 * bad plan throws `INVALID_PLAN` naming the field, never later in a check.
 */
import { planMetricStats } from '../adapters/metric-query.js';
import type { MetricDefinition } from '../experiments/metric-stats.js';
import { EliteError } from '../internal/errors.js';
import type { Guardrail, GuardrailMetric, ResolvedPlan, RolloutPlan } from './types.js';

/** Default of `RolloutPlan.minStepMs`: 10 minutes. */
export const DEFAULT_MIN_STEP_MS = 10 * 60_000;
/** Default of `RolloutPlan.minSamplePerStep`. */
export const DEFAULT_MIN_SAMPLE_PER_STEP = 1_000;
/** Default of `RolloutPlan.sequentialTuning`. */
export const DEFAULT_SEQUENTIAL_TUNING = 5_000;

const METRICS: readonly GuardrailMetric[] = ['error_rate', 'latency', 'cost_per_request'];

const fail = (field: string, message: string): never => {
  throw new EliteError('INVALID_PLAN', `elite/rollouts: ${message}`, { field });
};

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function checkSteps(steps: unknown): number[] {
  if (!Array.isArray(steps) || steps.length === 0)
    return fail('steps', 'steps must list at least one rollout percentage, e.g. [1, 5, 25, 50, 100]');
  (steps as unknown[]).forEach((step, i) => {
    if (!isFiniteNumber(step) || step <= 0 || step > 100)
      fail(`steps[${i}]`, `steps[${i}] must be a percentage in (0, 100], got ${String(step)}`);
    if (i > 0 && (step as number) <= (steps[i - 1] as number))
      fail(`steps[${i}]`, `steps must increase: ${String(step)} follows ${String(steps[i - 1])}`);
  });
  return [...(steps as number[])];
}

/** An experiment metric as `flags.results` takes it; CUPED is refused (a step compares users exposed during it). */
function checkExperimentMetric(metric: MetricDefinition, field: string): MetricDefinition {
  try {
    planMetricStats('rollouts', { flagKey: 'plan', environment: 'plan', metrics: [metric] });
  } catch (error) {
    if (!(error instanceof EliteError)) throw error;
    const inner = (error.field ?? '').replace(/^metrics\[0\]/, '');
    return fail(`${field}${inner}`, error.message.replace(/^elite\/rollouts: queryMetricStats\(\): metrics\[0\]/, field));
  }
  if (metric.direction !== undefined && metric.direction !== 'increase' && metric.direction !== 'decrease')
    fail(
      `${field}.direction`,
      `${field}.direction must be 'increase' (higher is better) or 'decrease', got ${JSON.stringify(metric.direction)}`,
    );
  if (metric.cuped !== undefined && metric.cuped !== false)
    fail(`${field}.cuped`, `${field}.cuped is not used by a guardrail (each step compares the users exposed during it): remove it`);
  return metric;
}

function checkGuardrail(guardrail: Guardrail, i: number): Required<Guardrail> {
  const field = `guardrails[${i}]`;
  if (guardrail === null || typeof guardrail !== 'object') return fail(field, `${field} must be an object like { metric: 'error_rate' }`);
  if (guardrail.metric !== null && typeof guardrail.metric === 'object') checkExperimentMetric(guardrail.metric, `${field}.metric`);
  else if (!METRICS.includes(guardrail.metric))
    fail(
      `${field}.metric`,
      `${field}.metric must be one of ${METRICS.join(', ')} or an experiment metric like { key: 'checkout', kind: 'binomial', source: { event: 'purchase' } }, got ${JSON.stringify(guardrail.metric)}`,
    );
  const tolerance = guardrail.tolerance ?? 0;
  if (!isFiniteNumber(tolerance) || tolerance < 0)
    fail(`${field}.tolerance`, `${field}.tolerance must be a number ≥ 0 (0.1 tolerates 10 % worse), got ${String(tolerance)}`);
  return { metric: guardrail.metric, tolerance };
}

/** Checks `plan` and returns it with its defaults. Throws `EliteError('INVALID_PLAN')` naming the field and what to do. */
export function validatePlan(plan: RolloutPlan): ResolvedPlan {
  if (plan === null || typeof plan !== 'object') return fail('plan', 'a rollout plan must be an object');
  if (typeof plan.flagKey !== 'string' || plan.flagKey === '') fail('flagKey', 'flagKey must name the flag to roll out');
  if (typeof plan.environment !== 'string' || plan.environment === '')
    fail('environment', 'environment must name the flag\'s environment, e.g. "production"');
  const steps = checkSteps(plan.steps);
  const minStepMs = plan.minStepMs ?? DEFAULT_MIN_STEP_MS;
  if (!isFiniteNumber(minStepMs) || minStepMs < 0) fail('minStepMs', `minStepMs must be a duration ≥ 0 in ms, got ${String(minStepMs)}`);
  const minSamplePerStep = plan.minSamplePerStep ?? DEFAULT_MIN_SAMPLE_PER_STEP;
  if (!Number.isInteger(minSamplePerStep) || minSamplePerStep < 1)
    fail('minSamplePerStep', `minSamplePerStep must be a whole number ≥ 1, got ${String(minSamplePerStep)}`);
  if (!Array.isArray(plan.guardrails) || plan.guardrails.length === 0)
    fail('guardrails', "guardrails must list at least one, e.g. [{ metric: 'error_rate' }]");
  const guardrails = plan.guardrails.map(checkGuardrail);
  const keys = guardrails.map((g) => (typeof g.metric === 'object' ? g.metric.key : g.metric));
  keys.forEach((key, i) => {
    if (keys.indexOf(key) !== i) fail(`guardrails[${i}].metric`, `guardrails[${i}] repeats the metric "${key}": one guardrail per metric`);
  });
  const treatmentVariants = [...(plan.treatmentVariants ?? ['on'])];
  if (
    !Array.isArray(plan.treatmentVariants ?? []) ||
    treatmentVariants.length === 0 ||
    !treatmentVariants.every((v) => typeof v === 'string' && v !== '')
  )
    fail('treatmentVariants', 'treatmentVariants must list the variants of the new code, e.g. ["on"]');
  const onHarm = plan.onHarm ?? 'rollback';
  if (onHarm !== 'rollback' && onHarm !== 'kill') fail('onHarm', `onHarm must be 'rollback' or 'kill', got ${JSON.stringify(onHarm)}`);
  const alpha = plan.alpha ?? 0.05;
  if (!isFiniteNumber(alpha) || alpha <= 0 || alpha >= 0.5) fail('alpha', `alpha must be in (0, 0.5), e.g. 0.05, got ${String(alpha)}`);
  const sequentialTuning = plan.sequentialTuning ?? DEFAULT_SEQUENTIAL_TUNING;
  if (!isFiniteNumber(sequentialTuning) || sequentialTuning <= 0)
    fail('sequentialTuning', `sequentialTuning must be a positive sample size, got ${String(sequentialTuning)}`);
  return {
    flagKey: plan.flagKey,
    environment: plan.environment,
    steps,
    minStepMs,
    minSamplePerStep,
    guardrails,
    onHarm,
    alpha,
    sequentialTuning,
    treatmentVariants,
  };
}
