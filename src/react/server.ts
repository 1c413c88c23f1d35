/**
 * `@tiqology/elite/react/server`: the server half of flags in client components. Server
 * components call `createSnapshot` for the request's user and pass the answers to
 * `FlagsProvider`; an App Router route exports `createTrackingHandler` as its `POST`, where the
 * browser reports exposures and conversions. Node.js and Edge runtimes alike.
 * @packageDocumentation
 */
export { readCookie } from '../browser/cookies.js';
export type { SnapshotOptions } from '../browser/snapshot.js';
export { createSnapshot } from '../browser/snapshot.js';
export type {
  RateLimitOptions,
  TrackingHandler,
  TrackingHandlerOptions,
  TrackingRejection,
  TrackingStats,
} from '../browser/tracking-handler.js';
export { createTrackingHandler } from '../browser/tracking-handler.js';
export type { ConversionItem, ExposureItem, FlagAnswer, FlagsSnapshot, TrackingBatch, TrackingItem } from '../browser/wire.js';
export { TRACKING_LIMITS } from '../browser/wire.js';
