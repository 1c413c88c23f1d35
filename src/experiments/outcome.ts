/**
 * Outcomes and the decision: what each comparison says (after corrections), and what the
 * experiment as a whole says, in one sentence.
 */

import type { ResolvedOptions } from './analysis-options.js';
import type {
  AnalysisDecision,
  ComparisonOutcome,
  ExperimentAnalysis,
  MetricAnalysis,
  MetricComparison,
  MetricRole,
} from './analysis-types.js';

/** The outcome of a comparison from its relative effect. */
export function outcomeOf(c: MetricComparison, role: MetricRole, lowerIsBetter: boolean, o: ResolvedOptions): ComparisonOutcome {
  const e = c.relative;
  if (c.outcome === 'NOT_ENOUGH_DATA' || e === undefined) return 'NOT_ENOUGH_DATA';
  if (o.engine === 'bayesian') {
    const chance = e.chanceToWin ?? 0.5;
    if (role === 'guardrail') return chance <= 1 - o.threshold ? 'HARM' : 'NO_HARM';
    return chance >= o.threshold ? 'BETTER' : chance <= 1 - o.threshold ? 'WORSE' : 'INCONCLUSIVE';
  }
  if (role === 'guardrail') {
    // The one-sided interval excludes 0 on the side of harm.
    return (lowerIsBetter ? e.interval[0] > 0 : e.interval[1] < 0) ? 'HARM' : 'NO_HARM';
  }
  const p = e.adjustedPValue ?? e.pValue;
  if (p === undefined || !(p < o.alpha)) return 'INCONCLUSIVE';
  return e.estimate > 0 !== lowerIsBetter ? 'BETTER' : 'WORSE';
}

const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The decision and its sentence. */
export function decide(
  metrics: MetricAnalysis[],
  srmMismatch: boolean,
  control: string,
): Pick<ExperimentAnalysis, 'decision' | 'winner' | 'summary'> {
  const goal = metrics[0] as MetricAnalysis;
  const rows = goal.variants.filter((v) => v.comparison !== undefined);
  const harmed = (variant: string) =>
    metrics
      .filter((m) => m.role === 'guardrail' && m.variants.some((v) => v.variant === variant && v.comparison?.outcome === 'HARM'))
      .map((m) => m.key);
  let decision: AnalysisDecision;
  let winner: string | undefined;
  let summary: string;
  if (srmMismatch) {
    decision = 'SAMPLE_RATIO_MISMATCH';
    summary =
      'Users were not split as configured (sample ratio mismatch): fix assignment or exposure logging before reading these results.';
  } else if (rows.every((v) => v.comparison?.outcome === 'NOT_ENOUGH_DATA')) {
    decision = 'NOT_ENOUGH_DATA';
    summary = `Not enough data on ${goal.key} yet: no variant can be compared with ${control}.`;
  } else {
    const better = rows.filter((v) => v.comparison?.outcome === 'BETTER' && harmed(v.variant).length === 0);
    const best = better.sort(
      (a, b) => Math.abs(b.comparison?.relative?.estimate ?? 0) - Math.abs(a.comparison?.relative?.estimate ?? 0),
    )[0];
    const lost = rows.every((v) => v.comparison?.outcome === 'WORSE' || harmed(v.variant).length > 0);
    if (best !== undefined) {
      decision = 'SHIP';
      winner = best.variant;
      summary = `Ship ${best.variant}: ${goal.key} ${percent(best.comparison?.relative?.estimate ?? 0)} against ${control}, with no guardrail harmed.`;
    } else if (lost) {
      decision = 'KEEP_CONTROL';
      const why = rows
        .map((v) =>
          harmed(v.variant).length > 0 ? `${v.variant} harms ${harmed(v.variant).join(', ')}` : `${v.variant} lowers ${goal.key}`,
        )
        .join('; ');
      summary = `Keep ${control}: ${why}.`;
    } else {
      decision = 'KEEP_RUNNING';
      const blocked = rows
        .filter((v) => v.comparison?.outcome === 'BETTER')
        .map((v) => `${v.variant} (harms ${harmed(v.variant).join(', ')})`);
      summary =
        blocked.length > 0
          ? `Keep running: ${goal.key} improves for ${blocked.join(', ')}, but a guardrail is harmed.`
          : `Keep running: no significant difference on ${goal.key} yet.`;
    }
  }
  return winner === undefined ? { decision, summary } : { decision, winner, summary };
}
