/**
 * What travels between the server and the browser, shared by both halves: the snapshot of
 * answers a server renders with (`createSnapshot`, read by `FlagsProvider`) and the tracking
 * batch the browser posts back (built by the tracker, checked by `createTrackingHandler`).
 * Types and constants only: the browser entry imports it, and must carry no evaluation engine.
 */
import type { JsonValue } from '../definitions/types.js';

/** One flag's answer for the user the snapshot was made for. No rules, weights or salts. */
export interface FlagAnswer {
  /** The value served (a toggle's is `true` or `false`). */
  value: JsonValue;
  /** The variant served; undefined when evaluation failed. */
  variant?: string;
  /** True when the user gets the flag: a toggle that is on, or an experiment the user is in. */
  enabled: boolean;
  /** True when rendering this answer counts as an exposure of an experiment (sent once per page life). */
  exposure?: boolean;
}

/**
 * The answers a server evaluated for one request, serializable as JSON (React server component
 * props, a `<script>` tag): what `FlagsProvider` renders from, so the first client render equals
 * the server's. It holds this user's answers only, never definitions.
 */
export interface FlagsSnapshot {
  /** Format version of the snapshot. */
  v: 1;
  /** Answers by flag key. */
  flags: { [flagKey: string]: FlagAnswer };
}

/** A rendered variant, as the browser reports it. */
export interface ExposureItem {
  /** Always `'exposure'`. */
  type: 'exposure';
  /** The flag's key. */
  flag: string;
  /** The variant the browser rendered, as the snapshot said. */
  variant: string;
}

/** A conversion, as the browser reports it (`useTrack`). */
export interface ConversionItem {
  /** Always `'conversion'`. */
  type: 'conversion';
  /** The conversion event's name (`purchase`). */
  event: string;
  /** A finite amount, e.g. revenue. */
  value?: number;
  /** Plain JSON. */
  properties?: { [key: string]: JsonValue };
}

/** One event of a tracking batch. */
export type TrackingItem = ExposureItem | ConversionItem;

/** The body the browser posts to the tracking route: `{ v: 1, events: [...] }`. */
export interface TrackingBatch {
  /** Format version of the batch. */
  v: 1;
  /** The events, at most {@link TRACKING_LIMITS}.maxEvents. */
  events: TrackingItem[];
}

/** Bounds both halves keep: the tracker never builds a batch the handler refuses for its size. */
export const TRACKING_LIMITS = {
  /** Events in one batch. */
  maxEvents: 50,
  /** Bytes of one request body (sendBeacon and keepalive allow 64 kB in all, for every pending request). */
  maxBodyBytes: 16_384,
} as const;
