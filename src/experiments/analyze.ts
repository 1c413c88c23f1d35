/**
 * `analyzeExperiment`: every metric of an experiment, every variant against control, from the
 * sufficient statistics a store computes, with multiple-comparison corrections, the
 * sample-ratio-mismatch check and a decision.
 */
import { EliteError } from '../internal/errors.js';
import { resolveOptions } from './analysis-options.js';
import type { AnalyzeExperimentOptions, EffectResult, ExperimentAnalysis, MetricAnalysis } from './analysis-types.js';
import { type ComparisonContext, compareMetric } from './compare-metric.js';
import { adjustedInterval, adjustPValues, type PValueCorrection } from './corrections.js';
import type { Counts } from './input.js';
import { checkMetricStats, checkVariants } from './metric-input.js';
import type { MetricDefinition, MetricStats, VariantMetricStats } from './metric-stats.js';
import { decide, outcomeOf } from './outcome.js';
import { sampleRatioCheck } from './srm.js';

function weightsOf(stats: readonly VariantMetricStats[], weights: Readonly<Record<string, number>> | undefined): Map<string, number> {
  if (weights === undefined) return new Map(stats.map((v) => [v.variant, 1]));
  return new Map(Object.entries(weights).filter(([, w]) => typeof w === 'number' && Number.isFinite(w) && w >= 0));
}

/**
 * Configured variants first, in configured order: a store leaves out variants nobody was exposed
 * to, which then count with 0 users (and make their comparisons NOT_ENOUGH_DATA).
 */
function withConfiguredVariants(
  stats: readonly VariantMetricStats[],
  weights: Readonly<Record<string, number>> | undefined,
  metrics: readonly MetricDefinition[],
): VariantMetricStats[] {
  if (weights === undefined || !Array.isArray(stats)) return stats as VariantMetricStats[];
  const zero = { sum: 0, sumSquares: 0 };
  const empty = (variant: string): VariantMetricStats => ({
    variant,
    units: 0,
    metrics: Object.fromEntries(
      metrics.map((m): [string, MetricStats] => [
        m.key,
        m.kind === 'ratio'
          ? { kind: 'ratio', units: 0, numerator: zero, denominator: zero, sumProducts: 0 }
          : { kind: m.kind, units: 0, ...zero },
      ]),
    ),
  });
  const configured = Object.keys(weights).map((key) => stats.find((v) => v?.variant === key) ?? empty(key));
  return [...configured, ...stats.filter((v) => !(v?.variant in weights))];
}

/** Adjusts the p-values (and widens the intervals) of one effect kind across the family. */
function correct(effects: (EffectResult | undefined)[], correction: PValueCorrection, alpha: number): void {
  // A comparison without a p-value (not enough data) counts as p = 1: it keeps its place in the family.
  const pValues = effects.map((e) => e?.pValue ?? 1);
  const adjusted = adjustPValues(pValues, correction);
  effects.forEach((e, i) => {
    if (e === undefined || e.pValue === undefined) return;
    e.adjustedPValue = adjusted[i] as number;
    e.adjustedInterval = adjustedInterval(e.adjustedPValue, e.estimate, alpha, e.interval);
  });
}

/**
 * Analyses an experiment on sufficient statistics: for each metric (goal, secondary, guardrails)
 * and each variant, the relative and absolute effect against control with its interval and
 * p-value (frequentist: Welch t-test, or confidence sequences with `sequential`) or chance to win
 * and risk (Bayesian), CUPED when the statistics carry pre-exposure sums, corrected p-values,
 * power figures with `minimumDetectableEffect`, the SRM check and a decision sentence.
 *
 * Throws `EliteError` `INVALID_OPTIONS` (options) or `INVALID_STATS` (impossible statistics:
 * negative or fractional users, NaN, sums of squares below what the sums imply). Thin data is
 * not an error: the comparison's outcome is `NOT_ENOUGH_DATA` with a `problem`, and no figure is NaN.
 * @example
 * ```ts
 * import { analyzeExperiment } from '@tiqology/elite/experiments';
 *
 * const analysis = analyzeExperiment(
 *   [
 *     { variant: 'control', units: 5000, metrics: { revenue: { kind: 'mean', units: 5000, sum: 52000, sumSquares: 2.1e6 } } },
 *     { variant: 'b', units: 5000, metrics: { revenue: { kind: 'mean', units: 5000, sum: 56000, sumSquares: 2.3e6 } } },
 *   ],
 *   { metrics: [{ key: 'revenue', kind: 'mean', source: { event: 'purchase' } }], goal: 'revenue' },
 * );
 * analysis.summary; // 'Ship b: revenue +7.7% against control, with no guardrail harmed.'
 * ```
 */
export function analyzeExperiment(input: readonly VariantMetricStats[], options: AnalyzeExperimentOptions): ExperimentAnalysis {
  const o = resolveOptions(options);
  const stats = withConfiguredVariants(
    input,
    options.weights,
    o.metrics.map((m) => m.definition),
  );
  checkVariants(stats);
  const weights = weightsOf(stats, options.weights);
  const control = options.control ?? (options.weights === undefined ? stats[0]?.variant : [...weights.keys()][0]) ?? '';
  const controlRow = stats.find((v) => v.variant === control);
  if (controlRow === undefined)
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/experiments: analyzeExperiment() control "${control}" is not among the variants (${stats.map((v) => v.variant).join(', ')})`,
      {
        field: 'control',
      },
    );
  const others = stats.filter((v) => v.variant !== control);
  const comparisons = others.length * o.metrics.filter((m) => m.role !== 'guardrail').length;
  const correction: PValueCorrection = o.engine === 'bayesian' ? 'none' : (o.correction ?? (comparisons > 1 ? 'holm-bonferroni' : 'none'));
  const totalWeight = [...weights.values()].reduce((a, b) => a + b, 0);
  const warnings: string[] = [];
  const metrics: MetricAnalysis[] = o.metrics.map((metric) => {
    const key = metric.definition.key;
    const statsOf = (v: VariantMetricStats, i: number): MetricStats =>
      checkMetricStats(v.metrics?.[key], metric.definition, `stats[${i}].metrics.${key}`);
    const controlStats = statsOf(controlRow, stats.indexOf(controlRow));
    const rows = stats.map((v, i) => {
      const s = statsOf(v, i);
      const mean =
        s.kind === 'ratio' ? (s.denominator.sum === 0 ? 0 : s.numerator.sum / s.denominator.sum) : s.units === 0 ? 0 : s.sum / s.units;
      if (v.variant === control) return { variant: v.variant, units: v.units, mean };
      const share = totalWeight > 0 ? ((weights.get(control) ?? 0) + (weights.get(v.variant) ?? 0)) / totalWeight : 0;
      const context: ComparisonContext = { variants: stats.length, corrected: correction !== 'none', pairShare: share > 0 ? share : 1 };
      return { variant: v.variant, units: v.units, mean, comparison: compareMetric(controlStats, s, metric, o, context) };
    });
    return { key, kind: metric.definition.kind, role: metric.role, direction: metric.definition.direction ?? 'increase', variants: rows };
  });
  if (correction !== 'none') {
    const family = metrics
      .filter((m) => m.role !== 'guardrail')
      .flatMap((m) => m.variants.flatMap((v) => (v.comparison ? [v.comparison] : [])));
    correct(
      family.map((c) => c.relative),
      correction,
      o.alpha,
    );
    correct(
      family.map((c) => c.absolute),
      correction,
      o.alpha,
    );
  }
  for (const m of metrics) {
    for (const v of m.variants) {
      if (v.comparison === undefined) continue;
      v.comparison.outcome = outcomeOf(v.comparison, m.role, m.direction === 'decrease', o);
      if (v.comparison.problem !== undefined) warnings.push(`${m.key}, ${v.variant}: not enough data (${v.comparison.problem}).`);
    }
  }
  const rows = new Map<string, Counts>(
    stats.map((v) => [v.variant, { variant: v.variant, exposures: v.units, conversions: 0, valueSum: 0 }]),
  );
  const srm = sampleRatioCheck(weights, rows);
  const verdict = decide(metrics, srm.mismatch, control);
  return {
    control,
    engine: o.engine,
    ...(o.sequentialTuning === undefined ? {} : { sequentialTuning: o.sequentialTuning }),
    alpha: o.alpha,
    correction,
    srm,
    metrics,
    ...verdict,
    warnings,
  };
}
