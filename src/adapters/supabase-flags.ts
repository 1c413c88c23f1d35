import { checkWrite } from '../definitions/flag-set.js';
import type { StoredFlag } from '../definitions/index.js';
import { validateFlag } from '../definitions/validate.js';
import { EliteError, isEliteError, messageOf } from '../internal/errors.js';
import { HISTORY_COLUMNS, type HistoryRow, historyLimit, toFlagChange } from './flag-history.js';
import { type FlagRow, toStoredFlag } from './sql-rows.js';
import type { ClientLike } from './supabase-client.js';
import { supabaseFailure, UNIQUE_VIOLATION } from './supabase-errors.js';
import type { StorageAdapter, WriteOptions } from './types.js';
import { versionConflict } from './version-conflict.js';

/** The flag methods of a store: reads, writes (one or a batch), deletes and the history of changes. */
type FlagMethods = Pick<StorageAdapter, 'getFlag' | 'listFlags' | 'writeFlag' | 'writeFlags' | 'deleteFlag' | 'listFlagHistory'>;

const FLAGS = 'feature_flags';
const COLUMNS = 'definition,version,updated_at';

/** The columns a write sends; `version` is added by the write, `updated_at` stamped by the database. */
type WriteRow = { key: string; environment: string };

async function currentVersion(client: ClientLike, key: string, environment: string): Promise<number> {
  const { data, error } = await client.from(FLAGS).select('version').eq('key', key).eq('environment', environment);
  if (error) throw supabaseFailure('reading a flag version', error);
  return (data as { version: number }[])[0]?.version ?? 0;
}

/** Inserts at version 1; undefined when the flag exists already. */
async function insertFirst(client: ClientLike, row: WriteRow): Promise<FlagRow | undefined> {
  const { data, error } = await client
    .from(FLAGS)
    .insert({ ...row, version: 1 })
    .select(COLUMNS);
  if (error?.code === UNIQUE_VIOLATION) return undefined;
  if (error) throw supabaseFailure('inserting a flag', error);
  return (data as FlagRow[])[0];
}

/** Writes version `expected + 1` if the stored one is still `expected`. */
async function updateAt(client: ClientLike, row: WriteRow, expected: number): Promise<FlagRow | undefined> {
  const { data, error } = await client
    .from(FLAGS)
    .update({ ...row, version: expected + 1 })
    .eq('key', row.key)
    .eq('environment', row.environment)
    .eq('version', expected)
    .select(COLUMNS);
  if (error) throw supabaseFailure('updating a flag', error);
  return (data as FlagRow[])[0];
}

/**
 * The flags of `feature_flags` through the PostgREST table API. It has no `version = version + 1`,
 * so optimistic concurrency is a filtered update (`… where version = expected`); an unconditional
 * write reads the version and writes it conditionally, up to `maxWriteAttempts` times against
 * concurrent writers. `writeFlags` writes one by one (PostgREST runs each request in its own
 * transaction) and names what was written when one fails.
 */
export function supabaseFlags(client: ClientLike, maxWriteAttempts: number): FlagMethods {
  const listFlags: FlagMethods['listFlags'] = async (environment) => {
    const { data, error } = await client.from(FLAGS).select(COLUMNS).eq('environment', environment).order('key', { ascending: true });
    if (error) throw supabaseFailure('listing flags', error);
    return (data as FlagRow[]).map(toStoredFlag);
  };
  // One flag, checked already (against the others too).
  const writeChecked = async (flag: Parameters<FlagMethods['writeFlag']>[0], writeOptions: WriteOptions = {}) => {
    const { version: _v, updatedAt: _u, ...definition } = flag;
    // updated_at is stamped by the database (trigger feature_flags_touch).
    const row = {
      key: flag.key,
      environment: flag.environment,
      definition,
      enabled: flag.enabled,
      updated_by: writeOptions.updatedBy ?? null,
    };
    const expected = writeOptions.expectedVersion;
    if (expected !== undefined) {
      const written = expected === 0 ? await insertFirst(client, row) : await updateAt(client, row, expected);
      if (!written) throw versionConflict(flag.key, flag.environment, await currentVersion(client, flag.key, flag.environment), expected);
      return toStoredFlag(written);
    }
    // Unconditional: read the version and write it conditionally, again when another writer got in between.
    for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
      const current = await currentVersion(client, flag.key, flag.environment);
      const written = current === 0 ? await insertFirst(client, row) : await updateAt(client, row, current);
      if (written) return toStoredFlag(written);
    }
    throw new EliteError(
      'VERSION_CONFLICT',
      `elite/flags: flag "${flag.key}" (${flag.environment}) kept changing during ${maxWriteAttempts} attempts to write it; retry later`,
    );
  };

  return {
    async getFlag(key, environment) {
      const { data, error } = await client.from(FLAGS).select(COLUMNS).eq('key', key).eq('environment', environment);
      if (error) throw supabaseFailure('reading a flag', error);
      const row = (data as FlagRow[])[0];
      return row ? toStoredFlag(row) : undefined;
    },
    listFlags,
    async writeFlag(flag, writeOptions) {
      validateFlag(flag); // INVALID_FLAG before anything is written
      await checkWrite([flag], listFlags); // no prerequisite cycle, no overlapping layer ranges
      return writeChecked(flag, writeOptions);
    },
    async writeFlags(list, writeOptions = {}) {
      for (const flag of list) validateFlag(flag); // all valid, or nothing is written
      await checkWrite(list, listFlags);
      // Not atomic (see above): a failure names what was written.
      const stored: StoredFlag[] = [];
      for (const flag of list) {
        try {
          stored.push(await writeChecked(flag, { updatedBy: writeOptions.updatedBy }));
        } catch (error) {
          if (stored.length === 0) throw error;
          const written = stored.map((f) => f.key).join(', ');
          throw new EliteError(
            isEliteError(error) ? error.code : 'STORAGE_ERROR',
            `elite/supabase: writeFlags() wrote ${stored.length} of ${list.length} flags (${written}) before "${flag.key}" failed: ${messageOf(error)}; Supabase cannot write them in one transaction, so write the rest again`,
            { cause: error },
          );
        }
      }
      return stored;
    },
    async deleteFlag(key, environment, deleteOptions = {}) {
      const expected = deleteOptions.expectedVersion;
      let deleted: boolean;
      if (deleteOptions.updatedBy !== undefined) {
        // A table-API request cannot name its author to the history trigger: the function sets it.
        const { data, error } = await client.rpc('feature_flag_delete', {
          p_key: key,
          p_environment: environment,
          p_expected_version: expected ?? null,
          p_updated_by: deleteOptions.updatedBy,
        });
        if (error) throw supabaseFailure('deleting a flag', error);
        deleted = (data as unknown[]).length > 0;
      } else {
        let request = client.from(FLAGS).delete().eq('key', key).eq('environment', environment);
        if (expected !== undefined) request = request.eq('version', expected);
        const { data, error } = await request.select('version');
        if (error) throw supabaseFailure('deleting a flag', error);
        deleted = (data as unknown[]).length > 0;
      }
      if (deleted) return true;
      if (expected !== undefined) {
        const current = await currentVersion(client, key, environment);
        if (current !== expected) throw versionConflict(key, environment, current, expected);
      }
      return false;
    },
    async listFlagHistory(key, environment, options) {
      const limit = historyLimit(options);
      const { data, error } = await client
        .from('feature_flag_history')
        .select(HISTORY_COLUMNS)
        .eq('key', key)
        .eq('environment', environment)
        .order('id', { ascending: false })
        .limit(limit);
      if (error) throw supabaseFailure('reading the history of a flag', error);
      return (data as HistoryRow[]).map(toFlagChange);
    },
  };
}
