import { messageOf } from '../../internal/errors.js';
import {
  type CompiledFlag,
  describeOutcome,
  evaluatePacked,
  isErrorOutcome,
  isIncluded,
  isPlacement,
  type PackedOutcome,
  type Resolver,
  variantIndexOf,
} from '../evaluate.js';
import type { FlagKey, FlagValue, FlagVariant } from '../flag-registry.js';
import type { DefaultValue, EvaluateOptions, EvaluationDetails, FlagOverrides, FlagUser, JsonValue } from '../types.js';
import type { Entry, Failure, FlagCache } from './cache.js';
import type { Exposures } from './exposures.js';
import type { ClientSettings } from './options.js';
import type { Counters } from './report.js';

/** Details, and whether the user gets the flag (for `isEnabled`). */
export type Answer = [details: EvaluationDetails, included: boolean];

/** What a lookup found: an entry, a failure, or undefined for an invalid flag key. */
type Found = Entry | Failure | undefined;

/** An entry that holds a flag. */
type Hit = Entry & { flag: CompiledFlag };

/**
 * The evaluation methods of a client, as {@link createAnswers} makes them. Flag keys are
 * {@link FlagKey}s: any string, or the keys of a generated {@link FlagRegistry}, which also types
 * the variants and values.
 */
export interface Answers {
  /** True when the user gets the flag: a toggle that is on, or an experiment the user is in. */
  isEnabled(flagKey: FlagKey, user: FlagUser): Promise<boolean>;
  /** The variant key served to the user, or `defaultVariant` when evaluation fails. */
  getVariant<K extends FlagKey>(flagKey: K, user: FlagUser, defaultVariant?: FlagVariant<K>): Promise<FlagVariant<K> | undefined>;
  /**
   * The value served, or `defaultValue` on error or when the served value's type differs. The
   * user comes second, the default last: OpenFeature's `(flagKey, defaultValue, context)` order
   * does not compile (see {@link DefaultValue}).
   */
  getValue<K extends FlagKey, T extends JsonValue>(
    flagKey: K,
    user: FlagUser,
    defaultValue: DefaultValue<FlagValue<K, T>>,
  ): Promise<FlagValue<K, T>>;
  /** Full details: value, variant, reason, error code and message, flag version. */
  evaluate(flagKey: FlagKey, user: FlagUser, options?: EvaluateOptions): Promise<EvaluationDetails>;
  /** {@link Answers.isEnabled} from the cache alone. */
  isEnabledSync(flagKey: FlagKey, user: FlagUser): boolean;
  /** {@link Answers.getVariant} from the cache alone. */
  getVariantSync<K extends FlagKey>(flagKey: K, user: FlagUser, defaultVariant?: FlagVariant<K>): FlagVariant<K> | undefined;
  /** {@link Answers.getValue} from the cache alone. */
  getValueSync<K extends FlagKey, T extends JsonValue>(
    flagKey: K,
    user: FlagUser,
    defaultValue: DefaultValue<FlagValue<K, T>>,
  ): FlagValue<K, T>;
  /** {@link Answers.evaluate} from the cache alone. */
  evaluateSync(flagKey: FlagKey, user: FlagUser, options?: EvaluateOptions): EvaluationDetails;
  /**
   * Records an exposure explicitly (with `trackExposures: false`, or for lazy rendering) and
   * returns the variant the user is in, or undefined when the user is not in the experiment.
   */
  expose(flagKey: FlagKey, user: FlagUser): Promise<string | undefined>;
}

/** The check of `EvaluateOptions.valueType`, or undefined when the caller takes any value (or the options are unreadable). */
function acceptsOf(options: EvaluateOptions | undefined): ((value: JsonValue) => boolean) | undefined {
  let type: unknown;
  try {
    type = options?.valueType;
  } catch {
    return undefined;
  }
  if (type !== 'boolean' && type !== 'string' && type !== 'number' && type !== 'object') return undefined;
  return (value) => (type === 'object' ? typeof value === 'object' && value !== null : typeof value === type);
}

/** True when `value` has the JSON type of `model` (arrays, null and objects told apart). */
function sameType(value: unknown, model: unknown): boolean {
  if (Array.isArray(model)) return Array.isArray(value);
  if (model === null || value === null) return value === model;
  return typeof value === typeof model && Array.isArray(value) === false;
}

/**
 * The variant an override names for `flag`: its key, else the first variant serving the same JSON
 * value (a toggle serves `true`/`false`); -1 when the flag has no override or none matches.
 */
function forcedIndex(flag: CompiledFlag, overrides: FlagOverrides): number {
  if (!Object.hasOwn(overrides, flag.key)) return -1;
  const wanted = overrides[flag.key];
  const byKey = typeof wanted === 'string' ? flag.variantKeys.indexOf(wanted) : -1;
  if (byKey >= 0) return byKey;
  const json = JSON.stringify(wanted);
  return flag.values.findIndex((v) => JSON.stringify(v) === json);
}

/**
 * Creates the evaluation methods of a client (`isEnabled`, `getVariant`, `getValue`,
 * `evaluate`, their `…Sync` twins, and `expose`): cache lookup → pure evaluation → exposure →
 * answer. None throws or rejects: failures come back as the default with `reason: 'ERROR'`.
 * A clean answer (a fresh entry, no error) of `isEnabled` and `getVariant` takes the
 * allocation-free fast path; everything else builds full details. With `overrides`
 * (`withOverrides`), an overridden flag serves the forced variant, reason `OVERRIDE`, and records
 * no exposure: a tester forcing a variant is not a user the experiment placed in it.
 */
export function createAnswers(
  settings: ClientSettings,
  cache: Pick<FlagCache, 'lookup' | 'lookupSync' | 'prerequisite'>,
  exposures: Exposures,
  counters: Counters,
  overrides?: FlagOverrides,
): Answers {
  const { environment, trackExposures, log } = settings;
  // What evaluation reads besides the flag: the client's clock (schedules) and, for prerequisites,
  // the other flags from the cache alone (an awaited lookup has loaded them first).
  const resolver: Resolver = { now: settings.clock, flag: (p) => cache.prerequisite(p) };
  const fail = (flagKey: string, [errorCode, errorMessage]: Failure): Answer => {
    counters.errors++;
    return [{ flagKey, value: null, variant: undefined, reason: 'ERROR', errorCode, errorMessage, flagVersion: undefined }, false];
  };

  /**
   * Full details of an evaluation, for `evaluate`, `getValue` and every answer that is not clean.
   * The exposure is recorded only for an answer the caller serves: not for an error, and not when
   * `accepts` says the caller will serve its own default instead (a value of the wrong type).
   */
  const detail = (flagKey: string, got: Entry | Failure, user: FlagUser, accepts?: (value: JsonValue) => boolean): Answer => {
    if (Array.isArray(got)) return fail(flagKey, got);
    if (got.failure !== undefined) return fail(flagKey, got.failure);
    const flag = got.flag;
    if (flag === undefined) return fail(flagKey, ['FLAG_NOT_FOUND', `flag "${flagKey}" does not exist in environment "${environment}"`]);
    const forced = overrides ? forcedIndex(flag, overrides) : -1;
    if (forced >= 0) {
      const details: EvaluationDetails = {
        flagKey,
        value: flag.values[forced] as JsonValue,
        variant: flag.variantKeys[forced],
        reason: 'OVERRIDE',
        flagVersion: flag.version,
      };
      if (flag.definition.metadata) details.flagMetadata = flag.definition.metadata;
      return [details, !flag.toggle || forced === 0];
    }
    const outcome = evaluatePacked(flag, user, resolver);
    const e = describeOutcome(flag, outcome);
    if (trackExposures && e.errorCode === undefined && (accepts === undefined || accepts(e.value))) {
      exposures.record(flag, user, outcome);
    }
    const details: EvaluationDetails = { flagKey, value: e.value, variant: e.variant, reason: e.reason, flagVersion: flag.version };
    if (flag.definition.metadata) details.flagMetadata = flag.definition.metadata;
    if (e.errorCode !== undefined) {
      counters.errors++;
      details.errorCode = e.errorCode;
      details.errorMessage = e.errorMessage as string;
    } else if (got.stale) {
      counters.staleServes++;
      details.reason = 'STALE';
    }
    return [details, isIncluded(flag, outcome)];
  };

  /**
   * The packed outcome of a clean answer — a fresh entry, no error — or -1. This is the
   * allocation-free hot path of `getVariant` and `isEnabled`; anything else goes through
   * {@link fullAnswer}, which builds details. Neither lets an exception escape.
   */
  const fast = (got: Found, user: FlagUser): PackedOutcome => {
    if (got === undefined || Array.isArray(got) || got.flag === undefined || got.stale) return -1;
    try {
      const outcome = evaluatePacked(got.flag, user, resolver);
      if (isErrorOutcome(outcome)) return -1;
      if (trackExposures) exposures.record(got.flag, user, outcome);
      return outcome;
    } catch {
      return -1;
    }
  };
  // Overrides take the full path: they are for development, and the hot path of a client without
  // them stays as it was (no check per call).
  const fastOutcome: typeof fast = overrides ? () => -1 : fast;

  /** The full answer to any lookup, an invalid key or a failure included. */
  const fullAnswer = (flagKey: unknown, user: FlagUser, got: Found, accepts?: (value: JsonValue) => boolean): Answer => {
    if (typeof flagKey !== 'string' || flagKey === '' || got === undefined) {
      // No String(flagKey): a null-prototype object or a symbol would throw converting.
      const shown = typeof flagKey === 'string' ? flagKey : `<${typeof flagKey}>`;
      return fail(shown, ['GENERAL', `flag key must be a non-empty string, got ${typeof flagKey}`]);
    }
    try {
      return detail(flagKey, got, user, accepts);
    } catch (error) {
      // Only a hostile context (a throwing getter, say) gets here.
      return fail(flagKey, ['GENERAL', messageOf(error)]);
    }
  };

  const variant = (flagKey: unknown, user: FlagUser, got: Found, fallback: string | undefined) => {
    const outcome = fastOutcome(got, user);
    if (outcome >= 0) return (got as Hit).flag.variantKeys[variantIndexOf(outcome)];
    const [d] = fullAnswer(flagKey, user, got);
    // Only a string default is returned: anything else (a thenable above all) would be adopted by
    // the async twin's promise and could make it reject.
    return d.reason === 'ERROR' ? (typeof fallback === 'string' ? fallback : d.variant) : d.variant;
  };
  const enabled = (flagKey: unknown, user: FlagUser, got: Found): boolean => {
    const outcome = fastOutcome(got, user);
    if (outcome >= 0) return isIncluded((got as Hit).flag, outcome);
    return fullAnswer(flagKey, user, got)[1];
  };
  const value = <T extends JsonValue>(flagKey: unknown, user: FlagUser, got: Found, defaultValue: T): T => {
    const [d] = fullAnswer(flagKey, user, got, (served) => sameType(served, defaultValue));
    if (d.reason === 'ERROR') return defaultValue;
    if (!sameType(d.value, defaultValue)) {
      counters.errors++;
      log.warn(
        `elite/flags: flag "${d.flagKey}" served ${typeof d.value}, the caller expected ${typeof defaultValue}; returning the default (TYPE_MISMATCH)`,
      );
      return defaultValue;
    }
    return d.value as T;
  };

  return {
    isEnabled: async (flagKey, user) => enabled(flagKey, user, await cache.lookup(flagKey)),
    // Variant keys are checked against the registry at compile time only: the store decides.
    getVariant: async (flagKey, user, defaultVariant) =>
      variant(flagKey, user, await cache.lookup(flagKey), defaultVariant) as FlagVariant<typeof flagKey>,
    // The registry's value types are compile-time promises about what the store serves; at run
    // time a value of another type than the default's is TYPE_MISMATCH, which returns the default.
    getValue: async (flagKey, user, defaultValue) => value(flagKey, user, await cache.lookup(flagKey), defaultValue as JsonValue) as never,
    evaluate: async (flagKey, user, options) => fullAnswer(flagKey, user, await cache.lookup(flagKey), acceptsOf(options))[0],
    isEnabledSync: (flagKey, user) => enabled(flagKey, user, cache.lookupSync(flagKey)),
    getVariantSync: (flagKey, user, defaultVariant) =>
      variant(flagKey, user, cache.lookupSync(flagKey), defaultVariant) as FlagVariant<typeof flagKey>,
    getValueSync: (flagKey, user, defaultValue) => value(flagKey, user, cache.lookupSync(flagKey), defaultValue as JsonValue) as never,
    evaluateSync: (flagKey, user, options) => fullAnswer(flagKey, user, cache.lookupSync(flagKey), acceptsOf(options))[0],
    async expose(flagKey, user) {
      try {
        const got = await cache.lookup(flagKey);
        if (got === undefined || Array.isArray(got) || got.flag === undefined) return undefined;
        const forced = overrides ? forcedIndex(got.flag, overrides) : -1;
        if (forced >= 0) return got.flag.variantKeys[forced];
        const outcome = evaluatePacked(got.flag, user, resolver);
        // Toggles are not experiments: nothing to expose.
        if (got.flag.toggle || !isPlacement(outcome)) return undefined;
        exposures.record(got.flag, user, outcome);
        return got.flag.variantKeys[variantIndexOf(outcome)];
      } catch {
        return undefined;
      }
    },
  };
}
