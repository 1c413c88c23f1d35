import { checkFlagSet, needsSetCheck } from '../definitions/flag-set.js';
import type { FlagDefinition, StoredFlag } from '../definitions/index.js';
import { validateFlag } from '../definitions/validate.js';
import { EliteError } from '../internal/errors.js';
import { HISTORY_COLUMNS, type HistoryRow, historyLimit, toFlagChange } from './flag-history.js';
import { type Queryable, withConnection } from './postgres-session.js';
import { type FlagRow, toStoredFlag } from './sql-rows.js';
import type { StorageAdapter, WriteOptions } from './types.js';
import { versionConflict } from './version-conflict.js';

/** The flag methods of a store: reads, writes (one or a batch), deletes and the history of changes. */
type FlagMethods = Pick<StorageAdapter, 'getFlag' | 'listFlags' | 'writeFlag' | 'writeFlags' | 'deleteFlag' | 'listFlagHistory'>;

const COLUMNS = 'definition, version, updated_at';

const UPSERT = `insert into feature_flags (key, environment, definition, enabled, version, updated_by)
   values ($1, $2, $3::jsonb, $4, 1, $5)
   on conflict (key, environment) do update
     set definition = excluded.definition, enabled = excluded.enabled, version = feature_flags.version + 1,
         updated_at = now(), updated_by = excluded.updated_by
   returning ${COLUMNS}`;

const INSERT_NEW = `insert into feature_flags (key, environment, definition, enabled, version, updated_by)
   values ($1, $2, $3::jsonb, $4, 1, $5)
   on conflict (key, environment) do nothing
   returning ${COLUMNS}`;

const UPDATE_AT_VERSION = `update feature_flags set definition = $3::jsonb, enabled = $4, version = version + 1, updated_at = now(), updated_by = $5
   where key = $1 and environment = $2 and version = $6
   returning ${COLUMNS}`;

/** The row values of a flag: key, environment, definition (JSON text), enabled, updated_by. */
const rowValues = (flag: FlagDefinition, updatedBy: string | undefined): unknown[] => {
  const { version: _v, updatedAt: _u, ...definition } = flag;
  return [flag.key, flag.environment, JSON.stringify(definition), flag.enabled, updatedBy ?? null];
};

/** The flags of one environment, ordered by key. */
const listFlagsOn = async (db: Queryable, environment: string): Promise<StoredFlag[]> => {
  const { rows } = await db.query<FlagRow>(`select ${COLUMNS} from feature_flags where environment = $1 order by key`, [environment]);
  return rows.map(toStoredFlag);
};

/**
 * The flags of `feature_flags` through `pg`: the definition as jsonb, optimistic concurrency on
 * `version` in the statement itself (an upsert raises it, a conditional write names it in its
 * WHERE), `writeFlags` in one transaction on one pooled connection. Every query is parameterized.
 */
export function postgresFlags(pool: Queryable): FlagMethods {
  /**
   * `write` in one transaction on one connection. A batch with prerequisites or layers first takes
   * the advisory lock of each environment it touches, then checks the set against the flags stored
   * (read after the lock, so two such writes run one after the other and the second sees the first:
   * they cannot close a cycle or overlap layer ranges between them). Plain writes take no lock.
   */
  const inTransaction = <T>(list: readonly FlagDefinition[], write: (connection: Queryable) => Promise<T>) =>
    withConnection(
      pool,
      async (connection) => {
        await connection.query('begin');
        try {
          if (needsSetCheck(list)) {
            const environments = [...new Set(list.map((f) => f.environment))].sort();
            for (const environment of environments) {
              await connection.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`elite.feature_flags:${environment}`]);
            }
            const stored: StoredFlag[] = [];
            for (const environment of environments) stored.push(...(await listFlagsOn(connection, environment)));
            checkFlagSet(list, stored);
          }
          const result = await write(connection);
          await connection.query('commit');
          return result;
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
            'elite/postgres: writing flags found no free pooled connection within 30 s; retry, or enlarge the pool',
          ),
      },
    );

  const getFlag = async (key: string, environment: string): Promise<StoredFlag | undefined> => {
    const { rows } = await pool.query<FlagRow>(`select ${COLUMNS} from feature_flags where key = $1 and environment = $2`, [
      key,
      environment,
    ]);
    return rows[0] ? toStoredFlag(rows[0]) : undefined;
  };

  const listFlags = (environment: string): Promise<StoredFlag[]> => listFlagsOn(pool, environment);

  return {
    getFlag,
    listFlags,
    async writeFlag(flag, writeOptions: WriteOptions = {}) {
      validateFlag(flag); // INVALID_FLAG before anything is written
      const expected = writeOptions.expectedVersion;
      const values = rowValues(flag, writeOptions.updatedBy);
      const write = async (db: Queryable) => {
        const { rows } =
          expected === undefined
            ? await db.query<FlagRow>(UPSERT, values)
            : expected === 0
              ? await db.query<FlagRow>(INSERT_NEW, values)
              : await db.query<FlagRow>(UPDATE_AT_VERSION, [...values, expected]);
        return rows[0];
      };
      // No prerequisite cycle, no overlapping layer ranges: checked under the environment's lock.
      const row = needsSetCheck([flag]) ? await inTransaction([flag], write) : await write(pool);
      if (row === undefined) {
        const current = await getFlag(flag.key, flag.environment);
        throw versionConflict(flag.key, flag.environment, current?.version ?? 0, expected as number);
      }
      return toStoredFlag(row);
    },
    async writeFlags(list, writeOptions = {}) {
      for (const flag of list) validateFlag(flag); // all valid, or nothing is written
      if (list.length === 0) return [];
      // One transaction on one connection: every flag or none.
      return inTransaction(list, async (connection) => {
        const stored: StoredFlag[] = [];
        for (const flag of list) {
          const { rows } = await connection.query<FlagRow>(UPSERT, rowValues(flag, writeOptions.updatedBy));
          stored.push(toStoredFlag(rows[0] as FlagRow));
        }
        return stored;
      });
    },
    async deleteFlag(key, environment, deleteOptions = {}) {
      const expected = deleteOptions.expectedVersion;
      // The history trigger reads who deletes from elite.actor, set for this statement's transaction.
      const { rowCount } = await pool.query(
        `delete from feature_flags where key = $1 and environment = $2 and ($3::int is null or version = $3::int)
           and set_config('elite.actor', $4, true) is not null`,
        [key, environment, expected ?? null, deleteOptions.updatedBy ?? ''],
      );
      if ((rowCount ?? 0) > 0) return true;
      if (expected !== undefined) {
        const current = await getFlag(key, environment);
        if ((current?.version ?? 0) !== expected) throw versionConflict(key, environment, current?.version ?? 0, expected);
      }
      return false;
    },
    async listFlagHistory(key, environment, options) {
      const limit = historyLimit(options);
      const { rows } = await pool.query<HistoryRow>(
        `select ${HISTORY_COLUMNS} from feature_flag_history where key = $1 and environment = $2 order by id desc limit $3`,
        [key, environment, limit],
      );
      return rows.map(toFlagChange);
    },
  };
}
