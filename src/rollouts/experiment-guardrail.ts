/**
 * Guardrails on experiment metrics: the store computes each metric's sufficient statistics per
 * variant from the exposures and tracked events since the step began (`queryMetricStats`, in SQL
 * for the SQL stores), the variants are summed into the new code's group and the rest's, and the
 * two are compared with the same confidence sequence as the request guardrails, in the metric's
 * own direction (a conversion rate harmed when it falls, a cost when it rises).
 */
import type { StorageAdapter } from '../adapters/types.js';
import { meanEstimate, ratioEstimate } from '../experiments/arm-statistic.js';
import type { MetricDefinition, MetricStats, VariantMetricStats } from '../experiments/metric-stats.js';
import { differenceSequence } from './sequential.js';
import type { GuardrailResult, ResolvedPlan, RolloutFigures } from './types.js';

/** The experiment metrics of a plan's guardrails, in order. */
export const experimentMetricsOf = (plan: ResolvedPlan): MetricDefinition[] =>
  plan.guardrails.flatMap((g) => (typeof g.metric === 'object' ? [g.metric] : []));

const sums = () => ({ sum: 0, sumSquares: 0 });

function emptyStats(metric: MetricDefinition): MetricStats {
  if (metric.kind === 'ratio') return { kind: 'ratio', units: 0, numerator: sums(), denominator: sums(), sumProducts: 0 };
  return { kind: metric.kind, units: 0, sum: 0, sumSquares: 0 };
}

/** Adds one variant's statistics into a group's: every field is a sum over users. */
function addStats(into: MetricStats, from: MetricStats): void {
  into.units += from.units;
  if (into.kind === 'ratio' && from.kind === 'ratio') {
    into.numerator.sum += from.numerator.sum;
    into.numerator.sumSquares += from.numerator.sumSquares;
    into.denominator.sum += from.denominator.sum;
    into.denominator.sumSquares += from.denominator.sumSquares;
    into.sumProducts += from.sumProducts;
  } else if (into.kind !== 'ratio' && from.kind !== 'ratio') {
    into.sum += from.sum;
    into.sumSquares += from.sumSquares;
  }
}

/** Sums per-variant statistics into the new code's group (`treatmentVariants`) and the rest's. */
export function groupExperimentStats(plan: ResolvedPlan, rows: readonly VariantMetricStats[]): NonNullable<RolloutFigures['experiment']> {
  const metrics = experimentMetricsOf(plan);
  const group = () => Object.fromEntries(metrics.map((m) => [m.key, emptyStats(m)]));
  const figures = { treatment: group(), control: group() };
  const treatment = new Set(plan.treatmentVariants);
  for (const row of rows) {
    const into = treatment.has(row.variant) ? figures.treatment : figures.control;
    for (const metric of metrics) {
      const stats = row.metrics[metric.key];
      if (stats !== undefined && stats.kind === metric.kind) addStats(into[metric.key] as MetricStats, stats);
    }
  }
  return figures;
}

/**
 * Reads the plan's experiment metrics from the store since `since` (ms since the epoch), grouped.
 * Rejects when the store cannot answer (the controller then holds).
 */
export async function readExperimentFigures(
  storage: StorageAdapter,
  plan: ResolvedPlan,
  since: number,
): Promise<NonNullable<RolloutFigures['experiment']>> {
  const rows = await storage.queryMetricStats({
    flagKey: plan.flagKey,
    environment: plan.environment,
    since: new Date(since).toISOString(),
    metrics: experimentMetricsOf(plan),
  });
  return groupExperimentStats(plan, rows);
}

const estimate = (stats: MetricStats) => (stats.kind === 'ratio' ? ratioEstimate(stats) : meanEstimate(stats));

/**
 * Compares one experiment metric between the groups at level `1 − alpha`. Harmed when the whole
 * sequence lies on the bad side of `tolerance × |rest|`: below it for a metric where higher is
 * better (the default), above it for `direction: 'decrease'`.
 */
export function evaluateExperimentGuardrail(
  metric: MetricDefinition,
  tolerance: number,
  figures: RolloutFigures,
  alpha: number,
  tuning: number,
  minUnits: number,
): GuardrailResult {
  const empty = emptyStats(metric);
  const t = estimate(figures.experiment?.treatment[metric.key] ?? empty);
  const c = estimate(figures.experiment?.control[metric.key] ?? empty);
  const base = { metric: metric.key, kind: metric.kind, treatment: t.mean, control: c.mean };
  if (t.n < minUnits || c.n < minUnits) return { ...base, status: 'no_data' };
  const interval = differenceSequence(t, c, alpha, tuning) as [number, number];
  const margin = tolerance * Math.abs(c.mean);
  const harmed = metric.direction === 'decrease' ? interval[0] > margin : interval[1] < -margin;
  return { ...base, interval, status: harmed ? 'harmed' : 'ok' };
}
