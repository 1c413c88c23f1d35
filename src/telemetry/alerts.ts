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
  requests: number;
  errors: number;
  latency: Float64Array;
  completions: number;
  tokens: number;
  costUsd: number;
  flagHits: number;
  flagMisses: number;
  /** Time the window covers so far, ms (less than `windowMs` just after start). */
  coveredMs: number;
}

/** A ring of {@link SLOTS} time slots; memory is fixed whatever the traffic. */
export class SlidingWindow {
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

  totals(now: number): WindowTotals {
    const current = Math.floor(now / this.slotMs);
    const t: WindowTotals = {
      requests: 0,
      errors: 0,
      latency: new Float64Array(HTTP_DURATION_BUCKETS.length + 1),
      completions: 0,
      tokens: 0,
      costUsd: 0,
      flagHits: 0,
      flagMisses: 0,
      coveredMs: Math.max(this.slotMs, Math.min(this.windowMs, now - this.#startedAt)),
    };
    for (const s of this.#slots) {
      if (s.index <= current - SLOTS || s.index > current) continue;
      t.requests += s.requests;
      t.errors += s.errors;
      t.completions += s.completions;
      t.tokens += s.tokens;
      t.costUsd += s.costUsd;
      t.flagHits += s.flagHits;
      t.flagMisses += s.flagMisses;
      for (let i = 0; i < t.latency.length; i++) t.latency[i] = (t.latency[i] as number) + (s.latency[i] as number);
    }
    return t;
  }
}

/**
 * The q-quantile of per-bucket counts in ms, interpolated linearly within its bucket as
 * Prometheus' `histogram_quantile` does (the +Inf bucket answers the highest finite bound).
 */
export function quantileMs(counts: Float64Array, q: number, buckets: readonly number[] = HTTP_DURATION_BUCKETS): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return 0;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (cumulative + c >= rank && c > 0) {
      if (i >= buckets.length) return (buckets[buckets.length - 1] as number) * 1000;
      const lower = i === 0 ? 0 : (buckets[i - 1] as number);
      const upper = buckets[i] as number;
      return (lower + ((upper - lower) * (rank - cumulative)) / c) * 1000;
    }
    cumulative += c;
  }
  return (buckets[buckets.length - 1] as number) * 1000;
}

/** Resolved alert thresholds. */
export interface AlertConfig {
  windowMs: number;
  evaluateIntervalMs: number;
  errorRate: number;
  minRequests: number;
  p95LatencyMs: number;
  cacheHitRatio: number;
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
const minutes = (ms: number) => `${+(ms / 60_000).toFixed(2)} min`;

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
export function measure(t: WindowTotals, c: AlertConfig): Measure[] {
  const errorRate = t.requests === 0 ? 0 : t.errors / t.requests;
  const p95 = quantileMs(t.latency, 0.95);
  const lookups = t.flagHits + t.flagMisses;
  const hitRatio = lookups === 0 ? 1 : t.flagHits / lookups;
  const window = minutes(c.windowMs);
  return [
    {
      name: 'HighErrorRate',
      value: errorRate,
      threshold: c.errorRate,
      eligible: t.requests >= c.minRequests,
      breached: errorRate > c.errorRate,
      cleared: errorRate < c.errorRate * 0.8,
      summary: `error rate ${pct(errorRate)} over ${window} (threshold ${pct(c.errorRate)}, ${t.requests} requests)`,
    },
    {
      name: 'HighLatencyP95',
      value: p95,
      threshold: c.p95LatencyMs,
      eligible: t.requests >= c.minRequests,
      breached: p95 > c.p95LatencyMs,
      cleared: p95 < c.p95LatencyMs * 0.9,
      summary: `p95 latency ${Math.round(p95)} ms over ${window} (threshold ${c.p95LatencyMs} ms, ${t.requests} requests)`,
    },
    {
      name: 'LowFlagCacheHitRatio',
      value: hitRatio,
      threshold: c.cacheHitRatio,
      eligible: lookups >= c.minFlagLookups,
      breached: hitRatio < c.cacheHitRatio,
      cleared: hitRatio > Math.min(1, c.cacheHitRatio + 0.05) || lookups === 0,
      summary: `flag cache-hit ratio ${pct(hitRatio)} over ${window} (threshold ${pct(c.cacheHitRatio)}, ${lookups} lookups)`,
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
    for (const m of measures) {
      const active = this.#active.get(m.name);
      if (active === undefined && m.eligible && m.breached) {
        const event: AlertEvent = {
          name: m.name,
          state: 'firing',
          value: m.value,
          threshold: m.threshold,
          since: at,
          at,
          summary: m.summary,
        };
        this.#active.set(m.name, event);
        changes.push(event);
      } else if (active !== undefined && m.cleared) {
        this.#active.delete(m.name);
        changes.push({
          name: m.name,
          state: 'resolved',
          value: m.value,
          threshold: m.threshold,
          since: active.since,
          at,
          summary: m.summary,
        });
      } else if (active !== undefined) {
        // Still firing: keep the latest reading for snapshots, without a new notification.
        active.value = m.value;
        active.summary = m.summary;
      }
    }
    return changes;
  }

  active(): AlertEvent[] {
    return [...this.#active.values()].map((e) => ({ ...e }));
  }
}
