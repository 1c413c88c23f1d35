/**
 * `@tiqology/elite/react`: flags in client components, from a snapshot of answers the server
 * evaluated (`createSnapshot` in `@tiqology/elite/react/server`). No evaluation engine, no
 * definitions: the browser learns the user's answers and nothing else. Exposures and
 * conversions go to the app's tracking route (`createTrackingHandler`) in batches.
 * @packageDocumentation
 */
export type { Tracker, TrackerOptions, TrackerStats } from '../browser/tracker.js';
export { createTracker } from '../browser/tracker.js';
export type { ConversionItem, ExposureItem, FlagAnswer, FlagsSnapshot, TrackingBatch, TrackingItem } from '../browser/wire.js';
export type { JsonValue } from '../definitions/types.js';
export type { TrackFunction } from './hooks.js';
export { useEnabled, useFlagValue, useTrack, useVariant } from './hooks.js';
export type { FlagsContextValue, FlagsProviderProps } from './provider.js';
export { FlagsContext, FlagsProvider } from './provider.js';
export type { FlagKey, FlagTypes, UndeclaredKey, ValueOf, VariantOf, Widen } from './types.js';
