import { EliteError, isEliteError, messageOf } from '../internal/errors.js';
import { createFlagsClient, type FlagsClient, readOptions } from './client/index.js';
import { createDefaultStorage } from './default-storage.js';
import type { FlagsOptions } from './types.js';

/**
 * Creates a flags client. Configuration errors throw `EliteError` (`INVALID_OPTIONS`,
 * `INVALID_FLAG` for a bad bootstrap) at once; nothing after that throws into app code.
 * Without `storage`, the client reads a new in-memory store (`createMemoryStorage()`, loaded on
 * first use: see ./default-storage.ts): the ready-made default, and the only place in `flags/`
 * that names a concrete store.
 *
 * @example
 * const client = createFlags({ storage: createMemoryStorage({ flags }), environment: 'production' });
 * const variant = await client.getVariant('pricing-test', userId); // 'control' | 'variant-a' | 'variant-b'
 */
export function createFlags(options: FlagsOptions = {}): FlagsClient {
  try {
    const settings = readOptions(options);
    return createFlagsClient(settings, settings.storage ?? createDefaultStorage());
  } catch (error) {
    if (isEliteError(error)) throw error;
    // Options that cannot be read (a throwing getter, a revoked proxy): still a typed error.
    throw new EliteError('INVALID_OPTIONS', `elite/flags: createFlags() could not read its options: ${messageOf(error)}`, {
      field: 'options',
      cause: error,
    });
  }
}

/**
 * The client of the ready-made `flags` when its environment variables are invalid (`fault`):
 * it serves no flags, only the callers' defaults with `PROVIDER_FATAL` (see `createFlagsClient`).
 * Internal: not exported from the package.
 */
export const createFailedFlags = (fault: EliteError): FlagsClient => createFlagsClient(readOptions({}), createDefaultStorage(), fault);
