import type { FlagEvent, ResultsQuery, VariantAggregate } from './types.js';

/** The window of a query as epoch milliseconds: `since` inclusive, `until` exclusive. */
export interface TimeWindow {
  /** Inclusive start. */
  since: number;
  /** Exclusive end. */
  until: number;
}

/** The first exposure of a user to a flag in a window: the variant they count in, and when. */
export interface FirstExposure {
  /** The variant of the first exposure. */
  variant: string;
  /** Epoch milliseconds. */
  at: number;
}

/** `since`/`until` of a query as epoch milliseconds (unbounded sides as ±Infinity). */
export const windowOf = (query: Pick<ResultsQuery, 'since' | 'until'>): TimeWindow => ({
  since: query.since === undefined ? -Infinity : Date.parse(query.since),
  until: query.until === undefined ? Infinity : Date.parse(query.until),
});

/**
 * Each exposed user's first exposure to the flag within the window (later exposures, to other
 * variants too, are ignored), and the variants in order of their first exposure.
 */
export function firstExposures(
  events: readonly FlagEvent[],
  query: Pick<ResultsQuery, 'flagKey' | 'environment' | 'since' | 'until'>,
): { first: Map<string, FirstExposure>; variants: string[] } {
  const { since, until } = windowOf(query);
  const ordered = events
    .map((e) => ({ e, t: Date.parse(e.occurredAt) }))
    .filter(
      ({ e, t }) =>
        e.type === 'exposure' &&
        e.flagKey === query.flagKey &&
        e.variant !== undefined &&
        e.environment === query.environment &&
        t >= since &&
        t < until,
    )
    .sort((a, b) => a.t - b.t);
  const first = new Map<string, FirstExposure>();
  const variants: string[] = [];
  for (const { e, t } of ordered) {
    if (first.has(e.userId)) continue;
    const variant = e.variant as string;
    first.set(e.userId, { variant, at: t });
    if (!variants.includes(variant)) variants.push(variant);
  }
  return { first, variants };
}

/**
 * Per-variant aggregates of one flag from raw events, with the attribution rules every
 * store follows: a user counts in the variant of their first exposure (later exposures to
 * other variants are ignored); a conversion counts when the same user was exposed before it
 * (at or after the first exposure), distinct per user; `since`/`until` bound both. Variants
 * are listed in order of first exposure.
 */
export function aggregateEvents(events: readonly FlagEvent[], query: ResultsQuery): VariantAggregate[] {
  const { since, until } = windowOf(query);
  const { first, variants } = firstExposures(events, query);
  const results = new Map<string, VariantAggregate>(
    variants.map((variant) => [variant, { variant, exposures: 0, conversions: 0, valueSum: 0, conversionEvents: 0 }]),
  );
  for (const exposure of first.values()) (results.get(exposure.variant) as VariantAggregate).exposures++;
  const converted = new Set<string>();
  for (const e of events) {
    if (e.type !== 'conversion' || e.environment !== query.environment) continue;
    if (query.eventName !== undefined && e.eventName !== query.eventName) continue;
    const t = Date.parse(e.occurredAt);
    const exposure = first.get(e.userId);
    if (!exposure || t < exposure.at || t < since || t >= until) continue;
    const row = results.get(exposure.variant) as VariantAggregate;
    row.conversionEvents++;
    row.valueSum += e.value ?? 0;
    if (!converted.has(e.userId)) {
      converted.add(e.userId);
      row.conversions++;
    }
  }
  return [...results.values()];
}
