/**
 * Reading a time series from a CSV file for `forecast` and `decide`: the file (or `-` for
 * standard input), the header, and the columns the command line names, with one-line messages
 * that say which file, column or header is wrong.
 * @packageDocumentation
 */
import { quoteArguments } from './context.js';
import type { CliIo } from './io.js';
import { CliError, usageError } from './io.js';

/** Headers tried, in order, when `--time-column` is not given. */
export const TIME_COLUMNS = ['timestamp', 'ts', 'time', 'date', 'datetime'] as const;
/** Headers tried, in order, when `--column` is not given. */
export const VALUE_COLUMNS = ['value', 'y', 'requests', 'count', 'load'] as const;

/** A CSV file read for a command: its header and the rows below it. */
export interface CsvTable {
  /** What to call the file in messages: the path as given, or `stdin`. */
  label: string;
  /** Column names of the first row, trimmed. */
  header: string[];
  /** The data rows below the header, fields as written. */
  rows: string[][];
}

/** Two columns of a CSV file as read by {@link readColumns}: timestamps as written, values as numbers. */
export interface CsvColumns {
  /** The time column, trimmed, one per data row. */
  timestamps: string[];
  /** The value column as finite numbers, one per data row. */
  values: number[];
}

/** The one positional argument of `forecast` and `decide`: a CSV path or `-`; anything else is a usage error. */
export function csvArgument(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) throw usageError(`${command}: expected one CSV file (or -), got ${quoteArguments(positionals)}`);
  return positionals[0] as string;
}

/** Reads and parses the CSV named by the positional argument (`-`: standard input). Failures exit 1. */
export async function readCsvTable(path: string, io: CliIo): Promise<CsvTable> {
  let text: string;
  if (path === '-') text = await io.readStdin();
  else {
    const { readFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    try {
      text = await readFile(resolve(io.cwd, path), 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : (code ?? 'unreadable');
      throw new CliError(`cannot read ${path}: ${why}`, 1, { cause: error });
    }
  }
  const label = path === '-' ? 'stdin' : path;
  const { parseCsv } = await import('@tiqology/elite/forecast');
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new CliError(`${label}: ${(error as Error).message.replace(/^elite\/forecast: /, '')}`, 1, { cause: error });
  }
  const [header, ...data] = rows;
  if (header === undefined) throw new CliError(`${label}: the file is empty (a header row and data rows are needed)`);
  return { label, header: header.map((h) => h.trim()), rows: data };
}

/**
 * The index of a column: the one named (`option` says which option named it), else the first of
 * `defaults` present. Exit 1 with the header in the message when it is missing.
 */
export function columnIndex(table: CsvTable, name: string | undefined, option: string, defaults: readonly string[]): number {
  const shown = table.header.join(', ');
  if (name !== undefined) {
    if (name.trim() === '') throw usageError(`--${option} must not be empty`);
    const i = table.header.indexOf(name);
    if (i < 0) throw new CliError(`${table.label}: no column "${name}" (--${option}); the header is: ${shown}`);
    return i;
  }
  const i = table.header.findIndex((h) => defaults.includes(h));
  if (i < 0) {
    throw new CliError(
      `${table.label}: no ${defaults.map((d) => `"${d}"`).join(', ')} column; pass --${option} <name>. The header is: ${shown}`,
    );
  }
  return i;
}

/** Timestamps and numbers of two columns. A short row or a non-number exits 1 naming the line and column. */
export function readColumns(table: CsvTable, timeIndex: number, valueIndex: number): CsvColumns {
  const timestamps: string[] = [];
  const values: number[] = [];
  const valueName = table.header[valueIndex];
  table.rows.forEach((row, r) => {
    // Line numbers as an editor shows them: the header is line 1.
    const line = r + 2;
    if (row.length <= Math.max(timeIndex, valueIndex)) {
      throw new CliError(`${table.label}: line ${line} has ${row.length} fields, the header has ${table.header.length}`);
    }
    const text = (row[valueIndex] as string).trim();
    const value = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw new CliError(`${table.label}: line ${line}: "${text}" in column "${valueName}" is not a number`);
    timestamps.push((row[timeIndex] as string).trim());
    values.push(value);
  });
  return { timestamps, values };
}

/** `--horizon`: `24h`, `90m`, `7d`, `1w` or a number of hours; anything else is a usage error. */
export function parseHorizon(value: unknown, fallback: string): string | number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text) && Number(text) > 0) return Number(text);
  if (/^\d+(\.\d+)?(m|h|d|w)$/i.test(text) && Number.parseFloat(text) > 0) return text;
  throw usageError(`--horizon must be like 24h, 90m, 7d, 1w or a number of hours, got "${text}"`);
}

/** Columns as the `{ timestamp, value }` points the forecast API takes. */
export const pointsOf = (columns: CsvColumns): { timestamp: string; value: number }[] =>
  columns.timestamps.map((timestamp, i) => ({ timestamp, value: columns.values[i] as number }));
