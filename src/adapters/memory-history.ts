import type { FlagDefinition, StoredFlag } from '../definitions/index.js';
import { historyLimit } from './flag-history.js';
import type { FlagChange, FlagHistoryOptions } from './types.js';

/**
 * One change as the memory store keeps it, compact because it is recorded on every write:
 * the flag before (unset for a create), after (unset for a delete), who, when (ISO 8601).
 */
export type MemoryChange = [before: StoredFlag | undefined, after: StoredFlag | undefined, updatedBy: string | undefined, at: string];

const definitionOf = ({ version: _v, updatedAt: _u, ...definition }: StoredFlag): FlagDefinition => structuredClone(definition);

/** The memory store's `listFlagHistory`: its changes of one flag (oldest first) as {@link FlagChange}s, newest first. */
export function readMemoryHistory(changes: readonly MemoryChange[], options: FlagHistoryOptions | undefined): FlagChange[] {
  const limit = historyLimit(options);
  return changes
    .slice(-limit)
    .reverse()
    .map(([before, after, updatedBy, at]) => {
      const flag = (after ?? before) as StoredFlag;
      return {
        key: flag.key,
        environment: flag.environment,
        action: !before ? 'create' : after ? 'update' : 'delete',
        version: flag.version,
        ...(updatedBy === undefined ? {} : { updatedBy }),
        at,
        ...(before ? { before: definitionOf(before) } : {}),
        ...(after ? { after: definitionOf(after) } : {}),
      };
    });
}
