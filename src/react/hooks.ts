import { useCallback, useContext, useEffect } from 'react';
import type { ConversionItem, FlagAnswer } from '../browser/wire.js';
import type { JsonValue } from '../definitions/types.js';
import { FlagsContext } from './provider.js';
import type { FlagKey, FlagTypes, UndeclaredKey, ValueOf, VariantOf, Widen } from './types.js';

/** True when `value` has the JSON type of `model` (arrays, null and objects told apart), as the server's `getValue` checks. */
function sameType(value: unknown, model: unknown): boolean {
  if (Array.isArray(model)) return Array.isArray(value);
  if (model === null || value === null) return value === model;
  return typeof value === typeof model && !Array.isArray(value);
}

/**
 * The snapshot's answer for `flagKey`, and its exposure sent once the component has rendered it
 * (an effect: it runs in the browser, after the variant is on screen, never during server rendering).
 * `serves` says whether the caller shows the answer (a value of the wrong type is not shown).
 */
function useAnswer(flagKey: string, serves?: (answer: FlagAnswer) => boolean): FlagAnswer | undefined {
  const context = useContext(FlagsContext);
  const answer = context?.snapshot.flags[flagKey];
  const tracker = context?.tracker;
  const variant =
    answer?.exposure === true && answer.variant !== undefined && (serves === undefined || serves(answer)) ? answer.variant : undefined;
  useEffect(() => {
    if (tracker !== undefined && variant !== undefined) tracker.exposure(flagKey, variant);
  }, [tracker, flagKey, variant]);
  return answer;
}

/** The variant the server served the user for `flagKey`, or `defaultVariant` when the snapshot has no answer. */
export function useVariant<K extends FlagKey>(flagKey: K, defaultVariant?: VariantOf<K>): VariantOf<K> | undefined {
  return (useAnswer(flagKey)?.variant as VariantOf<K> | undefined) ?? defaultVariant;
}

/** True when the user gets the flag (a toggle that is on, an experiment the user is in); false without an answer. */
export function useEnabled(flagKey: FlagKey): boolean {
  return useAnswer(flagKey)?.enabled === true;
}

/**
 * The value the server served for `flagKey`, or `defaultValue` when the snapshot has no answer
 * or the value's JSON type differs from the default's (then no exposure is sent: the user sees the default).
 */
export function useFlagValue<K extends Extract<keyof FlagTypes, string>>(flagKey: K, defaultValue: ValueOf<K>): ValueOf<K>;
/** The value served for `flagKey` (no flags declared): the default's type, `defaultValue` without an answer or for a value of another JSON type. */
export function useFlagValue<T extends JsonValue>(flagKey: UndeclaredKey, defaultValue: T): Widen<T>;
export function useFlagValue(flagKey: string, defaultValue: unknown): unknown {
  const answer = useAnswer(flagKey, (a) => sameType(a.value, defaultValue));
  return answer !== undefined && sameType(answer.value, defaultValue) ? answer.value : defaultValue;
}

/** Records conversions from the browser: `track('purchase', { value: 25 })`, sent in the next batch. */
export type TrackFunction = (event: string, options?: Omit<ConversionItem, 'type' | 'event'>) => void;

/** A function that records a conversion for the current user through the tracking route. Without an endpoint it does nothing. */
export function useTrack(): TrackFunction {
  const tracker = useContext(FlagsContext)?.tracker;
  return useCallback<TrackFunction>((event, options) => tracker?.track(event, options), [tracker]);
}
