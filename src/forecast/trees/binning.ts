import { EliteError } from '../../internal/errors.js';

/**
 * Features quantized into at most 256 bins per column, so that a split search is a histogram
 * pass instead of a sort (LightGBM's and scikit-learn's HistGradientBoosting idea). Columns with
 * at most 256 distinct values (hour, day of week, flags) keep every distinct value, so their
 * splits are exact; the others cut at quantiles of their distinct values.
 */
export interface BinnedData {
  /** Rows of the matrix. */
  readonly rows: number;
  /** Columns (features) of the matrix. */
  readonly features: number;
  /** Column-major bin indexes: `bins[f][i]` is row i's bin in feature f. */
  readonly bins: Uint8Array[];
  /**
   * Per feature, the raw thresholds between consecutive bins: bin b holds values
   * `<= edges[f][b]` (and above `edges[f][b - 1]`). A split "bin <= b" is "x <= edges[f][b]".
   */
  readonly edges: Float64Array[];
}

/** Most bins per feature: bin indexes fit a `Uint8Array`. */
export const MAX_BINS = 256;

/** Validates a row-major feature matrix and returns its column count. */
export function checkMatrix(x: ReadonlyArray<ArrayLike<number>>, what: string): number {
  if (!Array.isArray(x) || x.length === 0) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${what} must be a non-empty array of rows`, { field: what });
  }
  const width = x[0]!.length;
  if (!(width > 0)) throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${what} rows must have at least one feature`, { field: what });
  for (let i = 0; i < x.length; i++) {
    const row = x[i]!;
    if (row.length !== width) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${what}[${i}] has ${row.length} features, expected ${width}`, {
        field: `${what}[${i}]`,
      });
    }
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(row[j])) {
        throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${what}[${i}][${j}] must be a finite number, got ${String(row[j])}`, {
          field: `${what}[${i}][${j}]`,
        });
      }
    }
  }
  return width;
}

/** Quantizes the rows of `x` (already checked by {@link checkMatrix}). */
export function binMatrix(x: ReadonlyArray<ArrayLike<number>>, maxBins = MAX_BINS): BinnedData {
  const rows = x.length;
  const features = x[0]!.length;
  const bins: Uint8Array[] = [];
  const edges: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < rows; i++) column[i] = x[i]![f]!;
    const sorted = Float64Array.from(column).sort();
    const distinct: number[] = [];
    for (let i = 0; i < rows; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    const cuts: number[] = [];
    if (distinct.length <= maxBins) {
      for (let k = 0; k + 1 < distinct.length; k++) cuts.push((distinct[k]! + distinct[k + 1]!) / 2);
    } else {
      // Cut at quantiles of the rows (not of the distinct values) so each bin holds about the
      // same number of rows; midpoints between neighbouring distinct values, as exact CART does.
      let last = -Infinity;
      for (let k = 1; k < maxBins; k++) {
        const v = sorted[Math.floor((k * rows) / maxBins)]!;
        // The cut goes just below v: midpoint between v's predecessor among distinct values and v.
        const at = lowerIndex(distinct, v);
        if (at === 0) continue;
        const cut = (distinct[at - 1]! + v) / 2;
        if (cut > last) {
          cuts.push(cut);
          last = cut;
        }
      }
    }
    const e = Float64Array.from(cuts);
    const b = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) b[i] = binOf(e, column[i]!);
    bins.push(b);
    edges.push(e);
  }
  return { rows, features, bins, edges };
}

/** The first index whose value is >= v in an ascending array. */
function lowerIndex(values: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bin of raw value v: the first b with v <= edges[b], or edges.length. */
export function binOf(edges: Float64Array, v: number): number {
  return lowerIndex(edges, v);
}
