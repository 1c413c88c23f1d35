import { EliteError } from '../internal/errors.js';
import { MIGRATIONS } from '../sql/migrations.js';
import { type Queryable, withConnection } from './postgres-session.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Longest wait for a free pooled connection, the migration lock and each table lock, in ms.
   * Past it `migrate` fails with `MIGRATION_LOCKED` instead of queueing behind the app's own
   * traffic (an ALTER waiting for a lock blocks every later reader of that table). Default 5 000.
   */
  lockTimeoutMs?: number;
  /** Longest run of one migration statement, in ms (`statement_timeout`). Default 120 000. */
  statementTimeoutMs?: number;
}

/** Two 32-bit keys of the migration lock (`pg_advisory_xact_lock(int, int)`): 'elit', 'migr'. */
const LOCK_KEYS = [0x656c6974, 0x6d696772] as const;

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

const count = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/postgres: migrate(): ${name} must be a whole number of ms > 0, got ${String(value)}`, {
      field: name,
    });
  }
  return value;
};

const locked = (what: string, lockTimeoutMs: number, cause?: unknown) =>
  new EliteError(
    'MIGRATION_LOCKED',
    `elite/postgres: migrate() could not get ${what} within ${lockTimeoutMs} ms; nothing was applied. ` +
      'Retry when the database is less busy (e.g. at the next start), stop what holds it, or raise lockTimeoutMs',
    { cause },
  );

/**
 * Applies the SDK's migrations in order, each once (recorded in `elite_migrations`). Everything
 * runs on ONE connection (checked out of the pool, or the client given) in ONE transaction under
 * a transaction-scoped advisory lock: concurrent deploys do not race (one applies, the others
 * find nothing to do), a failure leaves nothing half applied, and no lock, setting or open
 * transaction outlives the call. Waits for a connection and for locks are bounded by
 * `lockTimeoutMs`: on a busy database it fails fast with `MIGRATION_LOCKED` rather than hanging.
 * Safe to call at every start.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const { applied } = await migrate(pool, { lockTimeoutMs: 10_000 });
 */
export async function migrate(
  db: Queryable,
  options: MigrateOptions = {},
): Promise<{
  /** Names of the migrations applied by this call, in order; empty when the schema was current. */
  applied: string[];
}> {
  const lockTimeoutMs = count('lockTimeoutMs', options.lockTimeoutMs, 5_000);
  const statementTimeoutMs = count('statementTimeoutMs', options.statementTimeoutMs, 120_000);
  return withConnection(db, (connection) => applyPending(connection, { lockTimeoutMs, statementTimeoutMs }), {
    waitMs: lockTimeoutMs,
    onBusy: () => locked('a free connection from the pool', lockTimeoutMs),
  });
}

/** The pending migrations, in one transaction under the lock; the names applied. */
async function applyPending(
  connection: Queryable,
  limits: { lockTimeoutMs: number; statementTimeoutMs: number },
): Promise<{ applied: string[] }> {
  let step = 'the migration lock';
  let current = '';
  await connection.query('begin');
  try {
    // Transaction-local settings and lock: a commit, a rollback or a lost connection ends them.
    await connection.query(
      "select set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), set_config('idle_in_transaction_session_timeout', $2, true)",
      [`${limits.lockTimeoutMs}ms`, `${limits.statementTimeoutMs}ms`],
    );
    await connection.query('select pg_advisory_xact_lock($1, $2)', [...LOCK_KEYS]);
    step = 'the lock of table elite_migrations';
    await connection.query(
      'create table if not exists elite_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set((await connection.query<{ name: string }>('select name from elite_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.name)) continue;
      current = migration.name;
      step = `the table locks of migration ${migration.name}`;
      await connection.query(migration.sql);
      await connection.query('insert into elite_migrations (name) values ($1)', [migration.name]);
      applied.push(migration.name);
    }
    await connection.query('commit');
    return { applied };
  } catch (error) {
    await connection.query('rollback').catch(() => {});
    const code = (error as { code?: unknown } | null)?.code;
    if (code === LOCK_NOT_AVAILABLE) throw locked(step, limits.lockTimeoutMs, error);
    if (code === QUERY_CANCELED) {
      throw new EliteError(
        'TIMEOUT',
        `elite/postgres: migration ${current || '(setup)'} ran longer than statementTimeoutMs (${limits.statementTimeoutMs} ms); nothing was applied, raise statementTimeoutMs`,
        { cause: error },
      );
    }
    throw error;
  }
}
