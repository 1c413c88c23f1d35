import { EliteError } from '../../internal/errors.js';
import { normalCdf, normalQuantile } from '../normal.js';
import { checkOptionsObject } from '../options.js';
import { type DetectorOptions, type ResolvedDetectorOptions, resolveDetectorOptions } from './detector-options.js';
import { createLikelihood, type LikelihoodState, likelihoodTail } from './residual-likelihood.js';
import { createRecurrence, type RecurrenceState, recurrenceDecades } from './residual-recurrence.js';
import { type BaselineState, createBaseline, forecastPoint, learnPoint } from './seasonal-baseline.js';
import { createNovelty, type NoveltyState, noveltyScore, noveltyState } from './value-novelty.js';

/** Why a point got no score. */
export type DetectorReason = 'WARMUP' | 'SUPPRESSED' | 'NON_FINITE_VALUE' | 'OUT_OF_RANGE' | 'INVALID_TIMESTAMP' | 'OUT_OF_ORDER';

/** Largest |value| learned: beyond it the baseline's sums could overflow to Infinity and poison the state. */
const MAX_ABS_VALUE = 1e150;

/** The verdict on one point. */
export interface DetectorResult {
  /** The point's time, epoch ms, as read from the timestamp given (NaN when it was invalid). */
  readonly timestampMs: number;
  /** The value given, as given. */
  readonly observed: number;
  /** The forecast from the points before this one: its mean and the central interval of probability `alertProbability`. */
  readonly expected: {
    /** The forecast value. */
    readonly mean: number;
    /** Lower end of the central interval. */
    readonly lower: number;
    /** Upper end of the central interval. */
    readonly upper: number;
  };
  /**
   * How unusual the point is, 0–1: 1 − 10^−e for e decades of evidence, the larger of the residual's
   * (its two-sided tail probability or the likelihood tail of the recent residuals against the long-term
   * ones, discounted to its empirical tail once as large a residual has recurred `residualRepeats` times,
   * times `residualWeight`) and the value's novelty (`noveltyDecades` for a value in a bin never
   * seen, half that for a new context). Not zeroed by warm-up or suppression.
   */
  readonly probability: number;
  /**
   * The alert score, 0–1, increasing with the decades of evidence e: e / (e + 4), so e = 4 scores 0.5
   * and the default alert level (12) 0.75; 0 during warm-up and suppression and for skipped points.
   * This is the column NAB's scorer reads.
   */
  readonly score: number;
  /** True when `probability ≥ alertProbability` outside warm-up and suppression. */
  readonly anomaly: boolean;
  /**
   * Set when the point was not scored or not learned. `NON_FINITE_VALUE`, `OUT_OF_RANGE` (|value| > 1e150),
   * `INVALID_TIMESTAMP` and `OUT_OF_ORDER` (earlier than the last point) are not learned.
   */
  readonly reason?: DetectorReason;
}

/** Everything a detector has learned, as plain JSON-safe data: pass it back as `state` to resume. */
export interface DetectorState {
  /**
   * Format of the state; a detector refuses a state of another version (version 1 had no novelty,
   * version 2 no log-scale novelty, version 3 no residual recurrence).
   */
  readonly version: 4;
  /** Every option, defaults filled in, as the detector ran with them. */
  readonly options: ResolvedDetectorOptions;
  /** The learned seasonal baseline. */
  readonly baseline: BaselineState;
  /** The recent and long-term residual statistics. */
  readonly likelihood: LikelihoodState;
  /** How often large residuals have occurred, to discount recurring ones. */
  readonly recurrence: RecurrenceState;
  /** The contextual novelty's value bins and contexts seen, on the value's own scale. */
  readonly novelty: NoveltyState;
  /** The same on the log scale (`scale: 'off'` for a series with negative values). */
  readonly logNovelty: NoveltyState;
  /** Points still to pass before another alert may fire. */
  readonly suppressLeft: number;
  /** Epoch ms of the last point learned (`-Infinity` before the first). */
  readonly lastTimestampMs: number;
}

/** A streaming anomaly detector: see {@link detector}. */
export interface AnomalyDetector {
  /** Scores the point against the forecast from the points before it, then learns it. O(1); never throws. */
  update(timestamp: number | Date, value: number): DetectorResult;
  /** A copy of the learned state, to persist and resume with `detector({ state })`. */
  state(): DetectorState;
  /** The options in use, defaults filled in. */
  readonly options: ResolvedDetectorOptions;
}

/** Decades of tail probability at which the score is one half. */
const SCORE_HALF_DECADES = 4;
const MAX_DECADES = 1e6;
/**
 * Weight of the residual's decades added to the evidence: novel points all score the same decades, and
 * this small term ranks them by how far they also are from the forecast.
 */
const TIE_BREAK = 0.001;

/**
 * −log10 of the two-sided normal tail of z, finite far beyond where the tail underflows (Mills' ratio
 * asymptote past |z| = 8), so extreme points keep their order instead of tying at the cap.
 */
function pointTailDecades(z: number): number {
  const a = Math.abs(z);
  if (a < 8) return -Math.log10(Math.max(2 * normalCdf(-a), 1e-300));
  return (a * a) / 2 / Math.LN10 + Math.log10(a * Math.sqrt(2 * Math.PI)) - Math.log10(2);
}

/** The |z| whose two-sided tail has the given decades, by bisection (pointTailDecades is increasing). */
function zForDecades(decades: number): number {
  let low = 0;
  let high = 1e4;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (pointTailDecades(mid) < decades) low = mid;
    else high = mid;
  }
  return high;
}

function checkState(state: DetectorState): DetectorState {
  const ok =
    state !== null &&
    typeof state === 'object' &&
    state.version === 4 &&
    Array.isArray(state.recurrence?.counts) &&
    [state.novelty, state.logNovelty].every(
      (m) => typeof m?.scale === 'string' && Array.isArray(m.bins) && Array.isArray(m.pairs) && Array.isArray(m.anchor),
    ) &&
    Array.isArray(state.baseline?.season) &&
    Array.isArray(state.likelihood?.recent) &&
    state.likelihood.recent.length === state.options?.shortWindow;
  if (!ok) {
    throw new EliteError(
      'INVALID_OPTIONS',
      "elite/forecast: detector state is not one returned by this release's detector().state() (version 4); start without state.",
      {
        field: 'state',
      },
    );
  }
  return structuredClone(state);
}

/**
 * A streaming anomaly detector built on a one-step forecast and on the novelty of the value. Each point
 * is scored only from the points before it: a learned level with a seasonal offset per slot of the day
 * (used while it forecasts better than the level alone) and a robust residual scale give a normal
 * predictive distribution; the point's two-sided tail probability is combined with the likelihood of
 * the recent residuals against the long-term ones, so both a spike and a burst of moderate deviations
 * score; a residual as large as ones the series has already produced `residualRepeats` times counts
 * only its empirical tail (a recurring spike is a pattern). Beside it, the value is binned on the range of the first points, on its own scale and (for a
 * series never negative) on a log scale, and scored by whether its bin (a level never visited) or its
 * (previous bin, bin) context is new on either scale. The larger of the two, in
 * decades of evidence, fires the alert; after an alert, further alerts are suppressed for
 * `suppressPoints` points.
 *
 * @throws EliteError `INVALID_OPTIONS` for an out-of-range option or a state not from `state()`.
 * @example
 * ```ts
 * import { forecast } from '@tiqology/elite/forecast';
 * const d = forecast.detector();
 * for (let i = 0; i < 200; i++) d.update(i * 60_000, 100 + (i % 3));
 * const r = d.update(200 * 60_000, 180);
 * r.anomaly; // true: 180 is far outside r.expected.lower..r.expected.upper
 * ```
 */
export function detector(options: DetectorOptions & { readonly state?: DetectorState } = {}): AnomalyDetector {
  const { state: saved, ...rest } = checkOptionsObject(options);
  const restored = saved === undefined ? undefined : checkState(saved);
  const opts = restored?.options ?? resolveDetectorOptions(rest);
  const baseline = restored?.baseline ?? createBaseline(opts);
  const likelihood = restored?.likelihood ?? createLikelihood(opts);
  const recurrence = restored?.recurrence ?? createRecurrence();
  const novelty = createNovelty(restored?.novelty);
  const logNovelty = createNovelty(restored?.logNovelty, 'log');
  let suppressLeft = restored?.suppressLeft ?? 0;
  let lastTimestampMs = restored?.lastTimestampMs ?? Number.NEGATIVE_INFINITY;
  const alertDecades = -Math.log10(1 - opts.alertProbability);
  // The expected range: the residuals that alone stay below the alert.
  const halfWidth = zForDecades(alertDecades / opts.residualWeight);
  const tailZ = normalQuantile((1 + opts.tailQuantile) / 2);

  function update(timestamp: number | Date, value: number): DetectorResult {
    const timestampMs = timestamp instanceof Date ? timestamp.getTime() : timestamp;
    const validTime = typeof timestampMs === 'number' && Number.isFinite(timestampMs);
    const f = forecastPoint(baseline, opts, validTime ? timestampMs : lastTimestampMs, tailZ);
    const expected = { mean: f.mean, lower: f.mean - halfWidth * f.sigma, upper: f.mean + halfWidth * f.sigma };
    const skip = (reason: DetectorReason): DetectorResult => ({
      timestampMs,
      observed: value,
      expected,
      probability: 0,
      score: 0,
      anomaly: false,
      reason,
    });
    // Bad points are reported, never learned and never thrown: the stream goes on.
    if (!validTime) return skip('INVALID_TIMESTAMP');
    if (timestampMs < lastTimestampMs) return skip('OUT_OF_ORDER');
    if (typeof value !== 'number' || !Number.isFinite(value)) return skip('NON_FINITE_VALUE');
    if (Math.abs(value) > MAX_ABS_VALUE) return skip('OUT_OF_RANGE');
    lastTimestampMs = timestampMs;
    const warm = baseline.n >= Math.max(opts.warmupPoints, 2);
    const z = (value - f.mean) / f.sigma;
    const burstTail = warm ? likelihoodTail(likelihood, opts, z) : 1;
    learnPoint(baseline, opts, f, value);
    const novel = Math.max(noveltyScore(novelty, opts, value), noveltyScore(logNovelty, opts, value));
    // Capped so an astronomically large z (a jump from a flat series) keeps a finite, ordered score.
    const raw = Math.min(Math.max(pointTailDecades(z), -Math.log10(Math.max(burstTail, 1e-300))), MAX_DECADES);
    // A residual the series keeps producing is a pattern, not news: only once warm, when the scale is learned.
    const residual = warm ? recurrenceDecades(recurrence, opts, raw) : raw;
    const decades = Math.min(Math.max(opts.residualWeight * residual, opts.noveltyDecades * novel) + TIE_BREAK * residual, MAX_DECADES);
    const probability = 1 - 10 ** -decades;
    if (!warm) return { timestampMs, observed: value, expected, probability, score: 0, anomaly: false, reason: 'WARMUP' };
    if (suppressLeft > 0) {
      suppressLeft--;
      return { timestampMs, observed: value, expected, probability, score: 0, anomaly: false, reason: 'SUPPRESSED' };
    }
    const anomaly = decades >= alertDecades;
    if (anomaly) suppressLeft = opts.suppressPoints;
    const score = decades / (decades + SCORE_HALF_DECADES);
    return { timestampMs, observed: value, expected, probability, score, anomaly };
  }

  return {
    update,
    state: () =>
      structuredClone({
        version: 4 as const,
        options: opts,
        baseline,
        likelihood,
        recurrence,
        novelty: noveltyState(novelty),
        logNovelty: noveltyState(logNovelty),
        suppressLeft,
        lastTimestampMs,
      }),
    options: opts,
  };
}
