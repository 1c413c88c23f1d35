/**
 * One check of a guarded rollout, as a pure function of the plan, the flag's state and the
 * figures since the step began: advance, hold, roll back or complete, with the reasons.
 */
import { evaluateExperimentGuardrail } from './experiment-guardrail.js';
import { differenceSequence, momentsFromSums } from './sequential.js';
import type { GroupFigures, GuardrailMetric, GuardrailResult, ResolvedPlan, RolloutDecision, RolloutFigures } from './types.js';

/** The flag's side of a check. */
export interface RolloutState {
  /** The flag's rollout percentage now. */
  rollout: number;
  /** True once a controller rolled the flag back: it then holds until a person resumes it. */
  rolledBack: boolean;
  /** When the current step began (the flag's last write), ms since the epoch. */
  stepStartedAt: number;
  /** Now, ms since the epoch. */
  now: number;
}

/** Fewest requests in each group before a guardrail is judged. */
export const MIN_GROUP_REQUESTS = 50;

const NAMES: Record<string, string> = {
  error_rate: 'error rate',
  latency: 'mean latency',
  cost_per_request: 'LLM cost per request',
};

function moments(group: GroupFigures, metric: GuardrailMetric) {
  if (metric === 'error_rate') return momentsFromSums(group.requests, group.errors, group.errors);
  if (metric === 'latency') return momentsFromSums(group.requests, group.latencySum, group.latencySumSquares);
  return momentsFromSums(group.requests, group.costSum, group.costSumSquares);
}

/** Compares one guardrail's figure between the groups with the plan's confidence sequence. */
export function evaluateGuardrail(
  plan: ResolvedPlan,
  guardrail: ResolvedPlan['guardrails'][number],
  figures: RolloutFigures,
): GuardrailResult {
  // Bonferroni over the comparisons a rollout makes (every guardrail on every step, each a fresh
  // sequence): the chance that a healthy release is rolled back at all stays below alpha.
  const alpha = plan.alpha / (plan.guardrails.length * plan.steps.length);
  const metric = guardrail.metric;
  if (typeof metric === 'object')
    return evaluateExperimentGuardrail(metric, guardrail.tolerance, figures, alpha, plan.sequentialTuning, MIN_GROUP_REQUESTS);
  const treatment = moments(figures.treatment, metric);
  const control = moments(figures.control, metric);
  const base = { metric, treatment: treatment.mean, control: control.mean };
  // The normal approximation behind the sequence needs a few dozen observations per group.
  if (treatment.n < MIN_GROUP_REQUESTS || control.n < MIN_GROUP_REQUESTS) return { ...base, status: 'no_data' };
  const interval = differenceSequence(treatment, control, alpha, plan.sequentialTuning) as [number, number];
  // Higher is worse for every guardrail metric: harmed when even the lower bound is past the tolerance.
  const harmed = interval[0] > guardrail.tolerance * Math.abs(control.mean);
  return { ...base, interval, status: harmed ? 'harmed' : 'ok' };
}

const percent = (x: number) => `${Number(x.toFixed(2))} %`;

function describeHarm(result: GuardrailResult): string {
  const [low, high] = result.interval as [number, number];
  const name = NAMES[result.metric] ?? result.metric;
  const rate = result.metric === 'error_rate' || result.kind === 'binomial';
  const show = (x: number) => (rate ? percent(x * 100) : Number(x.toPrecision(4)).toString());
  // A harmed interval lies wholly on one side of 0: above it when higher is worse, below it otherwise.
  const by = low > 0 ? `at least ${show(low)} higher` : `at least ${show(-high)} lower`;
  return `${name} is worse on the new code: ${show(result.treatment)} against ${show(result.control)} (${by}, valid however often it is checked)`;
}

/** Decides one check. `figures` is undefined when the metrics could not be read (`sourceError` says why). */
export function decideRollout(
  plan: ResolvedPlan,
  state: RolloutState,
  figures: RolloutFigures | undefined,
  sourceError?: string,
): Omit<RolloutDecision, 'dryRun'> {
  const { steps } = plan;
  const base = { flagKey: plan.flagKey, from: state.rollout, at: state.now, stepAgeMs: Math.max(0, state.now - state.stepStartedAt) };
  const treatmentRequests = figures?.treatment.requests ?? 0;
  const hold = (reasons: string[], guardrails: GuardrailResult[] = []) => ({
    ...base,
    action: 'hold' as const,
    to: state.rollout,
    reasons,
    guardrails,
    treatmentRequests,
  });
  if (state.rolledBack) return hold(['rolled back earlier; clear the rollout state to resume (tiqology rollout resume)']);
  const last = steps[steps.length - 1] as number;
  if (state.rollout >= last)
    return {
      ...base,
      action: 'complete',
      to: state.rollout,
      reasons: [`at ${percent(state.rollout)}, the last step`],
      guardrails: [],
      treatmentRequests,
    };
  if (figures === undefined) return hold([`metrics unavailable (${sourceError ?? 'no answer'}): holding, never advancing blind`]);

  const guardrails = plan.guardrails.map((guardrail) => evaluateGuardrail(plan, guardrail, figures));
  const harmed = guardrails.filter((g) => g.status === 'harmed');
  if (harmed.length > 0) {
    const reasons = harmed.map(describeHarm);
    reasons.push(plan.onHarm === 'kill' ? 'the flag is disabled (kill switch)' : 'the rollout goes back to 0 %');
    return { ...base, action: 'rollback', to: 0, reasons, guardrails, treatmentRequests };
  }
  const next = steps.find((step) => step > state.rollout) as number;
  if (state.rollout === 0)
    return { ...base, action: 'advance', to: next, reasons: [`starting at ${percent(next)}`], guardrails, treatmentRequests };
  const waiting: string[] = [];
  if (base.stepAgeMs < plan.minStepMs)
    waiting.push(`the step has run ${Math.round(base.stepAgeMs / 1000)} s of ${Math.round(plan.minStepMs / 1000)} s`);
  if (treatmentRequests < plan.minSamplePerStep) waiting.push(`${treatmentRequests} of ${plan.minSamplePerStep} requests on the new code`);
  // Never advance past a guardrail that could not be judged (a group without enough data).
  for (const g of guardrails)
    if (g.status === 'no_data') waiting.push(`${NAMES[g.metric] ?? g.metric}: fewer than ${MIN_GROUP_REQUESTS} in a group to compare`);
  if (waiting.length > 0) return hold(waiting, guardrails);
  const reasons = [`no guardrail harmed after ${treatmentRequests} requests on the new code`, `advancing to ${percent(next)}`];
  return { ...base, action: 'advance', to: next, reasons, guardrails, treatmentRequests };
}
