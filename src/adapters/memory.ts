import type { FlagDefinition, StoredFlag } from '../definitions/index.js';
import { validateFlag } from '../definitions/validate.js';
import type { VariantMetricStats } from '../experiments/metric-stats.js';
import type { MemoryChange } from './memory-history.js';
import type { FlagEvent, MetricStatsQuery, ResultsQuery, StorageAdapter, VariantAggregate, WriteOptions } from './types.js';
import { versionConflict } from './version-conflict.js';

/** The event checks, aggregates and history reader, loaded once on first use (see memory-event-tools.ts). */
let eventTools: Promise<typeof import('./memory-event-tools.js')> | undefined;
// The checks across flags (prerequisite cycles, layer ranges) run on writes only, which the flags
// entry's evaluation never makes: loaded on the first write. Nothing awaits between the check and
// the write, so concurrent writes cannot both pass it.
const loadFlagSet = () => import('../definitions/flag-set.js');
const loadEventTools = () => {
  eventTools ??= import('./memory-event-tools.js');
  return eventTools;
};

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Flags to start with; validated, stored at version 1 unless they carry a version. */
  flags?: FlagDefinition[];
  /** Clock for `updatedAt`, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Most events kept; past it the oldest are discarded (counted in `droppedEvents`, one warning),
   * so a long-running process on the default store does not grow without bound. Default 1 000 000.
   */
  maxEvents?: number;
}

/** The in-memory store, with a few extras for tests and demos. */
export interface MemoryStorage extends StorageAdapter {
  /** The events kept, oldest first. */
  readonly events: readonly FlagEvent[];
  /** Events discarded past `maxEvents`. */
  readonly droppedEvents: number;
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * Creates the embedded in-memory store: the default storage of `createFlags` and of the
 * ready-made `flags` client. Nothing survives the process; use the PostgreSQL or Supabase
 * adapter to share flags between instances. Definitions are copied in and out, so callers
 * cannot change a stored flag by mutating an object.
 *
 * @example
 * const storage = createMemoryStorage({ flags: [{ key: 'new-checkout', environment: 'production', enabled: true, rollout: 50 }] });
 * const client = createFlags({ storage, environment: 'production' });
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  // Started now, so the first batch does not wait on a module load (appendEvents awaits the same promise).
  loadEventTools().catch(() => {});
  const now = options.now ?? Date.now;
  const flags = new Map<string, StoredFlag>();
  const events: FlagEvent[] = [];
  // Idempotency keys of the events kept: a copy of a stored event (a retried batch) is ignored.
  const ids = new Set<string>();
  const maxEvents = options.maxEvents ?? 1_000_000;
  let dropped = 0;
  const listeners = new Set<{ environment: string; listener: (key: string) => void }>();
  const id = (key: string, environment: string) => `${environment}\u0000${key}`;
  // Each flag's changes, oldest first, as compact tuples (made readable by memory-history.ts),
  // at most 1 000 a flag. Stored flags are replaced, never mutated, so keeping them is safe.
  const history = new Map<string, MemoryChange[]>();
  const record = (key: string, before: StoredFlag | undefined, after: StoredFlag | undefined, updatedBy: string | undefined) => {
    const list = history.get(key) ?? [];
    // A write's change is stamped with its updatedAt, as the SQL stores do.
    if (list.push([before, after, updatedBy, after?.updatedAt ?? new Date(now()).toISOString()]) > 1000) list.shift();
    history.set(key, list);
  };

  const notify = (key: string, environment: string) => {
    for (const l of listeners) {
      if (l.environment !== environment) continue;
      try {
        l.listener(key);
      } catch {
        // A listener's failure is its own; the write has happened.
      }
    }
  };

  /** Stores a valid flag at the next version; a seed (`seed`) keeps the version it carries. */
  const store = (flag: FlagDefinition, writeOptions: WriteOptions = {}, seed = false): StoredFlag => {
    validateFlag(flag);
    const key = id(flag.key, flag.environment);
    const current = flags.get(key);
    const expected = writeOptions.expectedVersion;
    if (expected !== undefined && (current?.version ?? 0) !== expected) {
      throw versionConflict(flag.key, flag.environment, current?.version ?? 0, expected);
    }
    const stored: StoredFlag = {
      ...clone(flag),
      // Seeded flags keep the version they carry (e.g. a snapshot exported elsewhere).
      version: (seed && flag.version) || (current?.version ?? 0) + 1,
      updatedAt: new Date(now()).toISOString(),
    };
    flags.set(key, stored);
    record(key, current, stored, writeOptions.updatedBy);
    return clone(stored);
  };

  for (const flag of options.flags ?? []) store(flag, {}, true);

  return {
    metadata: { name: 'memory' },
    events,
    get droppedEvents() {
      return dropped;
    },
    async getFlag(key, environment) {
      const flag = flags.get(id(key, environment));
      return flag ? clone(flag) : undefined;
    },
    async listFlags(environment) {
      return [...flags.values()].filter((f) => f.environment === environment).map(clone);
    },
    async writeFlag(flag, writeOptions) {
      const { checkFlagSet } = await loadFlagSet();
      validateFlag(flag);
      checkFlagSet([flag], [...flags.values()]); // no prerequisite cycle, no overlapping layer ranges
      const stored = store(flag, writeOptions);
      notify(stored.key, stored.environment);
      return stored;
    },
    async writeFlags(list, writeOptions = {}) {
      const { checkFlagSet } = await loadFlagSet();
      for (const flag of list) validateFlag(flag); // all valid, or nothing is written
      checkFlagSet(list, [...flags.values()]);
      const stored = list.map((flag) => store(flag, { updatedBy: writeOptions.updatedBy }));
      for (const flag of stored) notify(flag.key, flag.environment);
      return stored;
    },
    async deleteFlag(key, environment, deleteOptions = {}) {
      const current = flags.get(id(key, environment));
      const expected = deleteOptions.expectedVersion;
      if (expected !== undefined && (current?.version ?? 0) !== expected) {
        throw versionConflict(key, environment, current?.version ?? 0, expected);
      }
      if (!current) return false;
      flags.delete(id(key, environment));
      record(id(key, environment), current, undefined, deleteOptions.updatedBy);
      notify(key, environment);
      return true;
    },
    async listFlagHistory(key, environment, historyOptions) {
      return (await loadEventTools()).readMemoryHistory(history.get(id(key, environment)) ?? [], historyOptions);
    },
    async appendEvents(batch: readonly FlagEvent[]) {
      // All or none, refusing what PostgreSQL would: behaviour is the same on every store.
      (await loadEventTools()).assertStorableEvents('memory', batch);
      for (const event of batch) {
        if (event.id !== undefined) {
          const key = event.id.toLowerCase();
          if (ids.has(key)) continue;
          ids.add(key);
        }
        events.push(clone(event));
      }
      const excess = events.length - maxEvents;
      if (excess > 0) {
        for (const gone of events.splice(0, excess)) if (gone.id !== undefined) ids.delete(gone.id.toLowerCase());
        if (dropped === 0) {
          console.warn(
            `elite/flags: the memory store keeps at most ${maxEvents} events; the oldest are discarded (use a database store in production)`,
          );
        }
        dropped += excess;
      }
    },
    async queryResults(query: ResultsQuery): Promise<VariantAggregate[]> {
      return (await loadEventTools()).aggregateEvents(events, query);
    },
    async queryMetricStats(query: MetricStatsQuery): Promise<VariantMetricStats[]> {
      const tools = await loadEventTools();
      return tools.metricStatsFromEvents(events, query, tools.planMetricStats('memory', query));
    },
    subscribe(environment, listener) {
      const entry = { environment, listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    async close() {
      listeners.clear();
    },
  };
}
