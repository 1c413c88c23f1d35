/**
 * `@tiqology/elite/rollouts`: guarded rollouts. A plan moves a flag's rollout through steps
 * (1 % → 5 % → 25 % → 100 %) while its guardrails hold, comparing the users on the new code with
 * the rest by a sequential test valid however often it is checked, and rolls it back when one is
 * harmed.
 * @packageDocumentation
 */

export type { RolloutController, RolloutControllerOptions } from './controller.js';
export { createRolloutController, ROLLOUT_DECISION_KEY, ROLLOUT_STATE_KEY, ROLLOUT_WRITER } from './controller.js';
export type { RolloutState } from './decide.js';
export { decideRollout, evaluateGuardrail } from './decide.js';
export { rolloutDecisionPayload } from './discord.js';
export { evaluateExperimentGuardrail, groupExperimentStats, readExperimentFigures } from './experiment-guardrail.js';
export type { GuardedClient, GuardOptions, GuardPlan, RolloutGuard } from './guard.js';
export { startGuard } from './guard.js';
export type { LeaseClient, LeasePool, LeaseQueryResult, PostgresLeaseOptions, RolloutLease } from './lease.js';
export { createMemoryLease, createPostgresLease, leaseName } from './lease.js';
export { DEFAULT_MIN_SAMPLE_PER_STEP, DEFAULT_MIN_STEP_MS, DEFAULT_SEQUENTIAL_TUNING, validatePlan } from './plan.js';
export type { PrometheusMetricNames, PrometheusSourceOptions } from './prometheus-source.js';
export { createPrometheusSource } from './prometheus-source.js';
export type { RolloutObservation, RolloutRecorder, RolloutRecorderOptions } from './recorder.js';
export { createRolloutRecorder } from './recorder.js';
export type { MomentEstimate } from './sequential.js';
export { differenceSequence, momentsFromSums } from './sequential.js';
export type {
  GroupFigures,
  Guardrail,
  GuardrailMetric,
  GuardrailResult,
  ResolvedPlan,
  RolloutAction,
  RolloutDecision,
  RolloutFigures,
  RolloutMetricsSource,
  RolloutPlan,
} from './types.js';
