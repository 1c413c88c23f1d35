import { type EliteError, messageOf } from '../internal/errors.js';
import { type FlagsClient, optionsFromEnv } from './client/index.js';
import { createFailedFlags, createFlags } from './create-flags.js';
import type { FlagsOptions } from './types.js';

/** The ready-made client: {@link FlagsClient} plus `configure`. */
export interface DefaultFlagsClient extends FlagsClient {
  /**
   * Replaces the client behind `flags` with one built from `options` (the previous one is
   * closed). Throws `EliteError` on invalid options, like `createFlags`.
   */
  configure(options: FlagsOptions): void;
}

// One client per process, even when the ESM and CJS builds (or two bundles) are both loaded.
const GLOBAL_KEY = Symbol.for('@tiqology/elite/flags');
// `facades` lists the ready-made `flags` objects (one per loaded copy of this module), so the
// shared telemetry instance, which already counts this client, can recognise them.
type Holder = { client?: FlagsClient; facades?: object[] };
const globalHolders = globalThis as Record<symbol, Holder | undefined>;
const holder: Holder = globalHolders[GLOBAL_KEY] ?? {};
globalHolders[GLOBAL_KEY] = holder;

/**
 * The client the environment describes. When a variable is invalid (say
 * ELITE_FLAGS_TIMEOUT_MS=1s), neither a throw (this runs inside the first evaluation, which must
 * not throw) nor the defaults (they would serve production's flags to a staging process): a
 * client that answers every evaluation with the caller's default and `PROVIDER_FATAL`, and one
 * error in the log naming the variable. `flags.configure()` replaces it.
 */
function fromEnv(): FlagsClient {
  try {
    return createFlags(optionsFromEnv());
  } catch (error) {
    console.error(`${messageOf(error)}; flags answer defaults (PROVIDER_FATAL)`);
    return createFailedFlags(error as EliteError);
  }
}

const current = (): FlagsClient => {
  holder.client ??= fromEnv();
  return holder.client;
};

const METHODS = [
  'isEnabled',
  'getVariant',
  'getValue',
  'evaluate',
  'isEnabledSync',
  'getVariantSync',
  'getValueSync',
  'evaluateSync',
  'refresh',
  'snapshot',
  'stats',
  'track',
  'expose',
  'flush',
  'results',
  'close',
  'withOverrides',
] as const;

const client = {
  get environment(): string {
    return current().environment;
  },
  get storage() {
    return current().storage;
  },
  configure(options: FlagsOptions): void {
    const previous = holder.client;
    holder.client = createFlags(options);
    void previous?.close();
  },
} as DefaultFlagsClient;
// Each method forwards to the current client, so `configure` takes effect everywhere at once.
for (const method of METHODS) {
  (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
    (current()[method] as (...a: unknown[]) => unknown)(...args);
}

/**
 * The ready-made flags client: the embedded memory store and the `production` environment
 * unless configured with `flags.configure(options)` or the environment variables of
 * {@link optionsFromEnv}. Created on first use.
 *
 * @example
 * import { flags } from '@tiqology/elite';
 * const variant = await flags.getVariant('pricing-test', userId);
 */
export const flags: DefaultFlagsClient = client;
holder.facades ??= [];
holder.facades.push(client);
