import type { TrafficForecast, TrafficModelName } from '@tiqology/elite/forecast';
import type { CommandContext } from '../context.js';
import { columnIndex, csvArgument, parseHorizon, readColumns, readCsvTable, TIME_COLUMNS, VALUE_COLUMNS } from '../csv-input.js';
import { renderForecast } from '../forecast-text.js';
import { EXIT, usageError, writeTextFile } from '../io.js';

const MODELS: readonly TrafficModelName[] = [
  'auto',
  'seasonal-naive-day',
  'seasonal-naive-week',
  'seasonal-mean',
  'prophet',
  'mstl-ets',
  'lag-regression',
  'seasonal-median',
  'seasonal-mean-8w',
  'seasonal-median-level',
];

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
  const path = csvArgument('forecast', positionals);
  const horizon = parseHorizon(values.horizon, '24h');
  const model = (values.model ?? 'auto') as TrafficModelName;
  if (!MODELS.includes(model)) throw usageError(`--model must be one of ${MODELS.join(', ')}, got "${String(values.model)}"`);
  if (values.svg !== undefined && String(values.svg).trim() === '') throw usageError('--svg must name a file');

  const table = await readCsvTable(path, io);
  const ti = columnIndex(table, values['time-column'] as string | undefined, 'time-column', TIME_COLUMNS);
  const vi = columnIndex(table, values.column as string | undefined, 'column', VALUE_COLUMNS);
  const { timestamps, values: series } = readColumns(table, ti, vi);
  const { fromColumns, traffic, toSVG } = await import('@tiqology/elite/forecast');
  const result = traffic(fromColumns(timestamps, series), { horizon, model });

  let svgPath: string | undefined;
  if (typeof values.svg === 'string') {
    svgPath = values.svg;
    await writeTextFile(io, svgPath, toSVG(result, { title: `${table.header[vi]}: forecast (${result.model})` }));
  }
  if (out.json) out.data({ file: table.label, column: table.header[vi], ...forecastJson(result), svg: svgPath ?? null });
  else {
    out.line(renderForecast(result, out.colors.bold(`${table.label}: "${table.header[vi]}", ${result.steps.length} steps ahead`)));
    if (svgPath !== undefined) out.line(`Chart: ${svgPath}`);
  }
  return EXIT.OK;
}
