/**
 * One variant against control on one metric: the relative and absolute effects by the chosen
 * engine, CUPED's variance reduction, and for the goal metric the power figures. The outcome is
 * read later (outcome.ts), once multiple-comparison corrections are known.
 */

import type { ResolvedOptions, RoledMetric } from './analysis-options.js';
import type { EffectResult, MetricComparison } from './analysis-types.js';
import { bayesianTest } from './bayesian.js';
import { type ArmPair, armPair, type EffectMoments, effectMoments } from './effect-moments.js';
import { frequentistTest, type TestSide } from './frequentist.js';
import type { MetricStats } from './metric-stats.js';
import { sampleSize } from './power.js';

/** Where the comparison sits among the others: for power's Bonferroni and for days. */
export interface ComparisonContext {
  /** Number of variants, control included. */
  variants: number;
  /** True when p-values are corrected. */
  corrected: boolean;
  /** Share of all traffic the control and this variant get together. */
  pairShare: number;
}

function effect(m: EffectMoments, pair: ArmPair, metric: RoledMetric, o: ResolvedOptions, relative: boolean): EffectResult | undefined {
  const lowerIsBetter = metric.definition.direction === 'decrease';
  if (o.engine === 'bayesian') {
    const b = bayesianTest(m, { alpha: o.alpha, prior: o.prior, relative, baseline: pair.control.unadjustedMean, lowerIsBetter });
    if (b === undefined) return undefined;
    return {
      estimate: b.estimate,
      standardError: b.standardError,
      interval: b.interval,
      chanceToWin: b.chanceToWin,
      risk: { control: b.risk[0], variant: b.risk[1] },
    };
  }
  const side: TestSide = metric.role !== 'guardrail' ? 'two-sided' : lowerIsBetter ? 'harm-above' : 'harm-below';
  const settings = { alpha: o.alpha, side, ...(o.sequentialTuning === undefined ? {} : { sequentialTuning: o.sequentialTuning }) };
  const f = frequentistTest(m, settings);
  const out: EffectResult = { estimate: m.estimate, standardError: m.standardError, interval: f.interval };
  if (f.pValue !== undefined) out.pValue = f.pValue;
  return out;
}

function power(m: EffectMoments, o: ResolvedOptions, context: ComparisonContext, mde: number): MetricComparison['power'] {
  const answer = sampleSize({
    variance: m.standardError ** 2,
    users: m.users,
    minimumDetectableEffect: mde,
    alpha: o.alpha,
    targetPower: o.targetPower,
    tests: context.corrected ? context.variants - 1 : 1,
    ...(o.sequentialTuning === undefined ? {} : { sequentialTuning: o.sequentialTuning }),
    ...(o.engine === 'bayesian' ? { prior: o.prior } : {}),
  });
  if (answer.additionalUsers === undefined || o.usersPerDay === undefined) return answer;
  return { ...answer, additionalDays: answer.additionalUsers / (o.usersPerDay * context.pairShare) };
}

/** The comparison of `variant` with `control` on one metric (outcome still `INCONCLUSIVE`). */
export function compareMetric(
  control: MetricStats,
  variant: MetricStats,
  metric: RoledMetric,
  o: ResolvedOptions,
  context: ComparisonContext,
): MetricComparison {
  const cuped = o.cuped && metric.definition.cuped !== undefined && metric.definition.cuped !== false;
  const pair = armPair(control, variant, cuped);
  const relative = effectMoments(pair, true);
  if (typeof relative === 'string') return { outcome: 'NOT_ENOUGH_DATA', problem: relative };
  const comparison: MetricComparison = { outcome: 'INCONCLUSIVE' };
  const rel = effect(relative, pair, metric, o, true);
  if (rel !== undefined) comparison.relative = rel;
  const absolute = effectMoments(pair, false);
  if (typeof absolute !== 'string') {
    const abs = effect(absolute, pair, metric, o, false);
    if (abs !== undefined) comparison.absolute = abs;
  }
  if (pair.theta !== undefined) {
    const plain = effectMoments(armPair(control, variant, false), true);
    const varianceReduction = typeof plain === 'string' ? 0 : 1 - relative.standardError ** 2 / plain.standardError ** 2;
    comparison.cuped = { theta: pair.theta, varianceReduction };
  }
  if (metric.role === 'goal' && o.minimumDetectableEffect !== undefined) {
    comparison.power = power(relative, o, context, o.minimumDetectableEffect);
  }
  return comparison;
}
