import { EliteError } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';

/** The few `pg` query results we read. */
export interface QueryResultLike<R> {
  /** The rows returned (by a select, or a write with `returning`). */
  rows: R[];
  /** Rows the statement affected; null for statements that report none. */
  rowCount: number | null;
}

/** A `pg` client or pool, typed by the methods we call (so `pg` stays an optional peer). */
export interface Queryable {
  /** Runs one statement with `$1`, `$2`… bound to `values` (never interpolated into the text). */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResultLike<R>>;
}

/** A connection checked out of a `pg.Pool`. */
export interface PoolClientLike extends Queryable {
  /** Returns the connection to the pool; with an error (or `true`), closes it instead. */
  release(destroy?: Error | boolean): void;
}

/** A `pg.Pool`, typed by what a dedicated connection needs. */
export interface PoolLike extends Queryable {
  connect(): Promise<PoolClientLike>;
  idleCount: number;
}

/** True for a `pg.Pool` (whose `connect()` checks out a connection), false for a `pg.Client`. */
export const isPool = (db: Queryable): db is PoolLike =>
  typeof (db as Partial<PoolLike>).connect === 'function' && typeof (db as Partial<PoolLike>).idleCount === 'number';

/**
 * Runs `work` on ONE connection: checked out of a pool (waiting at most `waitMs` for a free one,
 * else rejecting with `onBusy()`), or the given client as is. Statements of a transaction must
 * share a connection: `pool.query` may send each to another one. A pooled connection whose work
 * failed is closed rather than returned: it may be mid-transaction, or its state unknown.
 */
export async function withConnection<T>(
  db: Queryable,
  work: (connection: Queryable) => Promise<T>,
  options: { waitMs: number; onBusy: () => Error },
): Promise<T> {
  if (!isPool(db)) return work(db);
  const checkout = db.connect();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connection = await Promise.race([
    checkout,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The checkout still resolves later: give that connection straight back.
        checkout.then(
          (late) => late.release(),
          () => {},
        );
        reject(options.onBusy());
      }, options.waitMs);
    }),
  ]).finally(() => clearTimeout(timer));
  let failed = false;
  try {
    return await work(connection);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    connection.release(failed ? true : undefined);
  }
}

/** An `EliteError` for a failed storage call, its message free of credentials. */
export function storageError(what: string, cause: unknown): EliteError {
  const message = cause instanceof Error ? cause.message : 'unknown error';
  return new EliteError('STORAGE_ERROR', `elite/postgres: ${what} failed: ${redactSecrets(message)}`, { cause });
}
