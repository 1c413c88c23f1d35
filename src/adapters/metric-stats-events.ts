import type { MeanStats, MetricStats, RatioStats, VariantMetricStats } from '../experiments/metric-stats.js';
import { firstExposures, windowOf } from './aggregate.js';
import type { PlannedMetric, PlannedSource } from './metric-query.js';
import type { FlagEvent, MetricStatsQuery } from './types.js';

const DAY_MS = 86_400_000;

/** Per user and source: the post-exposure sum and event count, and the pre-exposure ones. */
interface SourceTotals {
  post: number;
  postEvents: number;
  pre: number;
  preEvents: number;
}

/** One per-user quantity of a metric source: an indicator (binomial), a count or a value sum. */
const quantity = (kind: PlannedMetric['kind'], source: PlannedSource, sum: number, events: number): number =>
  kind === 'binomial' ? (events > 0 ? 1 : 0) : source.count ? events : sum;

/** Running sums of one metric in one variant, over its users with events (the others add 0). */
class MetricSums {
  readonly s = new Float64Array(16);
  add(index: number, value: number): void {
    this.s[index] = (this.s[index] as number) + value;
  }
}

function addUser(metric: PlannedMetric, sums: MetricSums, num: SourceTotals, den: SourceTotals | undefined): void {
  const x = quantity(metric.kind, metric.numerator, num.post, num.postEvents);
  const px = quantity(metric.kind, metric.numerator, num.pre, num.preEvents);
  const values = [x, px];
  if (metric.denominator && den) {
    values.push(
      quantity(metric.kind, metric.denominator, den.post, den.postEvents),
      quantity(metric.kind, metric.denominator, den.pre, den.preEvents),
    );
  }
  const [xv = 0, pxv = 0, yv = 0, pyv = 0] = values;
  // x, x², y, y², xy, px, px², py, py², px·py, x·px, x·py, y·px, y·py
  const terms = [xv, xv * xv, yv, yv * yv, xv * yv, pxv, pxv * pxv, pyv, pyv * pyv, pxv * pyv, xv * pxv, xv * pyv, yv * pxv, yv * pyv];
  terms.forEach((term, i) => {
    sums.add(i, term);
  });
}

function toStats(metric: PlannedMetric, units: number, sums: MetricSums | undefined): MetricStats {
  const s = (i: number) => sums?.s[i] ?? 0;
  if (metric.kind !== 'ratio') {
    const stats: MeanStats = { kind: metric.kind, units, sum: s(0), sumSquares: s(1) };
    if (metric.preDays !== undefined) stats.pre = { sum: s(5), sumSquares: s(6), sumProducts: s(10) };
    return stats;
  }
  const stats: RatioStats = {
    kind: 'ratio',
    units,
    numerator: { sum: s(0), sumSquares: s(1) },
    denominator: { sum: s(2), sumSquares: s(3) },
    sumProducts: s(4),
  };
  if (metric.preDays !== undefined) {
    stats.pre = {
      numerator: { sum: s(5), sumSquares: s(6) },
      denominator: { sum: s(7), sumSquares: s(8) },
      sumProducts: s(9),
      cross: { numeratorNumerator: s(10), numeratorDenominator: s(11), denominatorNumerator: s(12), denominatorDenominator: s(13) },
    };
  }
  return stats;
}

/**
 * The sufficient statistics of each metric per variant from raw events: the memory store's
 * `queryMetricStats`, and the reference the SQL stores are tested against. Attribution is that of
 * `queryResults`: a user counts in the variant of their first exposure in the window, and an event
 * counts when it is in the window and at or after that exposure. CUPED's pre-exposure quantity is
 * the same metric over the `preDays` days before the first exposure (the window's start does not
 * bound it). Users without events count as 0.
 */
export function metricStatsFromEvents(
  events: readonly FlagEvent[],
  query: MetricStatsQuery,
  plan: readonly PlannedMetric[],
): VariantMetricStats[] {
  const { since, until } = windowOf(query);
  const { first, variants } = firstExposures(events, query);
  const sources: { event: string; slot: number; preDays: number | undefined }[] = [];
  plan.forEach((m, i) => {
    sources.push({ event: m.numerator.event, slot: 2 * i, preDays: m.preDays });
    if (m.denominator) sources.push({ event: m.denominator.event, slot: 2 * i + 1, preDays: m.preDays });
  });
  const perUser = new Map<string, SourceTotals[]>();
  for (const e of events) {
    if (e.type !== 'conversion' || e.environment !== query.environment) continue;
    const exposure = first.get(e.userId);
    if (!exposure) continue;
    const t = Date.parse(e.occurredAt);
    for (const source of sources) {
      if (source.event !== e.eventName) continue;
      const post = t >= exposure.at && t >= since && t < until;
      const pre = source.preDays !== undefined && t < exposure.at && t >= exposure.at - source.preDays * DAY_MS;
      if (!post && !pre) continue;
      let totals = perUser.get(e.userId);
      if (!totals) {
        totals = Array.from({ length: 2 * plan.length }, () => ({ post: 0, postEvents: 0, pre: 0, preEvents: 0 }));
        perUser.set(e.userId, totals);
      }
      const slot = totals[source.slot] as SourceTotals;
      if (post) {
        slot.post += e.value ?? 0;
        slot.postEvents++;
      } else {
        slot.pre += e.value ?? 0;
        slot.preEvents++;
      }
    }
  }
  const units = new Map<string, number>(variants.map((v) => [v, 0]));
  for (const exposure of first.values()) units.set(exposure.variant, (units.get(exposure.variant) ?? 0) + 1);
  const sums = new Map<string, MetricSums[]>();
  for (const [userId, totals] of perUser) {
    const variant = (first.get(userId) as { variant: string }).variant;
    let row = sums.get(variant);
    if (!row) {
      row = plan.map(() => new MetricSums());
      sums.set(variant, row);
    }
    for (const [i, m] of plan.entries())
      addUser(m, row[i] as MetricSums, totals[2 * i] as SourceTotals, m.denominator ? totals[2 * i + 1] : undefined);
  }
  return variants.map((variant) => {
    const n = units.get(variant) ?? 0;
    return {
      variant,
      units: n,
      metrics: Object.fromEntries(plan.map((m, i) => [m.key, toStats(m, n, sums.get(variant)?.[i])])),
    };
  });
}
