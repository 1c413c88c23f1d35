import type { FlagEvent, ResultsQuery, VariantAggregate } from './types.js';

/**
 * Per-variant aggregates of one flag from raw events, with the attribution rules every
 * store follows: a user counts in the variant of their first exposure (later exposures to
 * other variants are ignored); a conversion counts when the same user was exposed before it
 * (at or after the first exposure), distinct per user; `since`/`until` bound both. Variants
 * are listed in order of first exposure.
 */
export function aggregateEvents(events: readonly FlagEvent[], query: ResultsQuery): VariantAggregate[] {
  const since = query.since === undefined ? -Infinity : Date.parse(query.since);
  const until = query.until === undefined ? Infinity : Date.parse(query.until);
  const inWindow = (e: FlagEvent) => {
    const t = Date.parse(e.occurredAt);
    return e.environment === query.environment && t >= since && t < until;
  };
  const first = new Map<string, { variant: string; at: number }>();
  const ordered = events
    .filter((e) => e.type === 'exposure' && e.flagKey === query.flagKey && e.variant !== undefined && inWindow(e))
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const results = new Map<string, VariantAggregate>();
  for (const e of ordered) {
    if (first.has(e.userId)) continue;
    const variant = e.variant as string;
    first.set(e.userId, { variant, at: Date.parse(e.occurredAt) });
    let row = results.get(variant);
    if (!row) {
      row = { variant, exposures: 0, conversions: 0, valueSum: 0, conversionEvents: 0 };
      results.set(variant, row);
    }
    row.exposures++;
  }
  const converted = new Set<string>();
  for (const e of events) {
    if (e.type !== 'conversion' || !inWindow(e)) continue;
    if (query.eventName !== undefined && e.eventName !== query.eventName) continue;
    const exposure = first.get(e.userId);
    if (!exposure || Date.parse(e.occurredAt) < exposure.at) continue;
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
