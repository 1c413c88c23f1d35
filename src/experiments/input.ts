/**
 * Reading the caller's input without throwing: options, weights and aggregate rows that are not
 * what the types say become defaults or skipped rows, each with a line in `warnings`.
 */
import { describeValue, plural } from './wording.js';

/** One variant's counts after validation. */
export interface Counts {
  /** The variant's key. */
  variant: string;
  /** Distinct exposed users. */
  exposures: number;
  /** Distinct exposed users who converted (at most `exposures`). */
  conversions: number;
  /** Sum of the conversion values (revenue), 0 when none were tracked. */
  valueSum: number;
}

/** Exposures each variant needs before a winner may be declared, unless `minimumSample` says otherwise. */
export const DEFAULT_MINIMUM_SAMPLE = 100;
/** Significance level of the tests and `1 - alpha` intervals, unless `alpha` says otherwise. */
export const DEFAULT_ALPHA = 0.05;
/** How many invalid rows a warning names before it summarises. */
const NAMED_ROWS = 5;

/** Zero counts for `variant`: a configured variant with no data yet. */
export function emptyCounts(variant: string): Counts {
  return { variant, exposures: 0, conversions: 0, valueSum: 0 };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * `minimumSample` and `alpha` from the caller's options; a missing, null or invalid option falls
 * back to its default with a line in `warnings`, never a throw.
 */
export function readOptions(options: unknown, warnings: string[]): { minimumSample: number; alpha: number } {
  let minimumSample = DEFAULT_MINIMUM_SAMPLE;
  let alpha = DEFAULT_ALPHA;
  if (options === undefined || options === null) return { minimumSample, alpha };
  if (typeof options !== 'object') {
    warnings.push('options is not an object: defaults used');
    return { minimumSample, alpha };
  }
  const { minimumSample: m, alpha: a } = options as Record<string, unknown>;
  if (m !== undefined) {
    if (typeof m === 'number' && Number.isFinite(m) && m >= 0) minimumSample = m;
    else warnings.push(`options.minimumSample must be a non-negative number, got ${describeValue(m)}: ${DEFAULT_MINIMUM_SAMPLE} used`);
  }
  if (a !== undefined) {
    if (typeof a === 'number' && a > 0 && a < 1) alpha = a;
    else warnings.push(`options.alpha must be a number between 0 and 1, got ${describeValue(a)}: ${DEFAULT_ALPHA} used`);
  }
  return { minimumSample, alpha };
}
/** Configured weights in key order; invalid ones become 0. */
export function readWeights(weights: unknown, warnings: string[]): Map<string, number> {
  const result = new Map<string, number>();
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    warnings.push('weights is not an object of percentages per variant: no variant is configured');
    return result;
  }
  const invalid: string[] = [];
  for (const [name, weight] of Object.entries(weights as Record<string, unknown>)) {
    const valid = typeof weight === 'number' && Number.isFinite(weight) && weight >= 0;
    if (!valid) invalid.push(name);
    result.set(name, valid ? weight : 0);
  }
  if (invalid.length > 0) {
    warnings.push(`invalid ${plural(invalid.length, 'weight')} treated as 0 (${invalid.join(', ')}): weights must be non-negative numbers`);
  }
  return result;
}

/** Valid rows by variant, in input order; one warning for all skipped rows. */
export function readRows(aggregates: unknown, warnings: string[]): Map<string, Counts> {
  const rows = new Map<string, Counts>();
  if (!Array.isArray(aggregates)) {
    warnings.push('aggregates is not an array: no data read');
    return rows;
  }
  const skipped: string[] = [];
  const badValues: string[] = [];
  for (let index = 0; index < aggregates.length; index++) {
    const problem = readRow(aggregates[index], rows, badValues);
    if (problem !== undefined) skipped.push(`#${index} ${problem}`);
  }
  if (skipped.length > 0) {
    const named = skipped.slice(0, NAMED_ROWS).join('; ');
    const more = skipped.length > NAMED_ROWS ? `; and ${skipped.length - NAMED_ROWS} more` : '';
    warnings.push(`skipped ${plural(skipped.length, 'invalid aggregate row')} (${named}${more})`);
  }
  if (badValues.length > 0) {
    warnings.push(`valueSum is not a finite number for ${badValues.join(', ')}: counted as 0`);
  }
  return rows;
}

/** Adds one row to `rows`, or says why it was skipped. */
function readRow(row: unknown, rows: Map<string, Counts>, badValues: string[]): string | undefined {
  if (typeof row !== 'object' || row === null) return 'is not an object';
  try {
    const { variant, exposures, conversions, valueSum } = row as Record<string, unknown>;
    if (typeof variant !== 'string' || variant === '') return 'has no variant name';
    if (!isCount(exposures)) return `(${variant}): exposures must be a non-negative integer, got ${describeValue(exposures)}`;
    if (!isCount(conversions)) return `(${variant}): conversions must be a non-negative integer, got ${describeValue(conversions)}`;
    if (conversions > exposures) return `(${variant}): ${conversions} conversions exceed ${exposures} exposures`;
    if (rows.has(variant)) return `(${variant}): duplicate of an earlier row`;
    const finiteValue = typeof valueSum === 'number' && Number.isFinite(valueSum);
    if (!finiteValue) badValues.push(variant);
    rows.set(variant, { variant, exposures, conversions, valueSum: finiteValue ? valueSum : 0 });
    return undefined;
  } catch {
    // A getter or proxy that throws: the row is unreadable, not the whole result.
    return 'could not be read';
  }
}
