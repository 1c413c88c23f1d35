import { EliteError } from '../internal/errors.js';
import { createChangeFeed, type ListenClient } from './postgres-change-feed.js';
import { appendPostgresEvents } from './postgres-events.js';
import { postgresFlags } from './postgres-flags.js';
import { queryPostgresMetricStats, queryPostgresResults } from './postgres-results.js';
import type { Queryable } from './postgres-session.js';
import type { StorageAdapter } from './types.js';

export type { ListenClient } from './postgres-change-feed.js';
export { type MigrateOptions, migrate } from './postgres-migrate.js';
export type { Queryable, QueryResultLike } from './postgres-session.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** A `pg.Pool` (recommended) or client: every query is parameterized. */
  pool: Queryable & {
    /** Closes the pool; called by `close()` when `closePool` is set. */
    end?(): Promise<void>;
  };
  /**
   * Makes the dedicated connection that LISTENs for flag changes (e.g. `() => new pg.Client(url)`).
   * Without it `subscribe` is not offered and clients rely on the cache TTL.
   */
  listenClient?: () => ListenClient;
  /** Close the pool in `close()`. Default false: the app owns the pool. */
  closePool?: boolean;
  /** Wait before reconnecting the listener after it drops, in ms. Default 1 000. */
  reconnectDelayMs?: number;
}

/**
 * A store on PostgreSQL through `pg`: flags in `feature_flags` (definition as jsonb, optimistic
 * concurrency on `version`), events in `feature_flag_events` written one statement per batch
 * (one JSON parameter unpacked by `json_to_recordset`), results from `get_ab_test_results` and metric statistics from `get_metric_stats`, and push invalidation through
 * `LISTEN elite_flags` on a dedicated connection. Run `migrate(pool)` once first.
 *
 * Its parts: postgres-flags.ts (flag reads and writes), postgres-events.ts (event batches and the
 * refused-batch errors), postgres-results.ts, postgres-change-feed.ts (LISTEN and reconnects).
 *
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const storage = createPostgresStorage({ pool, listenClient: () => new pg.Client(process.env.DATABASE_URL) });
 */
export function createPostgresStorage(options: PostgresStorageOptions): StorageAdapter {
  if (typeof options?.pool?.query !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/postgres: pool must be a pg.Pool or client, e.g. new pg.Pool({ connectionString })', {
      field: 'pool',
    });
  }
  const { pool } = options;
  const feed = options.listenClient
    ? createChangeFeed({ listenClient: options.listenClient, reconnectDelayMs: options.reconnectDelayMs ?? 1_000 })
    : undefined;

  return {
    metadata: { name: 'postgres' },
    ...postgresFlags(pool),
    appendEvents: (events) => appendPostgresEvents(pool, events),
    queryResults: (query) => queryPostgresResults(pool, query),
    queryMetricStats: (query) => queryPostgresMetricStats(pool, query),
    ...(feed ? { subscribe: feed.subscribe } : {}),
    async close() {
      await feed?.close();
      if (options.closePool) await pool.end?.();
    },
  };
}
