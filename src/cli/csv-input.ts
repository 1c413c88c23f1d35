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
  /** The line of the file where each data row starts (1 is the first line), for messages. */
  lines: number[];
  /** The forecast module's reader of ISO 8601 text (no offset: UTC); throws on anything else. */
  parseIso: (text: string) => number;
}

/** Two columns of a CSV file as read by {@link readColumns}: timestamps in epoch ms, values as numbers. */
export interface CsvColumns {
  /** The time column in epoch milliseconds, increasing, one per data row. */
  timestamps: number[];
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
  const { parseCsv, toEpochMs } = await import('@tiqology/elite/forecast');
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new CliError(`${label}: ${(error as Error).message.replace(/^elite\/forecast: /, '')}`, 1, { cause: error });
  }
  const [header, ...data] = rows;
  if (header === undefined) throw new CliError(`${label}: the file is empty (a header row and data rows are needed)`);
  return { label, header: header.map((h) => h.trim()), rows: data, lines: rowLines(text).slice(1), parseIso: (t) => toEpochMs(t) };
}

/**
 * The line where each row `parseCsv` returns starts: it skips blank lines and lets a quoted
 * field span lines, so a row's index alone would point at the wrong line. Same rules as parseCsv.
 */
export function rowLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let start = 1;
  let quoted = false;
  // The row so far has a comma or a character in a field (parseCsv keeps it), the field so far is empty (a quote opens one).
  let kept = false;
  let fieldEmpty = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (quoted) {
      if (c !== '"') kept = true;
      else if (text[i + 1] === '"') {
        kept = true;
        i++;
      } else quoted = false;
    } else if (c === '"' && fieldEmpty) quoted = true;
    else if (c === ',') {
      kept = true;
      fieldEmpty = true;
    } else if (c === '\n') {
      if (kept) starts.push(start);
      start = line;
      kept = false;
      fieldEmpty = true;
    } else if (c !== '\r') {
      kept = true;
      fieldEmpty = false;
    }
  }
  if (kept) starts.push(start);
  return starts;
}

/**
 * Numbers in a time column are epoch seconds below this (up to the year 5138) and epoch
 * milliseconds from it on (from March 1973): the two ranges cannot be confused for dates from
 * 1973 to 5138. Prometheus exports seconds (`1767614400.123`), JavaScript milliseconds.
 */
export const EPOCH_SECONDS_BELOW = 1e11;

const EPOCH_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Epoch ms of one timestamp as written: ISO 8601, epoch seconds or epoch milliseconds; NaN when it is none. */
function epochMsOf(text: string, table: CsvTable): number {
  if (!EPOCH_NUMBER.test(text)) {
    try {
      return table.parseIso(text);
    } catch {
      return Number.NaN;
    }
  }
  const n = Number(text);
  const ms = Math.abs(n) < EPOCH_SECONDS_BELOW ? Math.round(n * 1000) : n;
  // The range a Date can hold.
  return Math.abs(ms) <= 8.64e15 ? ms : Number.NaN;
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

/**
 * Timestamps (epoch ms) and numbers of two columns. A short row, a non-number, a timestamp that
 * is not one, or one that is not after the row before exits 1 naming the line and column.
 */
export function readColumns(table: CsvTable, timeIndex: number, valueIndex: number): CsvColumns {
  const timestamps: number[] = [];
  const values: number[] = [];
  const valueName = table.header[valueIndex];
  const timeName = table.header[timeIndex];
  table.rows.forEach((row, r) => {
    // Line numbers as an editor shows them: the header is line 1.
    const line = table.lines[r] ?? r + 2;
    if (row.length <= Math.max(timeIndex, valueIndex)) {
      throw new CliError(`${table.label}: line ${line} has ${row.length} fields, the header has ${table.header.length}`);
    }
    const text = (row[valueIndex] as string).trim();
    const value = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw new CliError(`${table.label}: line ${line}: "${text}" in column "${valueName}" is not a number`);
    const time = (row[timeIndex] as string).trim();
    const ms = epochMsOf(time, table);
    if (Number.isNaN(ms)) {
      throw new CliError(
        `${table.label}: line ${line}: "${time}" in column "${timeName}" is not a timestamp; use ISO 8601 (2026-01-05T12:00:00Z), epoch seconds or epoch milliseconds`,
      );
    }
    const previous = timestamps[r - 1];
    if (previous !== undefined && ms <= previous) {
      const before = table.lines[r - 1] ?? r + 1;
      throw new CliError(
        `${table.label}: line ${line}: "${time}" ${ms === previous ? 'repeats the time of' : 'is earlier than'} line ${before}; the rows must be sorted by time, one per timestamp`,
      );
    }
    timestamps.push(ms);
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
export const pointsOf = (columns: CsvColumns): { timestamp: number; value: number }[] =>
  columns.timestamps.map((timestamp, i) => ({ timestamp, value: columns.values[i] as number }));
