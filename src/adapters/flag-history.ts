import type { FlagDefinition } from '../definitions/index.js';
import { EliteError } from '../internal/errors.js';
import type { FlagChange, FlagHistoryOptions } from './types.js';

/** Most changes one `listFlagHistory` call returns. */
export const MAX_HISTORY_LIMIT = 1000;

/** The `limit` of a history read: 50 by default, a whole number from 1 to 1 000, else `INVALID_OPTIONS`. */
export function historyLimit(options: FlagHistoryOptions | undefined): number {
  const limit = options?.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/flags: listFlagHistory(): limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, got ${String(limit)}`,
      { field: 'limit' },
    );
  }
  return limit;
}

/** A row of `feature_flag_history`, from pg (`Date`) or PostgREST (ISO string). */
export interface HistoryRow {
  key: string;
  environment: string;
  action: FlagChange['action'];
  version: number;
  before: FlagDefinition | null;
  after: FlagDefinition | null;
  updated_by: string | null;
  changed_at: Date | string;
}

/** The columns the SQL stores read, in the order of {@link HistoryRow}. */
export const HISTORY_COLUMNS = 'key,environment,action,version,before,after,updated_by,changed_at';

/** A change from its row: unset fields instead of nulls, the time as ISO 8601 UTC. */
export const toFlagChange = (row: HistoryRow): FlagChange => ({
  key: row.key,
  environment: row.environment,
  action: row.action,
  version: row.version,
  ...(row.updated_by === null ? {} : { updatedBy: row.updated_by }),
  at: new Date(row.changed_at).toISOString(),
  ...(row.before === null ? {} : { before: row.before }),
  ...(row.after === null ? {} : { after: row.after }),
});
