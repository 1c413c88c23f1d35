/**
 * A small CSV reader (RFC 4180: comma separator, double-quoted fields with `""` escapes, CRLF or LF
 * line ends) and the step from CSV text to a series. Written here rather than kept from a library:
 * the whole reader is ~40 lines and the forecast entry stays dependency-free.
 * @packageDocumentation
 */

import { EliteError } from '../internal/errors.js';
import { checkOptionsObject } from './options.js';
import { fromColumns, type ToSeriesOptions } from './series.js';
import type { RegularSeries } from './types.js';

/** Rows of fields; the first row is the header when the file has one. Blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i++;
  }
  if (quoted) throw new EliteError('INVALID_CSV', 'elite/forecast: the CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Options of {@link parseCsvSeries}: the column names, plus those of `toSeries`. */
export interface CsvSeriesOptions extends ToSeriesOptions {
  /** Header of the timestamp column. Default `'timestamp'`. */
  timestampColumn?: string;
  /** Header of the value column. Default `'value'`. */
  valueColumn?: string;
}

/**
 * A series from CSV text with a header row. Throws `INVALID_CSV` when a column is missing or a row
 * is short, `SERIES_NON_FINITE` when a value is not a number, and the codes of `toSeries`.
 * @example
 * parseCsvSeries('ts,y\n2026-01-01T00:00:00Z,12\n2026-01-01T01:00:00Z,15\n', { timestampColumn: 'ts', valueColumn: 'y' });
 */
export function parseCsvSeries(text: string, options: CsvSeriesOptions = {}): RegularSeries {
  checkOptionsObject(options);
  const rows = parseCsv(text);
  const header = rows[0];
  if (header === undefined) throw new EliteError('INVALID_CSV', 'elite/forecast: the CSV is empty');
  const tsName = options.timestampColumn ?? 'timestamp';
  const valueName = options.valueColumn ?? 'value';
  const ti = header.indexOf(tsName);
  const vi = header.indexOf(valueName);
  if (ti < 0 || vi < 0) {
    throw new EliteError(
      'INVALID_CSV',
      `elite/forecast: the CSV header needs columns '${tsName}' and '${valueName}', got ${header.join(', ')}`,
    );
  }
  const timestamps: string[] = [];
  const values: number[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length <= Math.max(ti, vi)) throw new EliteError('INVALID_CSV', `elite/forecast: CSV row ${r + 1} has ${row.length} fields`);
    timestamps.push(row[ti]!);
    const text = row[vi]!.trim();
    values.push(text === '' ? Number.NaN : Number(text));
  }
  return fromColumns(timestamps, values, options);
}
