/**
 * Forecasts and scaling decisions as terminal text, shared by `tiqology forecast`, `decide` and
 * `demo`: number and time formatting, the forecast table with its backtest and peak lines, and
 * the decision lines. Pure: takes results, returns strings.
 * @packageDocumentation
 */
import type { DecisionResult, TrafficForecast } from '@tiqology/elite/forecast';
import { renderTable } from './table.js';

/** Rows shown at most in the text table; longer horizons show every k-th step. */
const MAX_ROWS = 24;

/** A number for a table cell: thousands separators, decimals only for small values. */
export function formatNumber(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `2026-01-31T12:00:00.000Z` → `2026-01-31 12:00`. */
export const shortTime = (date: Date): string => date.toISOString().slice(0, 16).replace('T', ' ');

/**
 * The forecast as text: a header line, one row per shown step, the backtest line. At most
 * `maxRows` steps are shown (default 24): every k-th one and the last, with a note saying so.
 */
export function renderForecast(result: TrafficForecast, title: string, maxRows = MAX_ROWS): string {
  const { steps, levels } = result;
  const every = Math.ceil(steps.length / maxRows);
  const shown = steps.filter((_, i) => i % every === 0 || i === steps.length - 1);
  const table = renderTable(
    [
      { header: 'Time (UTC)' },
      { header: 'Forecast', align: 'right' },
      ...levels.map((level) => ({ header: `${level}% interval`, align: 'right' as const })),
    ],
    shown.map((s) => [
      shortTime(s.timestamp),
      formatNumber(s.mean),
      ...levels.map((level) => {
        const b = s.bounds[level];
        return b === undefined ? '—' : `${formatNumber(b.lower)} – ${formatNumber(b.upper)}`;
      }),
    ]),
  );
  const peak = steps.reduce((a, b) => (b.mean > a.mean ? b : a));
  const total = steps.reduce((sum, s) => sum + s.mean, 0);
  const lines = [
    title,
    `Model: ${result.model}; backtest over ${result.backtest.origins} origins: MASE ${result.backtest.mase.toFixed(2)}, sMAPE ${result.backtest.smape.toFixed(1)}%`,
    '',
    table,
    ...(every > 1 ? [`(one step in ${every} of ${steps.length} shown, and the last)`] : []),
    '',
    `Peak: ${formatNumber(peak.mean)} at ${shortTime(peak.timestamp)} UTC; total over the horizon: ${formatNumber(total)}`,
  ];
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

/** `Decision: SCALE_UP (confidence: 87%)`, then one `Reason: …` line per reason. */
export function decisionLines(result: Pick<DecisionResult, 'decision' | 'confidence' | 'reasons'>): string[] {
  return [
    `Decision: ${result.decision} (confidence: ${Math.round(result.confidence * 100)}%)`,
    ...result.reasons.map((r) => `Reason: ${r}`),
  ];
}
