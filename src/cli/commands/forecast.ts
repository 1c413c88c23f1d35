import type { TrafficForecast, TrafficModelName } from '@tiqology/elite/forecast';
import { columnIndex, parseHorizon, readColumns, readCsvTable, TIME_COLUMNS, VALUE_COLUMNS } from '../csv-input.js';
import { EXIT, usageError } from '../io.js';
import type { CommandContext } from '../registry.js';
import { renderTable } from '../table.js';

const MODELS: readonly TrafficModelName[] = [
  'auto',
  'seasonal-naive-day',
  'seasonal-naive-week',
  'seasonal-mean',
  'prophet',
  'mstl-ets',
  'lag-regression',
];

/** Rows shown at most in the text table; longer horizons show every k-th step. */
const MAX_ROWS = 24;

/** A number for a table cell: thousands separators, decimals only for small values. */
export function formatNumber(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `2026-01-31T12:00:00.000Z` → `2026-01-31 12:00`. */
export const shortTime = (date: Date): string => date.toISOString().slice(0, 16).replace('T', ' ');

/** The forecast as text: a header line, one row per shown step, the backtest line. */
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

/** The forecast as JSON for scripts: ISO timestamps, bounds flattened per level. */
export function forecastJson(result: TrafficForecast): Record<string, unknown> {
  return {
    model: result.model,
    weights: result.weights,
    stepMs: result.stepMs,
    levels: result.levels,
    backtest: result.backtest,
    warnings: result.warnings,
    steps: result.steps.map((s) => ({
      timestamp: s.timestamp.toISOString(),
      mean: s.mean,
      lower: Object.fromEntries(result.levels.map((l) => [l, s.bounds[l]?.lower])),
      upper: Object.fromEntries(result.levels.map((l) => [l, s.bounds[l]?.upper])),
    })),
  };
}

/** `tiqology forecast <csv>`: a traffic forecast of a CSV column, as a table, JSON and an SVG chart. */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length !== 1) {
    throw usageError(
      `forecast: expected one CSV file (or -), got ${positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ')}`,
    );
  }
  const horizon = parseHorizon(values.horizon, '24h');
  const model = (values.model ?? 'auto') as TrafficModelName;
  if (!MODELS.includes(model)) throw usageError(`--model must be one of ${MODELS.join(', ')}, got "${String(values.model)}"`);
  if (values.svg !== undefined && String(values.svg).trim() === '') throw usageError('--svg must name a file');

  const table = await readCsvTable(positionals[0] as string, io);
  const ti = columnIndex(table, values['time-column'] as string | undefined, 'time-column', TIME_COLUMNS);
  const vi = columnIndex(table, values.column as string | undefined, 'column', VALUE_COLUMNS);
  const { timestamps, values: series } = readColumns(table, ti, vi);
  const { fromColumns, traffic, toSVG } = await import('@tiqology/elite/forecast');
  const result = traffic(fromColumns(timestamps, series), { horizon, model });

  let svgPath: string | undefined;
  if (typeof values.svg === 'string') {
    const { writeFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    svgPath = values.svg;
    await writeFile(resolve(io.cwd, svgPath), toSVG(result, { title: `${table.header[vi]}: forecast (${result.model})` }));
  }
  if (out.json) out.data({ file: table.label, column: table.header[vi], ...forecastJson(result), svg: svgPath ?? null });
  else {
    out.line(renderForecast(result, out.colors.bold(`${table.label}: "${table.header[vi]}", ${result.steps.length} steps ahead`)));
    if (svgPath !== undefined) out.line(`Chart: ${svgPath}`);
  }
  return EXIT.OK;
}
