import { EliteError } from '../internal/errors.js';
import { normalCdf, normalQuantile } from './normal.js';
import { HOUR_MS, isRegularSeries, namedSeries, toEpochMs } from './series.js';
import { traffic } from './traffic.js';
import {
  accuracy,
  fitRandomForest,
  logLoss,
  permutationImportance,
  type RandomForestClassifier,
  type RandomForestOptions,
} from './trees/index.js';
import type { RegularSeries, SeriesPoint, TrafficForecast, TrafficOptions } from './types.js';

/** What to do with capacity. */
export type ScalingDecision = 'SCALE_UP' | 'SCALE_DOWN' | 'MAINTAIN';

/** One future step of a load forecast: the mean and interval bounds per level (`lower[80]`, `upper[95]`). */
export interface LoadForecastStep {
  /** Epoch ms. */
  timestamp: number;
  mean: number;
  lower: Record<number, number>;
  upper: Record<number, number>;
}

/** The load forecast a threshold decision reads: the steps of the coming window. */
export interface LoadForecast {
  steps: LoadForecastStep[];
}

/** Current readings shown in the reasons (`CPU: 72%`, `Memory: 68%`, `Latency: 520ms`). */
export interface CurrentMetrics {
  cpuPercent?: number;
  memoryPercent?: number;
  latencyMs?: number;
}

/** What {@link decide} reads. Which fields are needed depends on the policy. */
export interface DecideInput {
  /** Threshold policy: the load forecast, or anything {@link toLoadForecast} accepts (a traffic forecast result). */
  forecast?: LoadForecast | unknown;
  /** Threshold policy: the load the current fleet handles at 100 %, in the forecast's unit. Overrides the policy's. */
  capacity?: number;
  /**
   * Recent load; its last point is "now". Learned policy: at the training step, at least one week
   * and one step long. Threshold policy without `forecast`: `decide` runs `traffic(history)` (with
   * the policy's `traffic` options) and reads that forecast; at least three days at sub-daily steps.
   */
  history?: readonly SeriesPoint[] | RegularSeries;
  /** Learned policy: the feature row itself, by name (instead of `history`). */
  features?: Record<string, number>;
  /** Shown in the reasons when given. */
  metrics?: CurrentMetrics;
}

/**
 * The default policy: scale up when load over the window may exceed `scaleUpAt` × capacity,
 * down when it stays below `scaleDownAt` × capacity.
 */
export interface ThresholdPolicy {
  kind: 'thresholds';
  /** Load the current fleet handles at 100 %, in the forecast's unit (requests per step…). */
  capacity?: number;
  /** Share of capacity above which to scale up. Default 0.8. */
  scaleUpAt?: number;
  /** Share of capacity below which to scale down. Default 0.3; must be below `scaleUpAt`. */
  scaleDownAt?: number;
  /** Forecast steps that make up the window. Default: all the steps given. */
  windowSteps?: number;
  /**
   * Options of the traffic forecast `decide` runs when the input has a `history` and no `forecast`.
   * Default `{}` (24 h ahead, levels 80 and 95, automatic model choice).
   */
  traffic?: TrafficOptions;
}

/** A random forest trained by {@link trainScalingPolicy}. */
export interface LearnedPolicy {
  kind: 'learned';
  model: RandomForestClassifier<ScalingDecision>;
  featureNames: readonly string[];
  /** Permutation importance on the held-out rows (share of the accuracy drop), largest first. */
  featureImportance: Record<string, number>;
  /** The history step the features were computed at (learned from history), if any. */
  stepMs: number | undefined;
  /** Accuracy and log-loss on the held-out (latest) rows. */
  holdout: { rows: number; accuracy: number; logLoss: number };
}

export type ScalingPolicy = ThresholdPolicy | LearnedPolicy;

/** The result of {@link decide}. */
export interface DecisionResult {
  decision: ScalingDecision;
  /** Probability of the decision: from the forecast's interval distribution, or the forest's class probability. */
  confidence: number;
  /** Human-readable reasons: the forecast against capacity or the model's view, then current metrics (`CPU: 72%`). */
  reasons: string[];
  /** Feature importance behind the decision (learned policy); empty for the threshold policy. */
  featureImportance: Record<string, number>;
  /** Probability of each decision. */
  probabilities: Record<ScalingDecision, number>;
  /** The forecast window the threshold policy read (undefined for the learned policy). */
  forecast: LoadForecast | undefined;
  /** The traffic forecast `decide` ran itself from `input.history` (threshold policy), for charts (`toSVG`). */
  traffic?: TrafficForecast;
  /** One line for people and CLIs: `Decision: SCALE_UP (confidence: 87%)`; print `reasons` under it. */
  summary: string;
}

/**
 * Turns a traffic forecast into a {@link LoadForecast}. Accepts the result of `traffic()` as it is
 * (steps `{ timestamp: Date, mean, bounds: { 80: { lower, upper } } }`), a `LoadForecast`, an array of
 * steps, or an object holding one under `steps`, `forecast` or `points`; each step needs a
 * timestamp (Date, ISO string or epoch ms), a `mean` (or `value`), and either `bounds` keyed by
 * level or `lower`/`upper` records keyed by level (both optional). Throws `INVALID_OPTIONS` for
 * anything else.
 */
export function toLoadForecast(source: unknown): LoadForecast {
  const list = Array.isArray(source)
    ? source
    : source !== null && typeof source === 'object'
      ? ((source as { steps?: unknown }).steps ?? (source as { forecast?: unknown }).forecast ?? (source as { points?: unknown }).points)
      : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/forecast: forecast must hold a non-empty list of steps { timestamp, mean, lower, upper }',
      {
        field: 'forecast',
      },
    );
  }
  const steps = list.map((raw, i): LoadForecastStep => {
    const step = (raw ?? {}) as {
      timestamp?: unknown;
      mean?: unknown;
      value?: unknown;
      lower?: unknown;
      upper?: unknown;
      bounds?: unknown;
    };
    const timestamp = readTimestamp(step.timestamp);
    const mean = typeof step.mean === 'number' ? step.mean : step.value;
    if (!Number.isFinite(timestamp) || typeof mean !== 'number' || !Number.isFinite(mean)) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i} needs a timestamp and a finite mean`, {
        field: `forecast[${i}]`,
      });
    }
    if (step.bounds !== undefined) {
      const { lower, upper } = splitBounds(step.bounds, i);
      return { timestamp, mean, lower: levelRecord(lower, i, 'lower'), upper: levelRecord(upper, i, 'upper') };
    }
    return { timestamp, mean, lower: levelRecord(step.lower, i, 'lower'), upper: levelRecord(step.upper, i, 'upper') };
  });
  return { steps };
}

/** Epoch ms of a step's timestamp, NaN when unreadable (reported by the caller as INVALID_OPTIONS). */
function readTimestamp(value: unknown): number {
  if (!(value instanceof Date) && typeof value !== 'number' && typeof value !== 'string') return Number.NaN;
  try {
    return toEpochMs(value);
  } catch {
    return Number.NaN;
  }
}

/** `traffic()`'s `bounds: { 80: { lower, upper } }` as the two records `lower[80]`, `upper[80]`. */
function splitBounds(bounds: unknown, i: number): { lower: Record<string, unknown>; upper: Record<string, unknown> } {
  const lower: Record<string, unknown> = {};
  const upper: Record<string, unknown> = {};
  if (bounds === null || typeof bounds !== 'object') {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i}'s bounds must be a record of level → { lower, upper }`, {
      field: `forecast[${i}].bounds`,
    });
  }
  for (const [level, pair] of Object.entries(bounds)) {
    const p = (pair ?? {}) as { lower?: unknown; upper?: unknown };
    lower[level] = p.lower;
    upper[level] = p.upper;
  }
  return { lower, upper };
}

function levelRecord(value: unknown, i: number, side: string): Record<number, number> {
  const out: Record<number, number> = {};
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object') {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: forecast step ${i}'s ${side} must be a record of level → bound`, {
      field: `forecast[${i}].${side}`,
    });
  }
  for (const [key, bound] of Object.entries(value)) {
    const level = Number(key);
    if (!(level > 0 && level < 100) || typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/forecast: forecast step ${i}'s ${side}[${key}] must be a finite bound of a level in (0, 100)`,
        {
          field: `forecast[${i}].${side}`,
        },
      );
    }
    out[level] = bound;
  }
  return out;
}

/**
 * The probability that a step's load is at most `x`, read from its mean and interval bounds:
 * bounds at level L are the (1 − L)/2 and (1 + L)/2 quantiles and the mean is taken as the
 * median. Between those knots the CDF is interpolated linearly on the normal-quantile scale
 * (exact when the forecast distribution is normal, monotone whatever it is); outside them it
 * follows the normal tail through the two outermost knots. With no bounds the step is a point
 * mass at the mean.
 */
export function probabilityAtMost(step: LoadForecastStep, x: number): number {
  const below: Array<[number, number]> = Object.entries(step.lower).map(([k, v]) => [(1 - Number(k) / 100) / 2, v]);
  const above: Array<[number, number]> = Object.entries(step.upper).map(([k, v]) => [(1 + Number(k) / 100) / 2, v]);
  // Quantiles must not decrease with p: walking out from the median, a bound on the wrong side
  // of its inner neighbour is moved onto it.
  below.sort((a, b) => b[0] - a[0]);
  above.sort((a, b) => a[0] - b[0]);
  let inner = step.mean;
  for (const knot of below) inner = knot[1] = Math.min(knot[1], inner);
  inner = step.mean;
  for (const knot of above) inner = knot[1] = Math.max(knot[1], inner);
  const knots = [...below.reverse(), [0.5, step.mean] as [number, number], ...above].map(([p, v]) => [normalQuantile(p), v] as const);
  if (knots.length === 1) return x >= step.mean ? 1 : 0;
  let lo = 0;
  if (x < knots[0]![1]) lo = 0;
  else if (x >= knots[knots.length - 1]![1]) lo = knots.length - 2;
  else while (lo + 2 < knots.length && x >= knots[lo + 1]![1]) lo++;
  const [z0, v0] = knots[lo]!;
  const [z1, v1] = knots[lo + 1]!;
  if (v1 === v0) return x < v0 ? 0 : 1;
  return normalCdf(z0 + ((x - v0) / (v1 - v0)) * (z1 - z0));
}

const DECISIONS: readonly ScalingDecision[] = ['SCALE_DOWN', 'MAINTAIN', 'SCALE_UP'];

/**
 * Decides whether to scale, with a confidence that is a probability.
 *
 * **Threshold policy** (default, no labels needed): reads a load forecast and a capacity.
 * `P(up)` is the probability that load at some step of the window exceeds `scaleUpAt` ×
 * capacity, `P(down)` that it stays below `scaleDownAt` × capacity at every step, both
 * assuming forecast errors move together across the window (one quantile for all steps:
 * `P(up)` = max over steps, `P(down)` = min over steps). SCALE_UP when `P(up)` ≥ 0.5, else
 * SCALE_DOWN when `P(down)` ≥ 0.5, else MAINTAIN with confidence 1 − P(up) − P(down).
 *
 * **Learned policy** ({@link trainScalingPolicy}): the forest's most probable class and its
 * probability; importance is the forest's permutation importance.
 *
 * The threshold policy reads `input.forecast` (a `traffic()` result as it is, or anything
 * {@link toLoadForecast} accepts); given only `input.history`, it runs `traffic(history,
 * policy.traffic)` itself and returns that forecast as `traffic`.
 *
 * Throws `INVALID_OPTIONS` when the policy's inputs are missing (no forecast, history or capacity,
 * no history or features) and the series codes of `toSeries` (`SERIES_TOO_SHORT`,
 * `SERIES_NON_FINITE`, `SERIES_IRREGULAR_STEP`…) for a bad history.
 *
 * @example
 * const d = decide({ forecast: traffic(requests), capacity: 5000, metrics: { cpuPercent: 72 } });
 * d.summary; // 'Decision: SCALE_UP (confidence: 91%)'
 * d.reasons; // ['Forecast peak: 4,420 (88% of capacity) at …', 'P(load > 80% of capacity): 0.91', …, 'CPU: 72%']
 */
export function decide(input: DecideInput, policy: ScalingPolicy = { kind: 'thresholds' }): DecisionResult {
  if (input === null || typeof input !== 'object') {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: decide needs an input object', { field: 'input' });
  }
  const result = policy.kind === 'learned' ? decideLearned(input, policy) : decideThresholds(input, policy);
  result.reasons.push(...metricReasons(input.metrics));
  result.summary = `Decision: ${result.decision} (confidence: ${pct(result.confidence)})`;
  return result;
}

function decideThresholds(input: DecideInput, policy: ThresholdPolicy): DecisionResult {
  const capacity = input.capacity ?? policy.capacity;
  if (typeof capacity !== 'number' || !(capacity > 0) || !Number.isFinite(capacity)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: capacity must be a number > 0 (the load the fleet handles), got ${String(capacity)}`,
      {
        field: 'capacity',
      },
    );
  }
  const up = policy.scaleUpAt ?? 0.8;
  const down = policy.scaleDownAt ?? 0.3;
  if (!(up > 0) || !(down >= 0) || !(down < up)) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: need 0 <= scaleDownAt < scaleUpAt, got ${String(down)} and ${String(up)}`, {
      field: 'scaleUpAt',
    });
  }
  let source = input.forecast;
  let ran: TrafficForecast | undefined;
  if (source === undefined && input.history !== undefined) {
    ran = traffic(namedSeries(input.history, 'history'), policy.traffic ?? {});
    source = ran;
  }
  if (source === undefined) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/forecast: the threshold policy needs input.forecast (the load forecast of the next window) or input.history (recent load to forecast)',
      {
        field: 'forecast',
      },
    );
  }
  const all = toLoadForecast(source).steps;
  const windowSteps = policy.windowSteps ?? all.length;
  if (!Number.isInteger(windowSteps) || windowSteps < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: windowSteps must be a whole number >= 1, got ${String(windowSteps)}`, {
      field: 'windowSteps',
    });
  }
  const steps = all.slice(0, windowSteps);
  const upLoad = up * capacity;
  const downLoad = down * capacity;
  let pUp = 0;
  let pDown = 1;
  let peak = steps[0]!;
  for (const step of steps) {
    pUp = Math.max(pUp, 1 - probabilityAtMost(step, upLoad));
    pDown = Math.min(pDown, probabilityAtMost(step, downLoad));
    if (step.mean > peak.mean) peak = step;
  }
  const pMaintain = Math.max(0, 1 - pUp - pDown);
  const probabilities = { SCALE_UP: pUp, SCALE_DOWN: pDown, MAINTAIN: pMaintain };
  const decision: ScalingDecision = pUp >= 0.5 ? 'SCALE_UP' : pDown >= 0.5 ? 'SCALE_DOWN' : 'MAINTAIN';
  const reasons = [
    `Forecast peak: ${count(peak.mean)} (${Math.round((peak.mean / capacity) * 100)}% of capacity) at ${new Date(peak.timestamp).toISOString()}`,
    `P(load > ${pct(up)} of capacity): ${pUp.toFixed(2)}`,
    `P(load < ${pct(down)} of capacity): ${pDown.toFixed(2)}`,
  ];
  const result: DecisionResult = {
    decision,
    confidence: probabilities[decision],
    reasons,
    featureImportance: {},
    probabilities,
    forecast: { steps },
    summary: '',
  };
  if (ran !== undefined) result.traffic = ran;
  return result;
}

function decideLearned(input: DecideInput, policy: LearnedPolicy): DecisionResult {
  let row: number[];
  if (input.features !== undefined) {
    row = policy.featureNames.map((name) => {
      const v = input.features![name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new EliteError('INVALID_OPTIONS', `elite/forecast: input.features.${name} must be a finite number`, {
          field: `features.${name}`,
        });
      }
      return v;
    });
  } else if (input.history !== undefined) {
    const table = scalingFeatures(input.history, { labels: false });
    if (policy.stepMs !== undefined && table.stepMs !== policy.stepMs) {
      throw new EliteError(
        'SERIES_IRREGULAR_STEP',
        `elite/forecast: history's step is ${table.stepMs} ms, the policy was trained at ${policy.stepMs} ms; resample it`,
        {
          field: 'history',
        },
      );
    }
    row = table.x[table.x.length - 1]!;
  } else {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: the learned policy needs input.history or input.features', { field: 'input' });
  }
  const proba = policy.model.predictProbaOne(row);
  const probabilities = { SCALE_UP: 0, SCALE_DOWN: 0, MAINTAIN: 0 };
  policy.model.classes.forEach((c, k) => {
    probabilities[c] = proba[k]!;
  });
  let decision: ScalingDecision = 'MAINTAIN';
  for (const d of DECISIONS) if (probabilities[d] > probabilities[decision]) decision = d;
  const top = Object.entries(policy.featureImportance).slice(0, 3);
  const reasons = [
    `P(${decision}): ${probabilities[decision].toFixed(2)} (random forest, ${policy.model.trees.length} trees)`,
    ...top.map(([name, share]) => `${name}: ${formatFeature(name, row[policy.featureNames.indexOf(name)]!)} (importance ${pct(share)})`),
  ];
  return {
    decision,
    confidence: probabilities[decision],
    reasons,
    featureImportance: policy.featureImportance,
    probabilities,
    forecast: undefined,
    summary: '',
  };
}

function metricReasons(metrics: CurrentMetrics | undefined): string[] {
  if (metrics === undefined) return [];
  const out: string[] = [];
  if (Number.isFinite(metrics.cpuPercent)) out.push(`CPU: ${Math.round(metrics.cpuPercent!)}%`);
  if (Number.isFinite(metrics.memoryPercent)) out.push(`Memory: ${Math.round(metrics.memoryPercent!)}%`);
  if (Number.isFinite(metrics.latencyMs)) out.push(`Latency: ${Math.round(metrics.latencyMs!)}ms`);
  return out;
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;
const count = (v: number): string => Math.round(v).toLocaleString('en-US');
const formatFeature = (name: string, v: number): string => (name === 'hour' || name === 'dow' ? String(v) : count(v));

/** Options of {@link scalingFeatures}: the labelling rule. */
export interface ScalingLabelOptions {
  /** Relative rise of the next-2 h mean over the last hour's mean that labels SCALE_UP. Default 0.15. */
  upThreshold?: number;
  /** Relative fall that labels SCALE_DOWN. Default 0.15. */
  downThreshold?: number;
  /** Compute labels (and drop the last 2 h, which have no future). Default true. */
  labels?: boolean;
}

/** Feature rows (and labels) computed from a load history. */
export interface ScalingTable {
  featureNames: readonly string[];
  x: number[][];
  /** One per row when labels were asked for, else empty. */
  y: ScalingDecision[];
  /** Epoch ms of each row's "now". */
  timestamps: number[];
  stepMs: number;
}

/** The features, in order, of {@link scalingFeatures} (those of the scaling_decisions reference data). */
export const SCALING_FEATURES = [
  'load',
  'load_mean_1h',
  'load_mean_3h',
  'load_slope_1h',
  'load_yesterday',
  'load_last_week',
  'hour',
  'dow',
] as const;

/**
 * Computes past-only features for each point of a load history whose step divides an hour:
 * `load`, the means over the last 1 h and 3 h (current point included), `load_slope_1h` (load
 * minus load 1 h earlier), the load 24 h and 168 h earlier, the UTC hour (fractional) and the
 * day of week (Monday = 0). Rows start one week in. Labels compare the mean load over the next
 * 2 h (current point excluded) with the last hour's mean: SCALE_UP above +15 %, SCALE_DOWN below
 * −15 %, else MAINTAIN. The history is validated as `toSeries` does (short gaps filled) and
 * throws its codes; `SERIES_IRREGULAR_STEP` also for a step that does not divide an hour and
 * `SERIES_TOO_SHORT` for less than one week (and 2 h with labels).
 */
export function scalingFeatures(history: readonly SeriesPoint[] | RegularSeries, options: ScalingLabelOptions = {}): ScalingTable {
  const withLabels = options.labels ?? true;
  const upT = options.upThreshold ?? 0.15;
  const downT = options.downThreshold ?? 0.15;
  if (!(upT > 0) || !(downT > 0) || !(downT < 1)) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: upThreshold must be > 0 and downThreshold in (0, 1)', {
      field: 'upThreshold',
    });
  }
  const { startMs, values: v, stepMs } = namedSeries(history, 'history');
  if (stepMs > HOUR_MS || HOUR_MS % stepMs !== 0) {
    throw new EliteError('SERIES_IRREGULAR_STEP', `elite/forecast: the load history's step must divide an hour, got ${stepMs} ms`, {
      field: 'history',
    });
  }
  const h = HOUR_MS / stepMs;
  const first = 168 * h;
  const last = withLabels ? v.length - 1 - 2 * h : v.length - 1;
  if (last < first) {
    throw new EliteError(
      'SERIES_TOO_SHORT',
      `elite/forecast: the load history needs at least ${first + 1 + (withLabels ? 2 * h : 0)} points (one week${withLabels ? ' and 2 h' : ''}), got ${v.length}`,
      {
        field: 'history',
      },
    );
  }
  const mean = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i <= to; i++) s += v[i]!;
    return s / (to - from + 1);
  };
  const table: ScalingTable = { featureNames: SCALING_FEATURES, x: [], y: [], timestamps: [], stepMs };
  for (let i = first; i <= last; i++) {
    const now = startMs + i * stepMs;
    const date = new Date(now);
    const mean1h = mean(i - h + 1, i);
    table.x.push([
      v[i]!,
      mean1h,
      mean(i - 3 * h + 1, i),
      v[i]! - v[i - h]!,
      v[i - 24 * h]!,
      v[i - 168 * h]!,
      date.getUTCHours() + date.getUTCMinutes() / 60,
      (date.getUTCDay() + 6) % 7,
    ]);
    table.timestamps.push(now);
    if (withLabels) {
      const ratio = mean(i + 1, i + 2 * h) / mean1h;
      table.y.push(ratio > 1 + upT ? 'SCALE_UP' : ratio < 1 - downT ? 'SCALE_DOWN' : 'MAINTAIN');
    }
  }
  return table;
}

/** Options of {@link trainScalingPolicy}. */
export interface TrainScalingPolicyOptions extends ScalingLabelOptions {
  /** Forest settings. Default 100 trees, 5 rows per leaf, √features per split, seed 0. */
  forest?: RandomForestOptions;
  /** Latest share of rows held out to measure accuracy and permutation importance, in [0.05, 0.5]. Default 0.3. */
  holdoutFraction?: number;
  /** Shuffles per feature for the permutation importance. Default 5. */
  nRepeats?: number;
}

/**
 * Trains the learned scaling policy: a random forest on labelled history. Pass a load history
 * (points or a `RegularSeries`; features and labels from {@link scalingFeatures}) or a table of
 * your own `{ featureNames, x, y }`.
 * The latest `holdoutFraction` of rows (time order kept) measures accuracy, log-loss and the
 * permutation importance; the returned model is then refit on all rows.
 */
export function trainScalingPolicy(
  data: readonly SeriesPoint[] | RegularSeries | { featureNames: readonly string[]; x: number[][]; y: ScalingDecision[] },
  options: TrainScalingPolicyOptions = {},
): LearnedPolicy {
  const fromHistory = Array.isArray(data) || isRegularSeries(data);
  const table = fromHistory ? scalingFeatures(data as readonly SeriesPoint[] | RegularSeries, options) : (data as ScalingTable);
  const stepMs = fromHistory ? table.stepMs : undefined;
  const { featureNames, x, y } = table;
  if (!Array.isArray(featureNames) || !Array.isArray(x) || x.length === 0 || x[0]!.length !== featureNames.length) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: training data needs featureNames and rows x of that width', { field: 'x' });
  }
  for (const label of y) {
    if (!DECISIONS.includes(label)) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: labels must be SCALE_UP, SCALE_DOWN or MAINTAIN, got ${String(label)}`, {
        field: 'y',
      });
    }
  }
  const holdoutFraction = options.holdoutFraction ?? 0.3;
  if (!(holdoutFraction >= 0.05 && holdoutFraction <= 0.5)) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: holdoutFraction must be in [0.05, 0.5], got ${String(holdoutFraction)}`, {
      field: 'holdoutFraction',
    });
  }
  const forestOptions: RandomForestOptions = { nEstimators: 100, minSamplesLeaf: 5, maxFeatures: 'sqrt', seed: 0, ...options.forest };
  const cut = Math.round(x.length * (1 - holdoutFraction));
  if (cut < 2 || x.length - cut < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: need more labelled rows to train and hold out, got ${x.length}`, {
      field: 'x',
    });
  }
  const trial = fitRandomForest(x.slice(0, cut), y.slice(0, cut), forestOptions);
  const testX = x.slice(cut);
  const testY = y.slice(cut);
  const proba = trial.predictProba(testX);
  const perm = permutationImportance(testX, (rows) => accuracy(testY, trial.predictProba(rows), trial.classes), {
    nRepeats: options.nRepeats ?? 5,
    seed: forestOptions.seed ?? 0,
  });
  const featureImportance = featureNames
    .map((name, i) => [name, perm.normalized[i]!] as const)
    .sort((a, b) => b[1] - a[1])
    .reduce<Record<string, number>>((acc, [name, share]) => {
      acc[name] = share;
      return acc;
    }, {});
  return {
    kind: 'learned',
    model: fitRandomForest(x, y, forestOptions),
    featureNames,
    featureImportance,
    stepMs,
    holdout: { rows: testY.length, accuracy: accuracy(testY, proba, trial.classes), logLoss: logLoss(testY, proba, trial.classes) },
  };
}
