/**
 * What the memory store needs for events only: the checks every store applies to an event and
 * the per-variant aggregates of `queryResults` and the metric statistics of `queryMetricStats`. The memory store loads this module on its first
 * `appendEvents` or `queryResults` (a dynamic `import()`), so the flags entry, whose default
 * store is the memory store, carries only what evaluation needs until events arrive.
 */
export { aggregateEvents } from './aggregate.js';
export { assertStorableEvents } from './event-checks.js';
export { planMetricStats } from './metric-query.js';
export { metricStatsFromEvents } from './metric-stats-events.js';
