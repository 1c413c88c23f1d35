import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { NAB_MAX_TP, NAB_PROFILES, type NabCostMatrix, type NabProfileName, nabProbationLength, nabScaledSigmoid } from './nab-profiles.js';

/** One data file with a detector's scores, as {@link scoreNab} reads it. */
export interface NabFileInput {
  /** A name for the per-file rows of the result, such as `realKnownCause/nyc_taxi.csv`. */
  readonly name: string;
  /** Row timestamps in epoch milliseconds, ascending. */
  readonly timestamps: ArrayLike<number>;
  /** The detector's anomaly score of each row; a row is a detection when its score is ≥ the threshold. Non-finite scores never detect. */
  readonly scores: ArrayLike<number>;
  /** The labelled anomaly windows, `[startMs, endMs]` inclusive (NAB's combined_windows.json, already widened). */
  readonly windows: readonly (readonly [number, number])[];
}

/** Options of {@link scoreNab}. */
export interface NabScoreOptions {
  /** One of NAB's profiles or your own weights. Default `'standard'`. */
  readonly profile?: NabProfileName | NabCostMatrix;
  /**
   * The detection threshold shared by every file. Default: the one that maximises the summed score
   * over all the files given, as NAB's optimiser does (so pass the whole corpus, not one file).
   */
  readonly threshold?: number;
}

/** The score of one file at the chosen threshold. */
export interface NabFileScore {
  /** The file's name, as given in its input. */
  readonly name: string;
  /** The file's weighted score before normalisation. */
  readonly raw: number;
  /** Windows with at least one detection (only the earliest counts). */
  readonly tp: number;
  /** Detections outside every window (after the probationary period). */
  readonly fp: number;
  /** Windows without a detection. */
  readonly fn: number;
  /** Scored rows outside every window without a detection. */
  readonly tn: number;
  /** Labelled windows scored: those with at least one row after the probationary period. */
  readonly windows: number;
}

/** The result of {@link scoreNab}. */
export interface NabScoreResult {
  /** The cost matrix used. */
  readonly profile: NabCostMatrix;
  /** The threshold used; `Infinity` when detecting nothing scored best. */
  readonly threshold: number;
  /** The normalised score: 0 is the null detector (no detections), 100 the perfect one. */
  readonly score: number;
  /** The summed raw score, and the null and perfect detectors' raw scores that normalise it. */
  readonly raw: number;
  /** Raw score of the null detector, which never detects: the 0 of the normalised score. */
  readonly nullRaw: number;
  /** Raw score of the perfect detector, which hits each window at its start: the 100. */
  readonly perfectRaw: number;
  /** Each file's score at the chosen threshold, in input order. */
  readonly files: readonly NabFileScore[];
}

const PROBATION = -2;
const OUTSIDE = -1;

/** Per-row scoring facts of one file, independent of the detector's threshold. */
interface PreparedFile {
  readonly name: string;
  readonly scores: Float64Array;
  /** Window index of each row, {@link OUTSIDE} or {@link PROBATION}. */
  readonly window: Int32Array;
  /** Unweighted value of a detection at the row: the normalised TP sigmoid inside a window, the (negative) FP sigmoid outside. */
  readonly value: Float64Array;
  /** Windows found in the rows (indices of `window`), and those with a row after the probation: only these are scored, as in NAB. */
  readonly windowSlots: number;
  readonly windowCount: number;
}

function windowBounds(file: NabFileInput): [number, number][] {
  const ts = file.timestamps;
  const bounds: [number, number][] = [];
  for (const [startMs, endMs] of file.windows) {
    let left = 0;
    while (left < ts.length && (ts[left] as number) < startMs) left++;
    let right = left - 1;
    while (right + 1 < ts.length && (ts[right + 1] as number) <= endMs) right++;
    // A window with no rows can be neither hit nor missed by any detector: NAB's corpus has none.
    if (right >= left) bounds.push([left, right]);
  }
  return bounds.sort((a, b) => a[0] - b[0]);
}

function prepare(file: NabFileInput): PreparedFile {
  const n = file.timestamps.length;
  if (file.scores.length !== n) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: ${file.name} has ${n} timestamps but ${file.scores.length} scores; give one score per row.`,
      {
        field: 'scores',
      },
    );
  }
  const bounds = windowBounds(file);
  const probation = nabProbationLength(n);
  const window = new Int32Array(n);
  const value = new Float64Array(n);
  const scores = new Float64Array(n);
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const s = file.scores[i] as number;
    scores[i] = Number.isFinite(s) ? s : Number.NEGATIVE_INFINITY;
    while (w < bounds.length && i > (bounds[w] as [number, number])[1]) {
      const [l, r] = bounds[w] as [number, number];
      prevRight = r;
      prevWidth = r - l + 1;
      w++;
    }
    const current = bounds[w];
    if (current !== undefined && i >= current[0]) {
      const width = current[1] - current[0] + 1;
      window[i] = i < probation ? PROBATION : w;
      value[i] = nabScaledSigmoid(-(current[1] - i + 1) / width) / NAB_MAX_TP;
    } else {
      window[i] = i < probation ? PROBATION : OUTSIDE;
      // Before the first window every false positive costs the full penalty; after one, less the closer it is.
      value[i] = prevRight < 0 ? -1 : nabScaledSigmoid(Math.abs(i - prevRight) / (prevWidth - 1));
    }
  }
  const scorable = bounds.filter(([, right]) => right >= probation).length;
  return { name: file.name, scores, window, value, windowSlots: bounds.length, windowCount: scorable };
}

function resolveProfile(profile: NabScoreOptions['profile']): NabCostMatrix {
  if (profile === undefined) return NAB_PROFILES.standard;
  if (typeof profile === 'string') {
    const found = (NAB_PROFILES as Record<string, NabCostMatrix>)[profile];
    if (found === undefined) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/forecast: unknown NAB profile "${profile}"; use ${Object.keys(NAB_PROFILES).join(', ')}.`,
        {
          field: 'profile',
        },
      );
    }
    return found;
  }
  return profile;
}

function scoreFile(file: PreparedFile, threshold: number, cost: NabCostMatrix): NabFileScore {
  const best = new Float64Array(file.windowSlots).fill(Number.NaN);
  let fpSum = 0;
  let fp = 0;
  let tn = 0;
  for (let i = 0; i < file.scores.length; i++) {
    const w = file.window[i] as number;
    if (w === PROBATION) continue;
    const detected = (file.scores[i] as number) >= threshold;
    if (w === OUTSIDE) {
      if (detected) {
        fp++;
        fpSum += file.value[i] as number;
      } else tn++;
    } else if (detected && Number.isNaN(best[w] as number)) {
      // Rows run forward, so the first detection in a window is the earliest and the only one counted.
      best[w] = file.value[i] as number;
    }
  }
  let tp = 0;
  let tpSum = 0;
  for (const v of best) {
    if (Number.isNaN(v)) continue;
    tp++;
    tpSum += v;
  }
  const fn = file.windowCount - tp;
  const raw = cost.tpWeight * tpSum + cost.fpWeight * fpSum - cost.fnWeight * fn;
  return { name: file.name, raw, tp, fp, fn, tn, windows: file.windowCount };
}

/**
 * The threshold that maximises the summed raw score over all files: one sweep down the scores of
 * every scored row, O(rows·log rows), as NAB's sweeper does.
 */
function optimiseThreshold(files: readonly PreparedFile[], cost: NabCostMatrix): number {
  const offsets: number[] = [];
  let slots = 0;
  let windows = 0;
  let rows = 0;
  for (const f of files) {
    offsets.push(slots);
    slots += f.windowSlots;
    windows += f.windowCount;
    rows += f.scores.length;
  }
  const rowFile = new Int32Array(rows);
  const rowIndex = new Int32Array(rows);
  const rowScore = new Float64Array(rows);
  let k = 0;
  files.forEach((f, fi) => {
    for (let i = 0; i < f.scores.length; i++) {
      if (f.window[i] === PROBATION || !Number.isFinite(f.scores[i] as number)) continue;
      rowFile[k] = fi;
      rowIndex[k] = i;
      rowScore[k] = f.scores[i] as number;
      k++;
    }
  });
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => (rowScore[b] as number) - (rowScore[a] as number));
  const best = new Float64Array(slots).fill(Number.NaN);
  let total = -cost.fnWeight * windows;
  let bestTotal = total;
  let bestThreshold = Number.POSITIVE_INFINITY;
  for (let j = 0; j < order.length; j++) {
    const r = order[j] as number;
    const f = files[rowFile[r] as number] as PreparedFile;
    const i = rowIndex[r] as number;
    const w = f.window[i] as number;
    const v = f.value[i] as number;
    if (w === OUTSIDE) total += cost.fpWeight * v;
    else {
      const g = (offsets[rowFile[r] as number] as number) + w;
      const previous = best[g] as number;
      // Lowering the threshold can only add earlier detections to a window: keep its best (earliest) one.
      if (Number.isNaN(previous)) {
        total += cost.fnWeight + cost.tpWeight * v;
        best[g] = v;
      } else if (v > previous) {
        total += cost.tpWeight * (v - previous);
        best[g] = v;
      }
    }
    const next = order[j + 1];
    // Rows with equal scores are detected together: compare only once the whole tie is in.
    if (next !== undefined && rowScore[next] === rowScore[r]) continue;
    if (total > bestTotal) {
      bestTotal = total;
      bestThreshold = rowScore[r] as number;
    }
  }
  return bestThreshold;
}

/**
 * Scores a detector on labelled series the way the Numenta Anomaly Benchmark does: the first 15% of
 * each file (at most 750 rows) is a probationary period and not scored; the earliest detection in
 * each anomaly window earns `tpWeight` times the scaled sigmoid of its position (1 at the window's
 * start), later ones in the same window count for nothing; every detection outside a window costs
 * `fpWeight` times the scaled sigmoid of its distance past the preceding window (the full weight
 * before the first window or three widths past one); each missed window costs `fnWeight` (a window
 * wholly inside the probationary period is not scored, as in NAB's sweeper). The
 * summed raw score is normalised so that the null detector scores 0 and the perfect one 100.
 *
 * @throws EliteError `INVALID_OPTIONS` when a file's scores and timestamps differ in length, the
 *   profile is unknown, or no file has a labelled window (the score would be undefined).
 * @see https://github.com/numenta/NAB
 * @example
 * ```ts
 * import { scoreNab } from '@tiqology/elite/forecast';
 * const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 60_000);
 * const r = scoreNab([{ name: 'a', timestamps: t, scores: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0], windows: [[t[8], t[9]]] }]);
 * r.score; // 100: the one window is hit at its first row, no false positives
 * ```
 */
export function scoreNab(files: readonly NabFileInput[], options: NabScoreOptions = {}): NabScoreResult {
  checkOptionsObject(options);
  const cost = resolveProfile(options.profile);
  const prepared = files.map(prepare);
  const windows = prepared.reduce((sum, f) => sum + f.windowCount, 0);
  if (windows === 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/forecast: no file has a labelled anomaly window, so the NAB score is undefined; include files with windows.',
      {
        field: 'windows',
      },
    );
  }
  const threshold = options.threshold ?? optimiseThreshold(prepared, cost);
  const perFile = prepared.map((f) => scoreFile(f, threshold, cost));
  const raw = perFile.reduce((sum, f) => sum + f.raw, 0);
  const nullRaw = -cost.fnWeight * windows;
  const perfectRaw = cost.tpWeight * windows;
  return { profile: cost, threshold, score: (100 * (raw - nullRaw)) / (perfectRaw - nullRaw), raw, nullRaw, perfectRaw, files: perFile };
}
