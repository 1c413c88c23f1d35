// For tests of store outages: the memory store with a switch that takes it down.
import type { FlagDefinition } from '../definitions/index.js';
import { createMemoryStorage } from './memory.js';
import type { StorageAdapter } from './types.js';

/**
 * A memory store holding `flags` whose flag reads reject with "connection refused" while
 * `state.down` is true; `state.reads` counts every flag read, up or down. No `subscribe`, so a
 * client relies on its TTL and refreshes, as with a store that has no change feed.
 */
export function outageStorage(flags: FlagDefinition[], down = false): { storage: StorageAdapter; state: { down: boolean; reads: number } } {
  const inner = createMemoryStorage({ flags });
  const state = { down, reads: 0 };
  const gate = async <T>(read: () => Promise<T>): Promise<T> => {
    state.reads++;
    if (state.down) throw new Error('connection refused');
    return read();
  };
  const storage: StorageAdapter = {
    ...inner,
    metadata: { name: 'outage' },
    subscribe: undefined,
    getFlag: (key, env) => gate(() => inner.getFlag(key, env)),
    listFlags: (env) => gate(() => inner.listFlags(env)),
  };
  return { storage, state };
}
