import { validateFlag } from '../flags/model.js';
import type { FlagDefinition, StoredFlag } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';
import { assertStorableEvents, eventIdOf, isContentRejection } from './event-checks.js';
import { type Queryable, storageError, withConnection } from './postgres-session.js';
import type { FlagEvent, ResultsQuery, StorageAdapter, VariantAggregate, WriteOptions } from './types.js';

export { type MigrateOptions, migrate } from './postgres-migrate.js';
export type { Queryable, QueryResultLike } from './postgres-session.js';

/** A dedicated connection for LISTEN (`pg.Client`), typed structurally. */
export interface ListenClient extends Queryable {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
  removeAllListeners?(): unknown;
}

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** A `pg.Pool` (recommended) or client: every query is parameterized. */
  pool: Queryable & { end?(): Promise<void> };
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

const CHANNEL = 'elite_flags';

type FlagRow = { definition: FlagDefinition; version: number; updated_at: Date | string };

const toStored = (row: FlagRow): StoredFlag => ({
  ...row.definition,
  version: row.version,
  updatedAt: new Date(row.updated_at).toISOString(),
});

function conflict(key: string, environment: string, found: number, expected: number): EliteError {
  return new EliteError(
    'VERSION_CONFLICT',
    `elite/flags: flag "${key}" (${environment}) is at version ${found}, expected ${expected}; read it again and retry`,
  );
}

const UPSERT = `insert into feature_flags (key, environment, definition, enabled, version, updated_by)
   values ($1, $2, $3::jsonb, $4, 1, $5)
   on conflict (key, environment) do update
     set definition = excluded.definition, enabled = excluded.enabled, version = feature_flags.version + 1,
         updated_at = now(), updated_by = excluded.updated_by
   returning definition, version, updated_at`;

/** The row values of a flag: key, environment, definition (JSON text), enabled, updated_by. */
const rowValues = (flag: FlagDefinition, updatedBy: string | undefined): unknown[] => {
  const { version: _v, updatedAt: _u, ...definition } = flag;
  return [flag.key, flag.environment, JSON.stringify(definition), flag.enabled, updatedBy ?? null];
};

/** What a refused event batch becomes: `INVALID_EVENT` for its content, `STORAGE_ERROR` otherwise. */
function appendFailed(error: unknown): EliteError {
  const code = (error as { code?: unknown } | null)?.code;
  if (!isContentRejection(code)) return storageError('appending events', error);
  const message = redactSecrets(error instanceof Error ? error.message : 'refused');
  return new EliteError(
    'INVALID_EVENT',
    `elite/postgres: the store refused the event batch for its content (${String(code)}): ${message}`,
    {
      cause: error,
    },
  );
}

/**
 * A store on PostgreSQL through `pg`: flags in `feature_flags` (definition as jsonb, optimistic
 * concurrency on `version`), events in `feature_flag_events` written one statement per batch
 * (`unnest` of arrays), results from `get_ab_test_results`, and push invalidation through
 * `LISTEN elite_flags` on a dedicated connection. Run `migrate(pool)` once first.
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
  const reconnectDelayMs = options.reconnectDelayMs ?? 1_000;
  const listeners = new Set<{ environment: string; listener: (key: string) => void }>();
  let listener: ListenClient | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const dispatch = (payload: string | undefined) => {
    const at = payload?.indexOf(':') ?? -1;
    if (payload === undefined || at < 0) return;
    const environment = payload.slice(0, at);
    const key = payload.slice(at + 1);
    for (const l of listeners) {
      if (l.environment !== environment) continue;
      try {
        l.listener(key);
      } catch {
        // A listener's failure is its own.
      }
    }
  };

  /** Connects the LISTEN connection; after a drop, reconnects and tells listeners to resync. */
  const listen = async (resync: boolean): Promise<void> => {
    if (closed || !options.listenClient || listeners.size === 0) return;
    const client = options.listenClient();
    listener = client;
    const retry = () => {
      if (closed || listener !== client) return;
      listener = undefined;
      client.removeAllListeners?.();
      client.end().catch(() => {});
      reconnect = setTimeout(() => void listen(true), reconnectDelayMs);
      (reconnect as { unref?: () => void }).unref?.();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) dispatch(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch {
      retry();
      return;
    }
    // Changes may have been missed while disconnected: every key of every environment is stale.
    if (resync) for (const l of listeners) l.listener('*');
  };

  return {
    metadata: { name: 'postgres' },
    async getFlag(key, environment) {
      const { rows } = await pool.query<FlagRow>(
        'select definition, version, updated_at from feature_flags where key = $1 and environment = $2',
        [key, environment],
      );
      return rows[0] ? toStored(rows[0]) : undefined;
    },
    async listFlags(environment) {
      const { rows } = await pool.query<FlagRow>(
        'select definition, version, updated_at from feature_flags where environment = $1 order by key',
        [environment],
      );
      return rows.map(toStored);
    },
    async writeFlag(flag, writeOptions: WriteOptions = {}) {
      validateFlag(flag); // INVALID_FLAG before anything is written
      const expected = writeOptions.expectedVersion;
      const values = rowValues(flag, writeOptions.updatedBy);
      let rows: FlagRow[];
      if (expected === undefined) {
        ({ rows } = await pool.query<FlagRow>(UPSERT, values));
      } else if (expected === 0) {
        ({ rows } = await pool.query<FlagRow>(
          `insert into feature_flags (key, environment, definition, enabled, version, updated_by)
           values ($1, $2, $3::jsonb, $4, 1, $5)
           on conflict (key, environment) do nothing
           returning definition, version, updated_at`,
          values,
        ));
      } else {
        ({ rows } = await pool.query<FlagRow>(
          `update feature_flags set definition = $3::jsonb, enabled = $4, version = version + 1, updated_at = now(), updated_by = $5
           where key = $1 and environment = $2 and version = $6
           returning definition, version, updated_at`,
          [...values, expected],
        ));
      }
      if (rows[0] === undefined) {
        const current = await this.getFlag(flag.key, flag.environment);
        throw conflict(flag.key, flag.environment, current?.version ?? 0, expected as number);
      }
      return toStored(rows[0]);
    },
    async writeFlags(list, writeOptions = {}) {
      for (const flag of list) validateFlag(flag); // all valid, or nothing is written
      if (list.length === 0) return [];
      // One transaction on one connection: every flag or none.
      return withConnection(
        pool,
        async (connection) => {
          await connection.query('begin');
          try {
            const stored: StoredFlag[] = [];
            for (const flag of list) {
              const { rows } = await connection.query<FlagRow>(UPSERT, rowValues(flag, writeOptions.updatedBy));
              stored.push(toStored(rows[0] as FlagRow));
            }
            await connection.query('commit');
            return stored;
          } catch (error) {
            await connection.query('rollback').catch(() => {});
            throw error;
          }
        },
        {
          waitMs: 30_000,
          onBusy: () =>
            new EliteError(
              'STORAGE_ERROR',
              'elite/postgres: writeFlags() found no free pooled connection within 30 s; retry, or enlarge the pool',
            ),
        },
      );
    },
    async deleteFlag(key, environment, deleteOptions = {}) {
      const expected = deleteOptions.expectedVersion;
      const { rowCount } = await pool.query(
        `delete from feature_flags where key = $1 and environment = $2 and ($3::int is null or version = $3::int)`,
        [key, environment, expected ?? null],
      );
      if ((rowCount ?? 0) > 0) return true;
      if (expected !== undefined) {
        const current = await this.getFlag(key, environment);
        if ((current?.version ?? 0) !== expected) throw conflict(key, environment, current?.version ?? 0, expected);
      }
      return false;
    },
    async appendEvents(events: readonly FlagEvent[]) {
      if (events.length === 0) return;
      assertStorableEvents('postgres', events);
      const column = <T>(pick: (e: FlagEvent) => T) => events.map(pick);
      // One statement per batch: arrays unnested into rows (atomic, one round trip). A copy of an
      // event already stored (a retry of a write that timed out after its commit) is skipped.
      try {
        await pool.query(
          `insert into feature_flag_events (event_id, flag_key, environment, variant, user_id, event_type, event_name, value, properties, occurred_at)
           select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::jsonb[], $10::timestamptz[])
           on conflict (event_id) do nothing`,
          [
            column(eventIdOf),
            column((e) => e.flagKey ?? null),
            column((e) => e.environment),
            column((e) => e.variant ?? null),
            column((e) => e.userId),
            column((e) => e.type),
            column((e) => e.eventName ?? null),
            column((e) => e.value ?? null),
            column((e) => (e.properties === undefined ? null : JSON.stringify(e.properties))),
            column((e) => e.occurredAt),
          ],
        );
      } catch (error) {
        throw appendFailed(error);
      }
    },
    async queryResults(query: ResultsQuery): Promise<VariantAggregate[]> {
      const { rows } = await pool.query<{
        variant: string;
        exposures: string;
        conversions: string;
        value_sum: number;
        conversion_events: string;
      }>('select * from get_ab_test_results($1, $2, $3, $4, $5)', [
        query.flagKey,
        query.environment,
        query.eventName ?? null,
        query.since ?? null,
        query.until ?? null,
      ]);
      return rows.map((r) => ({
        variant: r.variant,
        exposures: Number(r.exposures),
        conversions: Number(r.conversions),
        valueSum: Number(r.value_sum),
        conversionEvents: Number(r.conversion_events),
      }));
    },
    ...(options.listenClient
      ? {
          subscribe(environment: string, callback: (key: string) => void) {
            const entry = { environment, listener: callback };
            listeners.add(entry);
            if (listener === undefined && reconnect === undefined) void listen(false);
            return () => {
              listeners.delete(entry);
            };
          },
        }
      : {}),
    async close() {
      closed = true;
      listeners.clear();
      if (reconnect !== undefined) clearTimeout(reconnect);
      const client = listener;
      listener = undefined;
      client?.removeAllListeners?.();
      await client?.end().catch(() => {});
      if (options.closePool) await pool.end?.();
    },
  };
}
