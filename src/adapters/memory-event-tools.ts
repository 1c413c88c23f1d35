/**
 * What the memory store needs beyond evaluation: the checks every store applies to an event, the
 * per-variant aggregates of `queryResults`, the metric statistics of `queryMetricStats`, and the
 * reader of its flag history. The memory store loads this module on its first `appendEvents`,
 * `queryResults`, `queryMetricStats` or `listFlagHistory` (a dynamic `import()`), so the flags
 * entry, whose default store is the memory store, carries only what evaluation needs until then.
 */
export { aggregateEvents } from './aggregate.js';
export { assertStorableEvents } from './event-checks.js';
export { readMemoryHistory } from './memory-history.js';
export { planMetricStats } from './metric-query.js';
export { metricStatsFromEvents } from './metric-stats-events.js';
