/**
 * `recordRequest` of a telemetry instance: one HTTP request served into the duration histogram,
 * the error counter and the alert window. Series are looked up once per (method, route, status),
 * and again only when a family evicted a series since (the shared `epoch` moved).
 */

import { currentAttribution } from './attribution.js';
import { type CounterSeries, type HistogramSeries, observe } from './capped-family.js';
import { HTTP_DURATION_BUCKETS, methodLabel, routeLabel } from './http-labels.js';
import { isValidRequest } from './record-checks.js';
import { type RecorderContext, setBounded } from './recorder-context.js';
import type { RequestRecord } from './types.js';
import { statusClass, type VariantRequestMetrics } from './variant-request-metrics.js';

/** The series one (method, route, status) writes. */
interface RequestSeries {
  duration: HistogramSeries;
  errors: CounterSeries;
  /** The families' eviction count when the series were looked up. */
  epoch: number;
}

/**
 * Builds the instance's `recordRequest`; it never throws (an invalid record is dropped, counted,
 * warned about once). With `variants` tracking flags, a request carrying their variants (its
 * `flags`, else the attribution scope's) is also counted per variant.
 */
export function createRequestRecorder(
  { families, epoch, now, window, counts, warnOnce }: RecorderContext,
  variants?: VariantRequestMetrics,
): (request: RequestRecord) => void {
  const requestCache = new Map<string, RequestSeries>();
  // routeLabel runs a few regular expressions per segment: remember each path's label.
  const routeCache = new Map<string, string>();

  const seriesFor = (request: RequestRecord): RequestSeries => {
    const key = `${request.method}\u0001${request.route}\u0001${request.status}`;
    let bundle = requestCache.get(key);
    if (bundle !== undefined && bundle.epoch === epoch.value) return bundle;
    let route = routeCache.get(request.route);
    if (route === undefined) {
      route = routeLabel(request.route);
      setBounded(routeCache, request.route, route);
    }
    const labels = [methodLabel(request.method), route, String(request.status)];
    bundle = { duration: families.httpDuration.at(labels), errors: families.httpErrors.at(labels), epoch: epoch.value };
    setBounded(requestCache, key, bundle);
    return bundle;
  };

  return (request) => {
    if (!isValidRequest(request)) {
      counts.invalidRecords++;
      warnOnce(
        'invalid-request',
        'elite/telemetry: recordRequest(): route, method, status or durationMs is invalid; record dropped (counted in elite_telemetry_dropped_total)',
      );
      return;
    }
    const bundle = seriesFor(request);
    const at = now();
    bundle.duration.lastUsedMs = at;
    bundle.errors.lastUsedMs = at;
    const seconds = request.durationMs / 1000;
    observe(bundle.duration, HTTP_DURATION_BUCKETS, seconds);
    const failed = request.error === true || request.status >= 500;
    if (failed) bundle.errors.value++;
    const slot = window.at(at);
    slot.requests++;
    if (failed) slot.errors++;
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > (HTTP_DURATION_BUCKETS[bucket] as number)) bucket++;
    slot.latency[bucket] = (slot.latency[bucket] as number) + 1;
    if (variants?.enabled === true)
      variants.record(
        request.flags ?? currentAttribution()?.flags,
        statusClass(request.status, request.error),
        request.durationMs,
        at,
        request.costUsd,
      );
  };
}
