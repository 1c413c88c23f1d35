/**
 * A metric analysis (`results({ analysis })`, `analyzeExperiment`) as terminal text: per metric a
 * table of variants (users, value, effect with its interval, p-value or chance to win, outcome)
 * and an interval chart, then the guardrails, the sample-ratio check, the decision and its
 * sentence. Pure: takes the analysis, returns the text; never prints NaN.
 * @packageDocumentation
 */
import type { EffectResult, ExperimentAnalysis, MetricAnalysis, MetricVariantResult } from '@tiqology/elite/experiments';
import { formatNumber } from './forecast-text.js';
import { type ChartRow, renderIntervalChart } from './interval-chart.js';
import type { Colors } from './output.js';
import { formatProbability, formatPValue, percent, renderTable, signedPercent } from './table.js';

const DASH = '—';

/** A relative bound; an infinite end (a guardrail's one-sided interval) as ±∞. */
const bound = (x: number): string => (x === Number.POSITIVE_INFINITY ? '+∞' : x === Number.NEGATIVE_INFINITY ? '−∞' : signedPercent(x));

/** The interval shown: the corrected one when a multiple-comparison correction widened it, so it agrees with the adjusted p-value. */
const shownInterval = (effect: EffectResult): [number, number] => effect.adjustedInterval ?? effect.interval;

/** Whether any interval of the metric is a corrected one. */
const adjusted = (metric: MetricAnalysis): boolean => metric.variants.some((v) => v.comparison?.relative?.adjustedInterval !== undefined);

/** `+12.0% [+4.1%, +19.9%]`: the estimate and the interval shown (corrected when corrected). */
export const formatEffect = (effect: EffectResult): string =>
  `${signedPercent(effect.estimate)} [${bound(shownInterval(effect)[0])}, ${bound(shownInterval(effect)[1])}]`;

const formatValue = (metric: MetricAnalysis, v: MetricVariantResult): string =>
  !Number.isFinite(v.mean) ? DASH : metric.kind === 'binomial' ? percent(v.mean) : formatNumber(v.mean);

/** The p-value (adjusted when corrected) or the chance to win, by engine. */
function evidence(analysis: ExperimentAnalysis, effect: EffectResult | undefined): string {
  if (effect === undefined) return DASH;
  if (analysis.engine === 'bayesian') return effect.chanceToWin === undefined ? DASH : formatProbability(effect.chanceToWin);
  const p = effect.adjustedPValue ?? effect.pValue;
  return p === undefined ? DASH : formatPValue(p);
}

const outcomeColor = (outcome: string): keyof Colors =>
  outcome === 'BETTER' || outcome === 'NO_HARM' ? 'green' : outcome === 'WORSE' || outcome === 'HARM' ? 'red' : 'yellow';

function metricTable(analysis: ExperimentAnalysis, metric: MetricAnalysis, level: string, colors?: Colors): string {
  const paint = (fn: keyof Colors, text: string) => (colors ? (colors[fn] as (s: string) => string)(text) : text);
  const rows = metric.variants.map((v) => {
    const c = v.comparison;
    const outcome = c === undefined ? DASH : c.problem === undefined ? c.outcome : `${c.outcome} (${c.problem})`;
    return [
      v.variant === analysis.control && v.variant !== 'control' ? `${v.variant} (control)` : v.variant,
      String(v.units),
      formatValue(metric, v),
      c?.relative === undefined ? DASH : formatEffect(c.relative),
      evidence(analysis, c?.relative),
      c === undefined ? DASH : paint(outcomeColor(c.outcome), outcome),
    ];
  });
  const frequentist = analysis.engine === 'frequentist';
  const pHeader = metric.role === 'guardrail' ? 'p (one-sided)' : analysis.correction === 'none' ? 'p-value' : 'adj. p';
  return renderTable(
    [
      { header: 'Variant' },
      { header: 'Users', align: 'right' },
      { header: metric.kind === 'binomial' ? 'Rate' : metric.kind === 'ratio' ? 'Ratio' : 'Mean', align: 'right' },
      { header: `Effect [${level} CI${adjusted(metric) ? ', adj.' : ''}]`, align: 'right' },
      { header: frequentist ? pHeader : 'Chance to win', align: 'right' },
      { header: 'Outcome' },
    ],
    rows,
    colors,
  );
}

/** The chart of one metric's relative effects: one line per variant against control. */
export function metricChart(metric: MetricAnalysis, width = 40): string[] {
  return renderIntervalChart(
    metric.variants.flatMap((v): ChartRow[] => {
      const c = v.comparison;
      if (c === undefined) return [];
      const r = c.relative;
      if (r === undefined) return [{ label: v.variant, note: `no interval: ${c.problem ?? c.outcome}` }];
      return [{ label: v.variant, estimate: r.estimate, interval: shownInterval(r) }];
    }),
    width,
  );
}

function heading(metric: MetricAnalysis): string {
  const better = metric.direction === 'decrease' ? 'lower is better' : 'higher is better';
  return `${metric.key}: ${metric.role}, ${metric.kind}, ${better}`;
}

function extras(metric: MetricAnalysis): string[] {
  const lines: string[] = [];
  for (const v of metric.variants) {
    const c = v.comparison;
    if (c?.cuped !== undefined)
      lines.push(`CUPED (${v.variant}): θ ${c.cuped.theta.toPrecision(3)}, variance ${signedPercent(-c.cuped.varianceReduction)}`);
    const power = c?.power;
    if (power !== undefined) {
      const more = power.additionalUsers === undefined ? '' : `, ${power.additionalUsers} more users`;
      const days = power.additionalDays === undefined ? '' : ` (~${Math.ceil(power.additionalDays)} days)`;
      lines.push(`Power (${v.variant}): ${percent(power.power, 0)}, ${power.status}${more}${days}`);
    }
  }
  return lines;
}

function guardrailLine(analysis: ExperimentAnalysis): string | undefined {
  const guardrails = analysis.metrics.filter((m) => m.role === 'guardrail');
  if (guardrails.length === 0) return undefined;
  const parts = guardrails.map((m) => {
    const harmed = m.variants.filter((v) => v.comparison?.outcome === 'HARM').map((v) => v.variant);
    const thin = m.variants.filter((v) => v.comparison?.outcome === 'NOT_ENOUGH_DATA').map((v) => v.variant);
    if (harmed.length > 0) return `${m.key} HARMED by ${harmed.join(', ')}`;
    return thin.length > 0 ? `${m.key} not enough data (${thin.join(', ')})` : `${m.key} ok`;
  });
  return `Guardrails: ${parts.join('; ')}`;
}

/** Options of {@link renderAnalysis}. */
export interface AnalysisTextOptions {
  /** Colours (picocolors); plain text when unset. */
  colors?: Colors;
  /** Characters of each interval chart. Default 40. */
  chartWidth?: number;
}

/**
 * The analysis as text: a line on the method, per metric its table, notes (CUPED, power) and
 * interval chart of relative effects, then guardrail status, the sample-ratio check, the decision
 * and the summary sentence, and any warnings. No trailing newline.
 */
export function renderAnalysis(analysis: ExperimentAnalysis, options: AnalysisTextOptions = {}): string {
  const c = options.colors;
  const paint = (fn: keyof Colors, text: string) => (c ? (c[fn] as (s: string) => string)(text) : text);
  const level = percent(1 - analysis.alpha, 0);
  const method = [
    analysis.engine,
    analysis.sequentialTuning === undefined ? undefined : `sequential (tuning ${analysis.sequentialTuning})`,
    analysis.engine === 'frequentist' ? `correction ${analysis.correction}` : undefined,
    `${level} intervals`,
    `control ${analysis.control}`,
  ].filter(Boolean);
  const lines = [paint('bold', `Metric analysis: ${method.join(', ')}`)];
  for (const metric of analysis.metrics) {
    lines.push('', paint('bold', heading(metric)), metricTable(analysis, metric, level, c), ...extras(metric));
    lines.push(
      `Relative effect, ${level} interval${adjusted(metric) ? ' (adjusted)' : ''}, | is 0:`,
      ...metricChart(metric, options.chartWidth).map((l) => `  ${l}`),
    );
  }
  lines.push('');
  const guardrails = guardrailLine(analysis);
  if (guardrails !== undefined) lines.push(guardrails);
  const { srm } = analysis;
  const p = Number.isFinite(srm.pValue) ? formatPValue(srm.pValue) : DASH;
  lines.push(srm.mismatch ? paint('red', `SRM: MISMATCH (p ${p}): assignment is broken; do not trust the comparison`) : `SRM: ok (p ${p})`);
  const decision = `Decision: ${analysis.decision}${analysis.winner === undefined ? '' : ` ${analysis.winner}`}`;
  lines.push(paint(analysis.decision === 'SHIP' ? 'green' : 'yellow', decision), analysis.summary);
  for (const warning of analysis.warnings) lines.push(paint('yellow', `warning: ${warning}`));
  return lines.join('\n');
}
