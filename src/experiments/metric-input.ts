/**
 * Checks of `analyzeExperiment`'s input: statistics a database could not have produced (negative
 * or fractional user counts, NaN, conversions above users, sums of squares below what the sums
 * imply) and options out of range throw a typed `EliteError` that says what to fix. Data that is
 * merely too thin (0 users, no variance) is not an error: it gives `NOT_ENOUGH_DATA`.
 */
import { EliteError } from '../internal/errors.js';
import type { MeanStats, MetricDefinition, MetricStats, MomentSums, RatioStats, VariantMetricStats } from './metric-stats.js';

/** Relative slack on Cauchy–Schwarz checks: sums in floating point lose a few ulps. */
const SLACK = 1e-9;

function fail(field: string, problem: string): never {
  throw new EliteError('INVALID_STATS', `elite/experiments: ${field} ${problem}`, { field });
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(field, `must be a finite number, got ${String(value)}; check the store's query for NaN values`);
  return value;
}

/** Users: a non-negative integer. */
export function checkUnits(value: unknown, field: string): number {
  const n = finite(value, field);
  if (n < 0 || !Number.isInteger(n)) fail(field, `must be a whole number of users ≥ 0, got ${n}`);
  return n;
}

/** Σx² ≥ (Σx)²/n: a sum of squares below that is impossible for real numbers. */
function checkMoments(sums: MomentSums, n: number, field: string): void {
  const sum = finite(sums?.sum, `${field}.sum`);
  const squares = finite(sums?.sumSquares, `${field}.sumSquares`);
  if (squares < 0) fail(`${field}.sumSquares`, `is negative (${squares}): a sum of squares cannot be`);
  if (n === 0 && (sum !== 0 || squares !== 0)) fail(field, 'has sums without users');
  if (n > 0 && squares < (sum * sum) / n - SLACK * Math.max(squares, (sum * sum) / n))
    fail(`${field}.sumSquares`, `is ${squares}, below (Σx)²/n = ${(sum * sum) / n} that the sum implies; recompute it`);
}

/** |Σxy| ≤ √(Σx²·Σy²). */
function checkProduct(product: unknown, a: MomentSums, b: MomentSums, field: string): void {
  const p = finite(product, field);
  const bound = Math.sqrt(a.sumSquares * b.sumSquares);
  if (Math.abs(p) > bound * (1 + SLACK) + SLACK) fail(field, `is ${p}, beyond √(Σx²·Σy²) = ${bound}; recompute it`);
}

function checkMean(stats: MeanStats, field: string): void {
  const n = checkUnits(stats.units, `${field}.units`);
  if (stats.kind === 'binomial') {
    const sum = finite(stats.sum, `${field}.sum`);
    if (sum < 0 || sum > n) fail(`${field}.sum`, `counts ${sum} converted users out of ${n}; it must be between 0 and the users`);
  } else {
    checkMoments(stats, n, field);
  }
  if (stats.pre !== undefined) {
    const post = stats.kind === 'binomial' ? { sum: stats.sum, sumSquares: stats.sum } : stats;
    checkMoments(stats.pre, n, `${field}.pre`);
    checkProduct(stats.pre.sumProducts, post, stats.pre, `${field}.pre.sumProducts`);
  }
}

function checkRatio(stats: RatioStats, field: string): void {
  const n = checkUnits(stats.units, `${field}.units`);
  checkMoments(stats.numerator, n, `${field}.numerator`);
  checkMoments(stats.denominator, n, `${field}.denominator`);
  checkProduct(stats.sumProducts, stats.numerator, stats.denominator, `${field}.sumProducts`);
  const pre = stats.pre;
  if (pre === undefined) return;
  checkMoments(pre.numerator, n, `${field}.pre.numerator`);
  checkMoments(pre.denominator, n, `${field}.pre.denominator`);
  checkProduct(pre.sumProducts, pre.numerator, pre.denominator, `${field}.pre.sumProducts`);
  const cross = pre.cross;
  if (cross === undefined || cross === null) fail(`${field}.pre.cross`, 'is missing: CUPED on a ratio needs the four cross products');
  checkProduct(cross.numeratorNumerator, stats.numerator, pre.numerator, `${field}.pre.cross.numeratorNumerator`);
  checkProduct(cross.numeratorDenominator, stats.numerator, pre.denominator, `${field}.pre.cross.numeratorDenominator`);
  checkProduct(cross.denominatorNumerator, stats.denominator, pre.numerator, `${field}.pre.cross.denominatorNumerator`);
  checkProduct(cross.denominatorDenominator, stats.denominator, pre.denominator, `${field}.pre.cross.denominatorDenominator`);
}

/** Throws `INVALID_STATS` when one metric's statistics are impossible or of another kind than its definition. */
export function checkMetricStats(stats: MetricStats | undefined, metric: MetricDefinition, field: string): MetricStats {
  if (stats === undefined || stats === null || typeof stats !== 'object')
    fail(field, `is missing: the store returned no statistics for metric "${metric.key}"`);
  if (stats.kind !== metric.kind) fail(`${field}.kind`, `is "${String(stats.kind)}" but metric "${metric.key}" is ${metric.kind}`);
  if (stats.kind === 'ratio') checkRatio(stats, field);
  else checkMean(stats, field);
  return stats;
}

/** Throws `INVALID_STATS` on a malformed variant list: empty, duplicate or unnamed variants, bad units. */
export function checkVariants(variants: readonly VariantMetricStats[]): void {
  if (!Array.isArray(variants) || variants.length < 2) fail('stats', 'must list at least two variants (control and one other)');
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (typeof v?.variant !== 'string' || v.variant === '') fail(`stats[${i}].variant`, 'must be a non-empty string');
    if (seen.has(v.variant)) fail(`stats[${i}].variant`, `"${v.variant}" appears twice`);
    seen.add(v.variant);
    checkUnits(v.units, `stats[${i}].units`);
  });
}
