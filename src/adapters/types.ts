import type { FlagDefinition, JsonValue, StoredFlag } from '../definitions/index.js';
import type { MetricDefinition, VariantMetricStats } from '../experiments/metric-stats.js';

/** An exposure or conversion, as the SDK hands it to a store. */
export interface FlagEvent {
  /**
   * Idempotency key: a UUID the SDK gives the event once, when it is buffered, and keeps on
   * every retry, so a store that already holds it ignores the copy (a write that timed out but
   * was committed is never counted twice). Stores generate one when it is unset.
   */
  id?: string;
  /** `exposure`: a user was placed in a variant; `conversion`: a user did something worth counting (`track()`). */
  type: 'exposure' | 'conversion';
  /** Environment of the flag client that recorded it, e.g. `production`. */
  environment: string;
  /** The flag exposed; for conversions, unset (attribution happens at query time). */
  flagKey?: string;
  /** The variant exposed; unset for conversions. */
  variant?: string;
  /** The user's targeting key: exposures and conversions of the same user are matched on it. */
  userId: string;
  /** Conversion name, e.g. `purchase`; unset for exposures. */
  eventName?: string;
  /** A finite amount carried by a conversion, e.g. revenue in USD; summed in `valueSum`. */
  value?: number;
  /** Free-form plain JSON attached to the event, stored as is and not aggregated. */
  properties?: { [key: string]: JsonValue };
  /** ISO 8601. */
  occurredAt: string;
}

/** What `queryResults` is asked. */
export interface ResultsQuery {
  /** The flag whose exposures define the variants. */
  flagKey: string;
  /** Only events of this environment count. */
  environment: string;
  /** Conversion name to count; all conversions when unset. */
  eventName?: string;
  /** ISO 8601, inclusive. */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
}

/** What `queryMetricStats` is asked: the window of `queryResults` and the metrics to compute. */
export interface MetricStatsQuery {
  /** The flag whose exposures define the variants. */
  flagKey: string;
  /** Only events of this environment count. */
  environment: string;
  /** ISO 8601, inclusive: exposures and events before it are left out (CUPED's pre-window excepted). */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
  /** The metrics, each computed per variant as sufficient statistics. */
  metrics: readonly MetricDefinition[];
}

/**
 * Per-variant aggregates. A user counts in the variant of their first exposure; a
 * conversion counts when the same user was exposed before it, once per user.
 */
export interface VariantAggregate {
  /** The variant key. */
  variant: string;
  /** Distinct users exposed. */
  exposures: number;
  /** Distinct exposed users who converted after their first exposure. */
  conversions: number;
  /** Sum of the values of attributed conversions. */
  valueSum: number;
  /** Number of attributed conversion events (a user may convert several times). */
  conversionEvents: number;
}

/** Options of {@link StorageAdapter.writeFlag}. */
export interface WriteOptions {
  /**
   * The version the caller read. The write fails with `VERSION_CONFLICT` when the stored
   * version differs; `0` means "must not exist yet". Omit to overwrite unconditionally.
   */
  expectedVersion?: number;
  /** Who made the change, for the audit column. */
  updatedBy?: string;
}

/**
 * One recorded change of a flag, as {@link StorageAdapter.listFlagHistory} returns it. Every write
 * and delete of a flag records one, in the same transaction as the change where the store has
 * transactions (in SQL, a trigger on `feature_flags` writes it, so changes made outside the SDK
 * are recorded too).
 */
export interface FlagChange {
  /** The flag's key. */
  key: string;
  /** The flag's environment. */
  environment: string;
  /** `create`: there was no flag before; `update`: a definition replaced another; `delete`: the flag was removed. */
  action: 'create' | 'update' | 'delete';
  /** The version the change produced; for a delete, the version that was removed. */
  version: number;
  /** Who made the change (`WriteOptions.updatedBy`); unset when the writer did not say. */
  updatedBy?: string;
  /** When the change was stored, ISO 8601 UTC (the database's clock for the SQL stores). */
  at: string;
  /** The definition before the change (without `version` and `updatedAt`); unset for a create. */
  before?: FlagDefinition;
  /** The definition after the change (without `version` and `updatedAt`); unset for a delete. */
  after?: FlagDefinition;
}

/** Options of {@link StorageAdapter.listFlagHistory}. */
export interface FlagHistoryOptions {
  /** Most changes returned, newest first. Default 50. */
  limit?: number;
}

/**
 * The storage contract every adapter implements (memory, PostgreSQL, Supabase). Adapters
 * may throw or reject: the SDK catches at the boundary and turns failures into results.
 * Switching adapters means switching the import, nothing else.
 */
export interface StorageAdapter {
  /** What the store is, for logs and errors. */
  readonly metadata: {
    /** A short name: `memory`, `postgres`, `supabase`. */
    name: string;
  };
  /** One flag of an environment, or undefined when there is none. */
  getFlag(key: string, environment: string): Promise<StoredFlag | undefined>;
  /** Every flag of an environment. */
  listFlags(environment: string): Promise<StoredFlag[]>;
  /**
   * Validates and stores a flag, raising its version by one and setting `updatedAt`.
   * Rejects with `EliteError` `INVALID_FLAG` or `VERSION_CONFLICT`.
   */
  writeFlag(flag: FlagDefinition, options?: WriteOptions): Promise<StoredFlag>;
  /**
   * Validates every flag first, then stores them all or none (in one transaction where the store
   * has them). Optional: callers fall back to validating all, then `writeFlag` one by one.
   */
  writeFlags?(flags: readonly FlagDefinition[], options?: Pick<WriteOptions, 'updatedBy'>): Promise<StoredFlag[]>;
  /**
   * Deletes a flag; resolves false when there was none. Honours `expectedVersion`; `updatedBy`
   * names who deleted it in the flag's history.
   */
  deleteFlag(key: string, environment: string, options?: WriteOptions): Promise<boolean>;
  /**
   * The recorded changes of one flag, newest first (see {@link FlagChange}); the changes of a flag
   * deleted and created again are kept. Optional: a custom store may keep no history.
   */
  listFlagHistory?(key: string, environment: string, options?: FlagHistoryOptions): Promise<FlagChange[]>;
  /**
   * Appends a batch of events atomically (all or none). Rejects with `EliteError` `INVALID_EVENT`
   * when the store refuses the batch for its content (retrying it cannot succeed); an event whose
   * `id` is stored already is skipped, not stored twice.
   */
  appendEvents(events: readonly FlagEvent[]): Promise<void>;
  /** Per-variant aggregates of one flag. */
  queryResults(query: ResultsQuery): Promise<VariantAggregate[]>;
  /**
   * Per-variant sufficient statistics of each metric (see `experiments/metric-stats.ts`), computed
   * where the events are (in SQL for the SQL stores), with the attribution rules of `queryResults`.
   * Rejects with `INVALID_OPTIONS` for a malformed metric list (see `planMetricStats`).
   */
  queryMetricStats(query: MetricStatsQuery): Promise<VariantMetricStats[]>;
  /**
   * Subscribes to flag changes, when the store can push them: the listener gets the changed
   * key, or `*` when changes may have been missed (a reconnect) and everything should be
   * reloaded. Returns an unsubscribe function.
   */
  subscribe?(environment: string, listener: (key: string) => void): () => void;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}
