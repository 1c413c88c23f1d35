/**
 * `@tiqology/elite/flags/vercel`: our flags as the `decide` source of Vercel's Flags SDK (the
 * `flags` package, `flags/next`). The SDK calls `decide` with the entities its `identify`
 * returned; this adapter evaluates them with a flags client (exposures as the client tracks
 * them). Its precompute pattern and Flags Explorer overrides need nothing more: the SDK applies
 * an override before calling `decide`, and `getProviderData` lists the flags for the Explorer.
 *
 * The SDK's types are restated structurally, so this entry imports nothing of `flags` and adds
 * no evaluation engine of its own (it is the client's).
 * @packageDocumentation
 */

import type { FlagsClient } from './client/index.js';
import type { DefaultValue, FlagUser, JsonValue } from './types.js';

/** What the Flags SDK passes to `decide` (the parts this adapter reads). */
export interface DecideParams {
  /** The flag's key. */
  key: string;
  /** What the flag's `identify` returned: a user id or an evaluation context. */
  entities?: FlagUser;
  /**
   * The flag's `defaultValue`. The SDK types it `unknown` (flags 4.x), so an adapter taking it
   * as the flag's value type would not be assignable to the SDK's `Adapter`: its type is checked here.
   */
  defaultValue?: unknown;
}

/** A Flags SDK adapter (`flag({ key, adapter, identify })`). */
export interface FlagsSdkAdapter<T> {
  /** Evaluates the flag for the entities; never throws (an error is the default). */
  decide(params: DecideParams): Promise<T>;
  /** Where the flag is managed, shown by the Flags Explorer. */
  origin?: string;
}

/** The adapters of one client: pick what a flag returns. */
export interface EliteFlagsAdapters {
  /** The served value (`getValue`); a value of another type than `defaultValue` gives the default. */
  value<T extends JsonValue>(): FlagsSdkAdapter<T>;
  /** The served variant key (`getVariant`), or the default when evaluation fails. */
  variant(): FlagsSdkAdapter<string>;
  /** Whether the user gets the flag (`isEnabled`). */
  enabled(): FlagsSdkAdapter<boolean>;
}

/** Options of {@link createFlagsSdkAdapter}. */
export interface FlagsSdkAdapterOptions {
  /** Shown by the Flags Explorer as where the flags are managed (a URL of your admin). */
  origin?: string;
}

/**
 * Adapters for the Flags SDK over `client`:
 *
 * ```ts
 * const elite = createFlagsSdkAdapter(flags);
 * export const pricing = flag<string, string>({ key: 'pricing-test', adapter: elite.variant(), identify, defaultValue: 'control' });
 * ```
 */
export function createFlagsSdkAdapter(client: FlagsClient, options: FlagsSdkAdapterOptions = {}): EliteFlagsAdapters {
  const origin = options.origin === undefined ? {} : { origin: options.origin };
  // No entities: evaluated for nobody (a rule on attributes alone, a toggle), as `identify` is optional in the SDK.
  const userOf = (entities: FlagUser | undefined): FlagUser => entities ?? {};
  return {
    value: <T extends JsonValue>(): FlagsSdkAdapter<T> => ({
      ...origin,
      decide: async ({ key, entities, defaultValue }) => {
        if (defaultValue === undefined) {
          const details = await client.evaluate(key, userOf(entities));
          return details.value as T;
        }
        return client.getValue(key, userOf(entities), defaultValue as DefaultValue<T>);
      },
    }),
    variant: () => ({
      ...origin,
      decide: async ({ key, entities, defaultValue }) => {
        const fallback = typeof defaultValue === 'string' ? defaultValue : undefined;
        // No variant and no default: undefined, which the SDK answers with its own default handling.
        return (await client.getVariant(key, userOf(entities), fallback)) ?? (fallback as string);
      },
    }),
    enabled: () => ({ ...origin, decide: ({ key, entities }) => client.isEnabled(key, userOf(entities)) }),
  };
}

/** One flag as the Flags Explorer lists it. */
export interface ProviderFlagDefinition {
  /** The flag's description. */
  description?: string;
  /** Where it is managed. */
  origin?: string;
  /** The values it can take, for the Explorer's override menu. */
  options: ProviderOption[];
}

/** One value a flag can take, as the Flags Explorer offers it for an override. */
export interface ProviderOption {
  /** The value. */
  value: JsonValue;
  /** The variant's key. */
  label: string;
}

/** What the Flags Explorer reads about the flags (`getProviderData`). */
export interface ProviderData {
  /** The flags by key. */
  definitions: Record<string, ProviderFlagDefinition>;
  /** Problems to show in the Explorer; none. */
  hints: ProviderHint[];
}

/** A problem shown by the Flags Explorer. */
export interface ProviderHint {
  /** Identifies the hint. */
  key: string;
  /** What to show. */
  text: string;
}

/** Options of {@link getProviderData}. */
export interface ProviderDataOptions extends FlagsSdkAdapterOptions {
  /**
   * What the app's flags return, as declared with the adapters: `'value'` (`.value()`, the
   * default) or `'variant'` (`.variant()`). The Explorer writes the chosen option's value into the
   * override cookie and the SDK returns it as the flag's answer without calling `decide`, so an
   * option must be what the flag returns: the variant's value, or its key.
   */
  serves?: 'value' | 'variant';
}

/**
 * What the Flags Explorer shows (`/.well-known/vercel/flags`, with the SDK's `createFlagsDiscoveryEndpoint`
 * or `verifyAccess`): every flag in the client's cache with its variants as override options
 * (a flag without variants: on and off).
 */
export function getProviderData(client: FlagsClient, options: ProviderDataOptions = {}): ProviderData {
  const byKey = options.serves === 'variant';
  const definitions: Record<string, ProviderFlagDefinition> = {};
  for (const flag of client.snapshot().flags) {
    const definition: ProviderFlagDefinition = {
      options: flag.variants?.map((v) => ({ value: byKey || v.value === undefined ? v.key : v.value, label: v.key })) ?? [
        { value: true, label: 'on' },
        { value: false, label: 'off' },
      ],
    };
    if (flag.description !== undefined) definition.description = flag.description;
    if (options.origin !== undefined) definition.origin = options.origin;
    definitions[flag.key] = definition;
  }
  return { definitions, hints: [] };
}
