/**
 * In-process alerts over a sliding window: the same three rules as the shipped Prometheus rules
 * (prometheus/alerts.yml), for apps without a Prometheus. Pure state machine plus a ring of time
 * slots; the clock is passed in.
 */
import { EliteError } from '../internal/errors.js';
import { HTTP_DURATION_BUCKETS } from './http-labels.js';
import type { AlertEvent, AlertName, AlertOptions } from './types.js';

/** Slots per window: a 5 min window moves in 10 s steps. */
const SLOTS = 30;

class Slot {
  index = -1;
  requests = 0;
  errors = 0;
  latency = new Float64Array(HTTP_DURATION_BUCKETS.length + 1);
  completions = 0;
  tokens = 0;
  costUsd = 0;
  flagHits = 0;
  flagMisses = 0;
  clear(index: number): void {
    this.index = index;
    this.requests = this.errors = this.completions = this.tokens = this.costUsd = this.flagHits = this.flagMisses = 0;
    this.latency.fill(0);
  }
}

/** Sums of a window. */
export interface WindowTotals {
  /** HTTP requests recorded. */
  requests: number;
  /** Of those, the failed ones (5xx or `error: true`). */
  errors: number;
  /** Request counts per duration bucket (`HTTP_DURATION_BUCKETS`, then +Inf); not cumulative. */
  latency: Float64Array;
  /** LLM completions recorded. */
  completions: number;
  /** Input plus output tokens. */
  tokens: number;
  /** Cost of the completions, USD. */
  costUsd: number;
  /** Flag evaluations answered from the cache. */
  flagHits: number;
  /** Flag evaluations that read the store. */
  flagMisses: number;
  /** Time the window covers so far, ms (less than `windowMs` just after start). */
  coveredMs: number;
}

/** A ring of {@link SLOTS} time slots; memory is fixed whatever the traffic. */
export class SlidingWindow {
  /** Length of one slot, ms (`windowMs / 30`). */
  readonly slotMs: number;
  readonly #slots = Array.from({ length: SLOTS }, () => new Slot());
  readonly #startedAt: number;

  constructor(
    readonly windowMs: number,
    startedAt: number,
  ) {
    this.slotMs = windowMs / SLOTS;
    this.#startedAt = startedAt;
  }

  /** The slot for time `now`, cleared when it is reused for a new period. */
  at(now: number): Slot {
    const index = Math.floor(now / this.slotMs);
    const slot = this.#slots[index % SLOTS] as Slot;
    if (slot.index !== index) slot.clear(index);
    return slot;
  }

  /** Sums of the slots within `windowMs` of `now`. */
  totals(now: number): WindowTotals {
    const current = Math.floor(now / this.slotMs);
    return this.#sum(current - SLOTS + 1, current, Math.max(this.slotMs, Math.min(this.windowMs, now - this.#startedAt)));
  }

  /**
   * Sums of the `spanMs` of complete slots just before the one holding `now` (`spanMs` a multiple
   * of `slotMs`, below `windowMs`): one finished step of a series, as the anomaly watches read it.
   */
  completedTotals(now: number, spanMs: number): WindowTotals {
    const current = Math.floor(now / this.slotMs);
    const slots = Math.min(SLOTS - 1, Math.round(spanMs / this.slotMs));
    return this.#sum(current - slots, current - 1, slots * this.slotMs);
  }

  #sum(first: number, last: number, coveredMs: number): WindowTotals {
    const totals: WindowTotals = {
      requests: 0,
      errors: 0,
      latency: new Float64Array(HTTP_DURATION_BUCKETS.length + 1),
      completions: 0,
      tokens: 0,
      costUsd: 0,
      flagHits: 0,
      flagMisses: 0,
      coveredMs,
    };
    for (const slot of this.#slots) {
      if (slot.index < first || slot.index > last) continue;
      totals.requests += slot.requests;
      totals.errors += slot.errors;
      totals.completions += slot.completions;
      totals.tokens += slot.tokens;
      totals.costUsd += slot.costUsd;
      totals.flagHits += slot.flagHits;
      totals.flagMisses += slot.flagMisses;
      for (let bucket = 0; bucket < totals.latency.length; bucket++)
        totals.latency[bucket] = (totals.latency[bucket] as number) + (slot.latency[bucket] as number);
    }
    return totals;
  }
}

/**
 * The `quantile` (0 to 1) of per-bucket counts, in ms, interpolated linearly within its bucket as
 * Prometheus' `histogram_quantile` does (the +Inf bucket answers the highest finite bound).
 */
export function quantileMs(counts: Float64Array, quantile: number, buckets: readonly number[] = HTTP_DURATION_BUCKETS): number {
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0) return 0;
  const rank = quantile * total;
  let cumulative = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const count = counts[bucket] as number;
    if (cumulative + count >= rank && count > 0) {
      if (bucket >= buckets.length) return (buckets[buckets.length - 1] as number) * 1000;
      const lower = bucket === 0 ? 0 : (buckets[bucket - 1] as number);
      const upper = buckets[bucket] as number;
      return (lower + ((upper - lower) * (rank - cumulative)) / count) * 1000;
    }
    cumulative += count;
  }
  return (buckets[buckets.length - 1] as number) * 1000;
}

/** Resolved alert thresholds. */
export interface AlertConfig {
  /** Sliding window of every rule, ms. */
  windowMs: number;
  /** How often the timer evaluates the rules, ms. */
  evaluateIntervalMs: number;
  /** Error ratio that fires `HighErrorRate`. */
  errorRate: number;
  /** Requests needed before the request rules can fire. */
  minRequests: number;
  /** p95 latency that fires `HighLatencyP95`, ms. */
  p95LatencyMs: number;
  /** Flag cache-hit ratio under which `LowFlagCacheHitRatio` fires. */
  cacheHitRatio: number;
  /** Flag lookups needed before `LowFlagCacheHitRatio` can fire. */
  minFlagLookups: number;
}

const positive = (name: string, value: unknown, fallback: number, max = Number.POSITIVE_INFINITY): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: alerts.${name} must be a number > 0${max < Infinity ? ` and ≤ ${max}` : ''}, got ${String(value)}`,
      {
        field: `alerts.${name}`,
      },
    );
  }
  return value;
};

/** Checks alert options and fills the defaults; throws `EliteError('INVALID_OPTIONS')`. */
export function resolveAlertConfig(options: AlertOptions = {}): AlertConfig {
  return {
    windowMs: positive('windowMs', options.windowMs, 300_000),
    evaluateIntervalMs: positive('evaluateIntervalMs', options.evaluateIntervalMs, 15_000),
    errorRate: positive('errorRate', options.errorRate, 0.05, 1),
    minRequests: positive('minRequests', options.minRequests, 20),
    p95LatencyMs: positive('p95LatencyMs', options.p95LatencyMs, 500),
    cacheHitRatio: positive('cacheHitRatio', options.cacheHitRatio, 0.8, 1),
    minFlagLookups: positive('minFlagLookups', options.minFlagLookups, 50),
  };
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const minutes = (durationMs: number) => `${+(durationMs / 60_000).toFixed(2)} min`;

interface Measure {
  name: AlertName;
  value: number;
  threshold: number;
  /** Enough data to fire. */
  eligible: boolean;
  /** Value is past the firing threshold. */
  breached: boolean;
  /** Value is back past the resolve level (the hysteresis band). */
  cleared: boolean;
  summary: string;
}

/** The three rules measured on window totals. */
export function measure(totals: WindowTotals, config: AlertConfig): Measure[] {
  const errorRate = totals.requests === 0 ? 0 : totals.errors / totals.requests;
  const p95 = quantileMs(totals.latency, 0.95);
  const lookups = totals.flagHits + totals.flagMisses;
  const hitRatio = lookups === 0 ? 1 : totals.flagHits / lookups;
  const window = minutes(config.windowMs);
  return [
    {
      name: 'HighErrorRate',
      value: errorRate,
      threshold: config.errorRate,
      eligible: totals.requests >= config.minRequests,
      breached: errorRate > config.errorRate,
      cleared: errorRate < config.errorRate * 0.8,
      summary: `error rate ${pct(errorRate)} over ${window} (threshold ${pct(config.errorRate)}, ${totals.requests} requests)`,
    },
    {
      name: 'HighLatencyP95',
      value: p95,
      threshold: config.p95LatencyMs,
      eligible: totals.requests >= config.minRequests,
      breached: p95 > config.p95LatencyMs,
      cleared: p95 < config.p95LatencyMs * 0.9,
      summary: `p95 latency ${Math.round(p95)} ms over ${window} (threshold ${config.p95LatencyMs} ms, ${totals.requests} requests)`,
    },
    {
      name: 'LowFlagCacheHitRatio',
      value: hitRatio,
      threshold: config.cacheHitRatio,
      eligible: lookups >= config.minFlagLookups,
      breached: hitRatio < config.cacheHitRatio,
      cleared: hitRatio > Math.min(1, config.cacheHitRatio + 0.05) || lookups === 0,
      summary: `flag cache-hit ratio ${pct(hitRatio)} over ${window} (threshold ${pct(config.cacheHitRatio)}, ${lookups} lookups)`,
    },
  ];
}

/**
 * Alert state with hysteresis: an alert fires when its value passes the threshold with enough
 * data, and resolves only once the value is back past a resolve level (80 % of the error-rate
 * threshold, 90 % of the latency one, 5 points above the cache-hit one), so a value hovering at
 * the threshold does not flap. Each transition is returned once.
 */
export class AlertState {
  readonly #active = new Map<AlertName, AlertEvent>();

  /** Applies measures taken at `at`; returns the transitions (empty when nothing changed). */
  update(measures: Measure[], at: number): AlertEvent[] {
    const changes: AlertEvent[] = [];
    for (const measured of measures) {
      const active = this.#active.get(measured.name);
      if (active === undefined && measured.eligible && measured.breached) {
        const event: AlertEvent = {
          name: measured.name,
          state: 'firing',
          value: measured.value,
          threshold: measured.threshold,
          since: at,
          at,
          summary: measured.summary,
        };
        this.#active.set(measured.name, event);
        changes.push(event);
      } else if (active !== undefined && measured.cleared) {
        this.#active.delete(measured.name);
        changes.push({
          name: measured.name,
          state: 'resolved',
          value: measured.value,
          threshold: measured.threshold,
          since: active.since,
          at,
          summary: measured.summary,
        });
      } else if (active !== undefined) {
        // Still firing: keep the latest reading for snapshots, without a new notification.
        active.value = measured.value;
        active.summary = measured.summary;
      }
    }
    return changes;
  }

  /** Copies of the alerts firing now. */
  active(): AlertEvent[] {
    return [...this.#active.values()].map((event) => ({ ...event }));
  }
}
