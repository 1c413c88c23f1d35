/**
 * `telemetry.watchAnomalies()`: predictive anomaly alerts. A streaming detector
 * (`forecast.detector()`: a learned level with a seasonal offset per time of day and a robust
 * scale, so a forecast distribution rather than a fixed threshold) scores one point per step of a
 * watched series, taken from the instance's own records (requests, errors, LLM cost, tokens) or
 * fed by hand; a point outside the expected range fires an alert that goes through the same
 * pipeline as the threshold rules (`onAlert`, notifiers such as Discord, `activeAlerts()`), with
 * the observed value, the expected range and the probability. The latest point is exported as
 * `elite_anomaly_*` gauges, which the shipped Prometheus rules record as a band and alert on.
 */
// The detector's own types stay internal: the telemetry entry's declarations carry the shapes below, so
// they do not share a declaration chunk with the forecast entry.
import { type AnomalyDetector, type DetectorResult, detector } from '../forecast/anomaly/detector.js';
import type { DetectorOptions } from '../forecast/anomaly/detector-options.js';
import { EliteError } from '../internal/errors.js';
import type { SlidingWindow, WindowTotals } from './alerts.js';
import { CollectedMetric, type PromMetricLike } from './prom-metric.js';
import type { AlertEvent, AlertName } from './types.js';

/** What a watch reads each step: a series of the instance's records, or `custom` (fed with `observe`). */
export type WatchedSeries = 'requests' | 'errors' | 'cost_usd' | 'tokens' | 'custom';

/** One scored point of a watch: the shape of `forecast.detector()`'s `DetectorResult`. */
export interface WatchPoint {
  /** The point's time, epoch ms. */
  readonly timestampMs: number;
  /** The value scored. */
  readonly observed: number;
  /** The forecast of the point and its expected range (`lower` at least 0 for the recorded series). */
  readonly expected: {
    /** The forecast value. */
    readonly mean: number;
    /** Lower end of the expected range. */
    readonly lower: number;
    /** Upper end of the expected range. */
    readonly upper: number;
  };
  /** How unusual the point is, 0–1. */
  readonly probability: number;
  /** The detector's alert score, 0–1. */
  readonly score: number;
  /** True when the detector found the point anomalous. */
  readonly anomaly: boolean;
  /** Set when the point was not scored or not learned (`WARMUP`, `SUPPRESSED`, `NON_FINITE_VALUE`, …). */
  readonly reason?: string;
}

/** Options of `forecast.detector()` (its `DetectorOptions`: `warmupPoints`, `alertProbability`, `seasonMs`, …), each a number. */
export type WatchDetectorOptions = { readonly [option: string]: number };

/** Options of `telemetry.watchAnomalies()`. */
export interface AnomalyWatchOptions {
  /**
   * The series: `requests` (count per step, default), `errors` (failed requests per step),
   * `cost_usd` (LLM cost per step), `tokens` (per step), read from the instance's records on a
   * timer; or `custom`, fed only by `observe(timestamp, value)`. One watch per series.
   */
  series?: WatchedSeries;
  /**
   * One point per step, ms. For a recorded series, a multiple of the alert window's slot
   * (`alerts.windowMs / 30`, 10 s by default) shorter than the window (5 min by default).
   * Default 60000 (one minute).
   */
  stepMs?: number;
  /**
   * Options of the detector (`forecast.detector()`): warm-up, alert probability, season. Default its
   * defaults with {@link WATCH_DETECTOR_DEFAULTS} (value novelty off); `{ noveltyBins: 80 }` turns it on.
   */
  detector?: WatchDetectorOptions;
  /**
   * Consecutive normal points (probability under 0.99) that resolve a firing alert, judged by the model
   * as it was when the alert fired (it does not learn the incident); after a day of firing, by the live
   * model (a new normal). Default 3.
   */
  resolveAfter?: number;
}

/** A running watch; see `telemetry.watchAnomalies()`. */
export interface AnomalyWatch {
  /** The series watched. */
  readonly series: WatchedSeries;
  /** The alert it fires and resolves: `TrafficAnomaly`, `ErrorsAnomaly`, `LlmCostAnomaly`, `TokensAnomaly` or `MetricAnomaly`. */
  readonly alert: AlertName;
  /**
   * Scores one point (then learns it) and fires or resolves the alert: for a `custom` series, or
   * to replay history into a recorded one before it runs. Never throws: a bad point is reported in
   * the result's `reason`, not learned.
   */
  observe(timestamp: number | Date, value: number): WatchPoint;
  /**
   * Scores the step that just ended (the `stepMs` of records before now) at once, as the timer
   * does every `stepMs`: for runtimes where timers do not run between requests (serverless
   * functions: call it from a scheduled route) and for tests. Undefined for a `custom` series.
   */
  tick(): WatchPoint | undefined;
  /** The last point scored, or undefined before the first. */
  last(): WatchPoint | undefined;
  /** Stops the timer and resolves nothing further; the firing alert, if any, stays in `activeAlerts()` until resolved. */
  stop(): void;
}

/**
 * What a watch changes in the detector's defaults: no value novelty, the residual at full weight and
 * not discounted when it recurs, an hour of one-minute points learned before any alert. Traffic with a
 * daily shape revisits its levels in ever new orders, which novelty scores as new; the forecast residual
 * alone catches drops and spikes against the time of day, and with the residual alone a repeated outage
 * must alert again (the recurrence discount pays only beside the novelty: on NAB it takes the residual-only
 * detector from 50.1 to 31.7).
 */
export const WATCH_DETECTOR_DEFAULTS: WatchDetectorOptions = { noveltyBins: 0, residualWeight: 1, residualRepeats: 0, warmupPoints: 60 };

/** The series a watch reads when its options name none. */
const DEFAULT_SERIES: WatchedSeries = 'requests';

/** Points the twin learns late (see startAnomalyWatch). */
const TWIN_LAG = 4;
/** A point is back to normal when it is less unusual than this (a 1-in-100 point is normal). */
const NORMAL_PROBABILITY = 0.99;
/** A firing alert older than this resolves on the live model's range: the series has a new normal. */
const DAY_MS = 86_400_000;

const ALERT_OF: Record<WatchedSeries, AlertName> = {
  requests: 'TrafficAnomaly',
  errors: 'ErrorsAnomaly',
  cost_usd: 'LlmCostAnomaly',
  tokens: 'TokensAnomaly',
  custom: 'MetricAnomaly',
};

const VALUE_OF: Record<Exclude<WatchedSeries, 'custom'>, (t: WindowTotals) => number> = {
  requests: (t) => t.requests,
  errors: (t) => t.errors,
  cost_usd: (t) => t.costUsd,
  tokens: (t) => t.tokens,
};

/** What a watch needs from its telemetry instance. */
export interface WatchDeps {
  /** The alert window the records feed. */
  window: SlidingWindow;
  /** The instance's clock, ms. */
  now: () => number;
  /** Delivers a transition to `onAlert` and the notifiers, and keeps it in `activeAlerts()`. */
  deliver: (event: AlertEvent) => void;
}

const invalid = (field: string, message: string) =>
  new EliteError('INVALID_OPTIONS', `elite/telemetry: watchAnomalies(): ${message}`, { field: `watchAnomalies.${field}` });

function resolveWatchOptions(options: AnomalyWatchOptions, window: SlidingWindow) {
  if (options === null || typeof options !== 'object') throw invalid('options', 'options must be an object');
  const series = options.series ?? DEFAULT_SERIES;
  if (!Object.hasOwn(ALERT_OF, series)) {
    throw invalid('series', `series must be one of ${Object.keys(ALERT_OF).join(', ')}, got ${JSON.stringify(series)}`);
  }
  const stepMs = options.stepMs ?? Math.min(60_000, window.windowMs - window.slotMs);
  const slots = stepMs / window.slotMs;
  const fits = Number.isInteger(slots) && stepMs < window.windowMs;
  if (typeof stepMs !== 'number' || !Number.isFinite(stepMs) || stepMs <= 0 || (series !== 'custom' && !fits)) {
    throw invalid(
      'stepMs',
      `stepMs must be a multiple of ${window.slotMs} ms (the alert window's slot) below ${window.windowMs} ms (the window), got ${String(stepMs)}; or widen alerts.windowMs`,
    );
  }
  const resolveAfter = options.resolveAfter ?? 3;
  if (!Number.isInteger(resolveAfter) || resolveAfter < 1)
    throw invalid('resolveAfter', `resolveAfter must be a whole number ≥ 1, got ${String(resolveAfter)}`);
  return { series, stepMs, resolveAfter, alert: ALERT_OF[series] };
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3))));

/** The alert line: observed against the expected range, with the probability. */
function summaryOf(series: WatchedSeries, r: DetectorResult, resolved = false): string {
  // Inside the range, the alert came from a run of moderate deviations (the detector's burst likelihood).
  const where = resolved
    ? 'back within'
    : r.observed < r.expected.lower
      ? 'below'
      : r.observed > r.expected.upper
        ? 'above'
        : r.observed < r.expected.mean
          ? 'low in a run, within'
          : 'high in a run, within';
  return `${series} ${fmt(r.observed)}, ${where} the expected ${fmt(r.expected.lower)}–${fmt(r.expected.upper)} (forecast ${fmt(r.expected.mean)}, p ${r.probability >= 0.99995 ? '> 0.9999' : `= ${r.probability.toFixed(4)}`})`;
}

/** Starts a watch; the instance keeps it in `watches` for its metrics and stops it at shutdown. */
export function startAnomalyWatch(watchOptions: AnomalyWatchOptions, deps: WatchDeps): AnomalyWatch {
  const { series, stepMs, resolveAfter, alert } = resolveWatchOptions(watchOptions, deps.window);
  let last: DetectorResult | undefined;
  let firing: AlertEvent | undefined;
  // A twin that learns the same points (TWIN_LAG late) until an alert fires and none of the incident's: the alert resolves
  // when the series is back to what was expected before it, not when the live model has learned the
  // incident as normal. It learns the live model's state again once the alert resolves.
  const options = { ...WATCH_DETECTOR_DEFAULTS, ...watchOptions.detector } as DetectorOptions;
  const detect = detector(options);
  let before: AnomalyDetector = detector(options);
  const pending: [number | Date, number][] = [];
  let calm = 0;

  // Counts and costs are never negative: their expected range starts at 0 at the lowest.
  const clip = series !== 'custom';
  const clipped = (r: DetectorResult): DetectorResult =>
    clip && r.expected.lower < 0 ? { ...r, expected: { ...r.expected, lower: 0 } } : r;
  const observe = (timestamp: number | Date, value: number): DetectorResult => {
    const r = clipped(detect.update(timestamp, value));
    if (r.reason !== undefined && r.reason !== 'SUPPRESSED' && r.reason !== 'WARMUP') return r;
    if (firing === undefined && !r.anomaly) {
      // The twin learns each point a few steps late, so the start of an incident (the points just before
      // the one that fired) is never in it.
      pending.push([timestamp, value]);
      if (pending.length > TWIN_LAG) before.update(...(pending.shift() as [number | Date, number]));
    }
    last = r;
    const at = r.timestampMs;
    const base = { value: r.observed, expected: r.expected, probability: r.probability, at };
    if (firing === undefined && r.anomaly) {
      const threshold = r.observed < r.expected.mean ? r.expected.lower : r.expected.upper;
      firing = { name: alert, state: 'firing', threshold, since: at, summary: summaryOf(series, r), ...base };
      calm = 0;
      pending.length = 0;
      deps.deliver({ ...firing });
    } else if (firing !== undefined) {
      // The point scored by a copy of the twin (the twin itself learns nothing of the incident); after a
      // day, by the live model (a new normal).
      const judge = at - firing.since > DAY_MS ? r : clipped(detector({ state: before.state() }).update(at, value));
      const expected = judge.expected;
      calm = judge.probability < NORMAL_PROBABILITY ? calm + 1 : 0;
      if (calm >= resolveAfter) {
        const back = { ...r, expected, probability: judge.probability };
        deps.deliver({
          ...firing,
          ...base,
          expected,
          probability: judge.probability,
          state: 'resolved',
          summary: summaryOf(series, back, true),
        });
        firing = undefined;
        before = detector({ state: detect.state() });
        pending.length = 0;
      }
    }
    return r;
  };

  // Each tick scores the step that just ended, from the window's slots.
  const read = series === 'custom' ? undefined : VALUE_OF[series];
  const tick = (): DetectorResult | undefined => {
    if (read === undefined) return undefined;
    const at = deps.now();
    return observe(at, read(deps.window.completedTotals(at, stepMs)));
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  if (read !== undefined) {
    timer = setInterval(tick, stepMs);
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    series,
    alert,
    observe,
    tick,
    last: () => last,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * The watches of one telemetry instance: one per series, their firing alerts kept until they
 * resolve (for `activeAlerts()`), all stopped at shutdown.
 */
export function createAnomalyWatches(deps: WatchDeps) {
  const firing = new Map<AlertName, AlertEvent>();
  const watches = new Set<AnomalyWatch>();
  return {
    /** The running watches, for their metrics. */
    watches: watches as ReadonlySet<AnomalyWatch>,
    /** Copies of the watches' alerts firing now. */
    active: (): AlertEvent[] => [...firing.values()].map((event) => ({ ...event })),
    /** Stops every watch's timer (the instance's shutdown). */
    stopAll(): void {
      for (const watch of watches) watch.stop();
    },
    /** Starts a watch; throws `INVALID_OPTIONS` when its series is already watched. */
    watch(options: AnomalyWatchOptions = {}): AnomalyWatch {
      const series = options?.series ?? DEFAULT_SERIES;
      for (const existing of watches) {
        if (existing.series === series) throw invalid('series', `the ${series} series is already watched; stop() that watch first`);
      }
      const watch = startAnomalyWatch(options, {
        ...deps,
        deliver(event) {
          if (event.state === 'firing') firing.set(event.name, event);
          else firing.delete(event.name);
          deps.deliver(event);
        },
      });
      watches.add(watch);
      return {
        ...watch,
        stop() {
          watch.stop();
          watches.delete(watch);
        },
      };
    },
  };
}

/** `elite_anomaly_observed`, `elite_anomaly_expected{bound}` and `elite_anomaly_probability` of every watch's last point. */
export function createAnomalyMetrics(watches: ReadonlySet<AnomalyWatch>): PromMetricLike[] {
  const each = (sample: (w: AnomalyWatch, r: WatchPoint) => { value: number; labels: Record<string, string> }[]) => () =>
    [...watches].flatMap((w) => {
      const r = w.last();
      return r === undefined ? [] : sample(w, r);
    });
  return [
    new CollectedMetric(
      'elite_anomaly_observed',
      'The last point a telemetry.watchAnomalies() watch scored, per series.',
      'gauge',
      each((w, r) => [{ value: r.observed, labels: { series: w.series } }]),
    ),
    new CollectedMetric(
      'elite_anomaly_expected',
      'The forecast of that point (bound="mean") and its expected range (bound="lower"|"upper"), per series.',
      'gauge',
      each((w, r) =>
        (['lower', 'mean', 'upper'] as const).map((bound) => ({ value: r.expected[bound], labels: { series: w.series, bound } })),
      ),
    ),
    new CollectedMetric(
      'elite_anomaly_probability',
      'How unusual that point is, 0-1 (the alert fires at the detector alertProbability), per series.',
      'gauge',
      each((w, r) => [{ value: r.probability, labels: { series: w.series } }]),
    ),
  ];
}
