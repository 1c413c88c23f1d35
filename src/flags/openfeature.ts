/**
 * An OpenFeature server provider over a flags client, so apps that use the OpenFeature SDK
 * (`@openfeature/server-sdk`) can evaluate our flags through it.
 *
 * The SDK is an optional peer dependency: this module imports only its types, so it loads
 * (and bundles) without it. Event and error names are the SDK's string values, written out.
 * @packageDocumentation
 */

import type {
  AnyProviderEvent,
  ErrorCode,
  EvaluationContext,
  JsonValue as OpenFeatureJsonValue,
  Provider,
  ProviderEventEmitter,
  ProviderEvents,
  ResolutionDetails,
  TrackingEventDetails,
} from '@openfeature/server-sdk';
import { EliteError, messageOf } from '../internal/errors.js';
import type { FlagsClient } from './client/index.js';
import { ProviderEmitter } from './openfeature-emitter.js';
import { StoreHealth } from './openfeature-health.js';
import type { EvaluationDetails, FlagUser, JsonValue, TrackOptions } from './types.js';

/**
 * The part of a {@link FlagsClient} the provider uses, typed by its methods so any client
 * (or a test double) fits. `track` is optional: without it the provider's `track` does nothing.
 */
export type FlagsClientLike = Pick<FlagsClient, 'environment' | 'storage' | 'evaluate' | 'refresh'> & Partial<Pick<FlagsClient, 'track'>>;

/** Options of {@link createOpenFeatureProvider}. */
export interface OpenFeatureProviderOptions {
  /** `metadata.name`, shown by the SDK in events, logs and telemetry. Default `'@tiqology/elite'`. */
  name?: string;
  /**
   * Whether `initialize()` rejects when the first `refresh()` of the client fails. Default `false`:
   * the provider becomes ready anyway and answers from the bootstrap snapshot, or from each flag's
   * own store read with reason `STALE` or `ERROR`, so a store outage at boot does not stop an app
   * that awaits `OpenFeature.setProviderAndWait()`; the failure has gone to the client's `onError`
   * and logger already. Set it to `true` to fail fast (say, for a readiness probe): the SDK then
   * marks the provider `ERROR`, emits `PROVIDER_ERROR` and `setProviderAndWait()` rejects. The
   * server SDK still routes evaluations to a provider in `ERROR`, so answers are the same.
   */
  failOnRefreshError?: boolean;
  /**
   * Milliseconds between checks of the store once an answer hinted at an outage, and between
   * probes while it is down (see {@link EliteProvider}'s events). Default 5000.
   */
  probeIntervalMs?: number;
}

/** The type an OpenFeature resolver asks for; arrays count as `object` (JSON structures). */
type FlagType = 'boolean' | 'string' | 'number' | 'object';

// ProviderEvents and ErrorCode are enums in the SDK, so their values are written out here
// (no runtime import); the tests check these against the SDK's own enums.
const CONFIGURATION_CHANGED = 'PROVIDER_CONFIGURATION_CHANGED' as ProviderEvents.ConfigurationChanged;
const GENERAL = 'GENERAL' as ErrorCode;
const TYPE_MISMATCH = 'TYPE_MISMATCH' as ErrorCode;

/** The JSON type of a served value, as the resolvers name types; `null` is its own type. */
function typeOf(value: unknown): FlagType | 'null' | 'undefined' {
  if (value === null) return 'null';
  const type = typeof value;
  return type === 'boolean' || type === 'string' || type === 'number' || type === 'object' ? type : 'undefined';
}

/**
 * An OpenFeature context as our user. Both use `targetingKey` for the id and every other
 * property as a targeting attribute, so the context is passed as it is (the SDK freezes it;
 * evaluation never writes to it).
 */
const contextToUser = (context: EvaluationContext | undefined): FlagUser => context ?? {};

/**
 * Tracking details as JSON: a `Date` becomes its ISO 8601 string, values JSON cannot hold
 * (`undefined`, functions, symbols, bigints) are dropped, non-finite numbers become `null`.
 */
function toJson(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toJson(item) ?? null);
  if (typeof value !== 'object') return undefined;
  const object: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const json = toJson(item);
    if (json !== undefined) object[key] = json;
  }
  return object;
}

/**
 * An OpenFeature server provider that evaluates with a flags client. Prefer
 * {@link createOpenFeatureProvider}; the class is exported for `instanceof` checks and
 * subclassing.
 *
 * - Resolution: the client's `evaluate(flagKey, context)`; value, `variant` and `reason` as served
 *   (our reasons are OpenFeature's: `STATIC`, `TARGETING_MATCH`, `SPLIT`, `DEFAULT`, `DISABLED`,
 *   `STALE`, `ERROR`, plus `PREREQUISITE_FAILED`, served with the flag's `off`/default value), error codes as they are (`FLAG_NOT_FOUND`, `PARSE_ERROR`, `TYPE_MISMATCH`,
 *   `TARGETING_KEY_MISSING`, `PROVIDER_NOT_READY`, `GENERAL`), and `flagMetadata`: the
 *   definition's `metadata`, empty when it has none. An error answers the caller's default value.
 * - A disabled flag answers the caller's default value with reason `DISABLED` (the client API
 *   serves the flag's `defaultVariant` instead; docs/openfeature.md lists every such difference).
 * - Types: a served value of another JSON type than the one asked for answers the default value
 *   with `TYPE_MISMATCH`. `object` takes JSON objects and arrays, not `null`. A toggle serves a
 *   boolean; an experiment serves its variant's `value`, or the variant key (a string) without one.
 * - Events: `PROVIDER_CONFIGURATION_CHANGED` with `flagsChanged: [flagKey]` when the client's store
 *   pushes a change (stores with `subscribe`); other stores rely on the client's TTL.
 *   `PROVIDER_STALE` (the last known flags are served) or `PROVIDER_ERROR` (nothing can be) when
 *   the store goes down, confirmed by a `refresh()` of the client after an answer hinted at it or
 *   after a failed first refresh; then the store is probed every `probeIntervalMs` and
 *   `PROVIDER_READY` is emitted when it answers again. The SDK's provider status follows.
 * - Lifecycle: `initialize()` subscribes to the store and awaits `client.refresh()` (see
 *   {@link OpenFeatureProviderOptions.failOnRefreshError}); `onClose()` unsubscribes but leaves the
 *   client open: the app created it and may still use it directly.
 *
 * @see https://openfeature.dev/specification/sections/providers
 */
export class EliteProvider implements Provider {
  /** The provider's name, as the OpenFeature SDK shows it (`options.name`, default `'@tiqology/elite'`). */
  readonly metadata: {
    /** The provider's name. */
    readonly name: string;
  };
  readonly runsOn = 'server' as const;
  readonly events: ProviderEventEmitter<AnyProviderEvent> = new ProviderEmitter();
  readonly #client: FlagsClientLike;
  readonly #failOnRefreshError: boolean;
  readonly #health: StoreHealth;
  #unsubscribe: (() => void) | undefined;

  /** Throws `INVALID_OPTIONS` when `probeIntervalMs` is not a positive number of milliseconds. */
  constructor(client: FlagsClientLike, options: OpenFeatureProviderOptions = {}) {
    const { probeIntervalMs = 5000 } = options;
    if (!(typeof probeIntervalMs === 'number' && probeIntervalMs >= 1 && probeIntervalMs <= 2 ** 31 - 1)) {
      throw new EliteError(
        'INVALID_OPTIONS',
        `elite/flags: probeIntervalMs must be a number of milliseconds from 1 to 2147483647, got ${String(probeIntervalMs)}`,
        { field: 'probeIntervalMs' },
      );
    }
    this.#client = client;
    this.metadata = { name: options.name ?? '@tiqology/elite' };
    this.#failOnRefreshError = options.failOnRefreshError === true;
    this.#health = new StoreHealth(
      () => client.refresh(),
      (event, context) => this.events.emit(event, context),
      probeIntervalMs,
    );
  }

  /** Subscribes to store changes, then loads every flag of the environment. */
  async initialize(): Promise<void> {
    const client = this.#client;
    // Subscribed before the refresh, so a change made while it runs is not missed. Again on a
    // second initialize (the provider set anew after onClose), without a duplicate listener.
    this.#unsubscribe?.();
    this.#unsubscribe = client.storage.subscribe?.(client.environment, (flagKey) => {
      this.events.emit(CONFIGURATION_CHANGED, { flagsChanged: [flagKey] });
    });
    const result = await client.refresh();
    if (result.ok) return;
    if (this.#failOnRefreshError) throw result.error;
    // Ready all the same (answers come from the bootstrap snapshot or per-flag reads), then ERROR
    // once the SDK has marked the provider ready, so the app's status shows the outage.
    setTimeout(() => this.#health.down('error', result.error), 0);
  }

  /** Stops listening for store changes and probing the store. The client stays open: the app owns it. */
  async onClose(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#health.stop();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, context, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, context, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, context, 'number');
  }

  resolveObjectEvaluation<T extends OpenFeatureJsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.#resolve(flagKey, defaultValue, context, 'object');
  }

  /**
   * Passes a tracking event to the client's `track`, with `details.value` as the value and the
   * other details as properties (dates as ISO 8601 strings). Does nothing when the client has no
   * `track`; never throws.
   */
  track(trackingEventName: string, context: EvaluationContext, trackingEventDetails?: TrackingEventDetails): void {
    const client = this.#client;
    if (typeof client.track !== 'function') return;
    try {
      // Only an object's own fields: spreading a string (or array) makes one field per element.
      const details = typeof trackingEventDetails === 'object' && trackingEventDetails !== null && !Array.isArray(trackingEventDetails);
      const { value, ...rest } = details ? trackingEventDetails : {};
      const options: TrackOptions = {};
      if (typeof value === 'number') options.value = value;
      const properties = toJson(rest) as Record<string, JsonValue>;
      if (Object.keys(properties).length > 0) options.properties = properties;
      client.track(trackingEventName, contextToUser(context), options);
    } catch {
      // Tracking must not break the caller; the SDK would only debug-log it, and the client
      // reports its own failures to its onError and logger.
    }
  }

  async #resolve<T>(flagKey: string, defaultValue: T, context: EvaluationContext, type: FlagType): Promise<ResolutionDetails<T>> {
    let details: EvaluationDetails;
    try {
      // The type asked for: a value of another type is not served, so the user is not counted as exposed.
      details = await this.#client.evaluate(flagKey, contextToUser(context), { valueType: type });
    } catch (error) {
      // A FlagsClient never rejects; a structural stand-in might.
      return { value: defaultValue, reason: 'ERROR', errorCode: GENERAL, errorMessage: messageOf(error) };
    }
    const resolution: ResolutionDetails<T> = { value: defaultValue, reason: 'ERROR' };
    // A copy: the SDK freezes what it returns, and the definition's object is the cache's.
    if (details.flagMetadata !== undefined) resolution.flagMetadata = { ...details.flagMetadata };
    if (details.reason === 'STALE') this.#health.suspect('stale');
    if (details.reason === 'DISABLED') {
      resolution.reason = 'DISABLED';
      return resolution;
    }
    if (details.reason === 'ERROR') {
      // GENERAL and PROVIDER_NOT_READY come from a store that could not be read (or a closed client).
      if (details.errorCode === 'GENERAL' || details.errorCode === 'PROVIDER_NOT_READY') this.#health.suspect('error');
      resolution.errorCode = (details.errorCode ?? GENERAL) as ErrorCode;
      resolution.errorMessage = details.errorMessage ?? `flag "${flagKey}" could not be evaluated`;
      return resolution;
    }
    const served = typeOf(details.value);
    if (served !== type) {
      resolution.errorCode = TYPE_MISMATCH;
      const what = Array.isArray(details.value) ? 'an array' : served;
      resolution.errorMessage = `flag "${flagKey}" serves ${what} (variant "${details.variant ?? ''}"), the caller asked for ${type}`;
      return resolution;
    }
    resolution.value = details.value as T;
    resolution.reason = details.reason;
    if (details.variant !== undefined) resolution.variant = details.variant;
    return resolution;
  }
}

/**
 * Creates an OpenFeature server provider over a flags client (see {@link EliteProvider} for the
 * mapping, events and lifecycle). The client stays the app's: the provider never closes it.
 *
 * @example
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { createFlags } from '@tiqology/elite/flags';
 * import { createOpenFeatureProvider } from '@tiqology/elite/flags/openfeature';
 *
 * await OpenFeature.setProviderAndWait(createOpenFeatureProvider(createFlags({ storage })));
 * const price = await OpenFeature.getClient().getNumberValue('pricing-test', 20, { targetingKey: userId });
 * @see https://openfeature.dev/docs/reference/concepts/provider
 */
export function createOpenFeatureProvider(client: FlagsClientLike, options?: OpenFeatureProviderOptions): EliteProvider {
  return new EliteProvider(client, options);
}
