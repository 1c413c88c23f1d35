/**
 * The browser half of tracking: exposures and conversions queued and sent in batches to the
 * app's tracking route (`createTrackingHandler`). Nothing here can block or break the page: a
 * send is fire-and-forget (`fetch` with `keepalive`, `navigator.sendBeacon` when the page is
 * hidden), a refused or failed batch is dropped, and the queue is bounded.
 */
import type { ConversionItem, TrackingItem } from './wire.js';
import { TRACKING_LIMITS } from './wire.js';

/** Options of {@link createTracker}. */
export interface TrackerOptions {
  /** The tracking route's URL, e.g. `/api/elite`. */
  endpoint: string;
  /** How long events wait for company before a batch is sent, in ms. Default 500. */
  flushMs?: number;
  /** Events kept while waiting; beyond it the oldest are dropped. Default 200. */
  maxQueue?: number;
}

/** What a tracker counts about itself. */
export interface TrackerStats {
  /** Batches handed to the network. */
  batchesSent: number;
  /** Events dropped: the queue was full, or a batch was refused or failed. */
  eventsDropped: number;
}

/** Sends exposures and conversions from the browser to the tracking route. */
export interface Tracker {
  /** Queues an exposure, once per (flag, variant) for the life of the page. */
  exposure(flagKey: string, variant: string): void;
  /** Queues a conversion. */
  track(event: string, options?: Omit<ConversionItem, 'type' | 'event'>): void;
  /** Sends what is queued now; with `beacon`, by `navigator.sendBeacon` (the page is going away). */
  flush(beacon?: boolean): void;
  /** Counters. */
  stats(): TrackerStats;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Creates a tracker for `endpoint`. Trackers are kept per endpoint for the life of the page (a
 * remounted provider reuses its tracker, so an exposure is sent once per page life).
 */
export function createTracker(options: TrackerOptions): Tracker {
  const { endpoint, flushMs = 500, maxQueue = 200 } = options;
  const queue: TrackingItem[] = [];
  const exposed = new Set<string>();
  const counts: TrackerStats = { batchesSent: 0, eventsDropped: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;

  const post = (body: string, events: number, beacon: boolean) => {
    counts.batchesSent++;
    try {
      if (beacon && typeof navigator !== 'undefined' && navigator.sendBeacon?.(endpoint, new Blob([body], { type: 'application/json' }))) {
        return;
      }
      fetch(endpoint, {
        method: 'POST',
        body,
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
      })
        // Refused (429 when this client sent too much) or failed: dropped, never retried.
        .then((response) => {
          if (!response.ok) counts.eventsDropped += events;
        })
        .catch(() => {
          counts.eventsDropped += events;
        });
    } catch {
      // No network API at all (a test environment): the batch is lost, the page goes on.
    }
  };

  const flush = (beacon = false) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      // As many events as fit the handler's limits; one that alone is too large is dropped.
      let events = queue.splice(0, TRACKING_LIMITS.maxEvents);
      let body = JSON.stringify({ v: 1, events });
      while (encoder.encode(body).length > TRACKING_LIMITS.maxBodyBytes && events.length > 1) {
        const half = events.length >> 1;
        queue.unshift(...events.slice(half));
        events = events.slice(0, half);
        body = JSON.stringify({ v: 1, events });
      }
      if (encoder.encode(body).length > TRACKING_LIMITS.maxBodyBytes) counts.eventsDropped++;
      else post(body, events.length, beacon);
    }
  };

  const push = (item: TrackingItem) => {
    queue.push(item);
    if (queue.length > maxQueue) {
      queue.shift();
      counts.eventsDropped++;
    }
    timer ??= setTimeout(flush, flushMs);
  };

  if (typeof addEventListener === 'function') {
    // The last chance to send: the tab is hidden or the page unloads (sendBeacon survives both).
    addEventListener('pagehide', () => flush(true));
    addEventListener('visibilitychange', () => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') flush(true);
    });
  }

  return {
    exposure(flagKey, variant) {
      const key = `${flagKey}\u0000${variant}`;
      if (exposed.has(key)) return;
      exposed.add(key);
      push({ type: 'exposure', flag: flagKey, variant });
    },
    track(event, extra) {
      const item: ConversionItem = { type: 'conversion', event };
      if (extra?.value !== undefined) item.value = extra.value;
      if (extra?.properties !== undefined) item.properties = extra.properties;
      push(item);
    },
    flush,
    stats: () => ({ ...counts }),
  };
}

const trackers = new Map<string, Tracker>();

/** The page's tracker for `options.endpoint`, made on first use (later options are ignored). */
export function trackerFor(options: TrackerOptions): Tracker {
  let tracker = trackers.get(options.endpoint);
  if (tracker === undefined) {
    tracker = createTracker(options);
    trackers.set(options.endpoint, tracker);
  }
  return tracker;
}
