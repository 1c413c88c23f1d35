import { KEY_PATTERN } from '../definitions/limits.js';
import type { FlagsClient } from '../flags/client/index.js';
import type { FlagUser } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import type { FlagAnswer, FlagsSnapshot } from './wire.js';

/** Options of {@link createSnapshot}. */
export interface SnapshotOptions {
  /** The flags the page's client components read. Default: every flag in the client's cache. */
  flags?: readonly string[];
}

/**
 * Evaluates flags for one user on the server and returns the answers, for `FlagsProvider`:
 * each flag's value, variant, whether the user gets it, and whether rendering it is an
 * exposure. Definitions, targeting rules, salts and weights stay on the server.
 *
 * Use a client made with `trackExposures: false` (sharing the app's store): the exposure is then
 * recorded when the browser renders the variant and reports it to `createTrackingHandler`, not
 * when the server evaluates. A client that tracks exposures records them here, at render time.
 * Never throws for a flag: a failed evaluation is an answer without a variant.
 */
export async function createSnapshot(client: FlagsClient, user: FlagUser, options: SnapshotOptions = {}): Promise<FlagsSnapshot> {
  if (typeof client?.evaluate !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/react: createSnapshot(client, user) needs a flags client (createFlags or `flags`)', {
      field: 'client',
    });
  }
  const keys = options.flags ?? client.snapshot().flags.map((f) => f.key);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new EliteError('INVALID_OPTIONS', 'elite/react: createSnapshot options.flags must be an array of flag keys', { field: 'flags' });
  }
  const answers = await Promise.all(
    keys.map(async (key) => [await client.evaluate(key, user), await client.isEnabled(key, user)] as const),
  );
  // Read after evaluating: a store-backed client has loaded the flags it did not have.
  const toggles = new Set(
    client
      .snapshot()
      .flags.filter((f) => f.variants === undefined)
      .map((f) => f.key),
  );
  const flags: FlagsSnapshot['flags'] = {};
  for (const [details, enabled] of answers) {
    // A key no flag can have (`__proto__` among them) is not an answer.
    if (!KEY_PATTERN.test(details.flagKey)) continue;
    const answer: FlagAnswer = { value: details.value, enabled };
    if (details.reason !== 'ERROR' && details.variant !== undefined) answer.variant = details.variant;
    // The server records the same: an experiment's arm the user was placed in, not a toggle, a static serve or an override.
    const placed = details.reason !== 'STATIC' && details.reason !== 'OVERRIDE';
    if (answer.variant !== undefined && enabled && placed && !toggles.has(details.flagKey)) answer.exposure = true;
    flags[details.flagKey] = answer;
  }
  return { v: 1, flags };
}
