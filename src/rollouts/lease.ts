/**
 * Leases: of two controllers on one flag, only the holder acts; the other holds and reports why.
 * In one process, `createMemoryLease` (a process-wide table of names); across processes on
 * PostgreSQL, `createPostgresLease`: a session-level advisory lock held on one pooled connection
 * for the controller's life. PostgreSQL releases it when that connection ends, so a crashed
 * controller frees the flag at once, with no expiry to wait for.
 */
import { EliteError } from '../internal/errors.js';

/** A lease on one name (a flag and environment). */
export interface RolloutLease {
  /** True when this lease holds the name (taken now, or still held); false when another holder has it. May reject: the controller then holds. */
  acquire(): Promise<boolean>;
  /** Gives the name up, if held. Never rejects. */
  release(): Promise<void>;
}

/** The name a plan's lease takes: one per flag and environment. */
export const leaseName = (flagKey: string, environment: string): string => `rollout:${environment}:${flagKey}`;

const holders = new Map<string, symbol>();

/** An in-process lease: of the leases created on one name in a process, one holds it at a time. */
export function createMemoryLease(name: string): RolloutLease {
  const me = Symbol(name);
  return {
    async acquire() {
      const holder = holders.get(name);
      if (holder === undefined) holders.set(name, me);
      return holders.get(name) === me;
    },
    async release() {
      if (holders.get(name) === me) holders.delete(name);
    },
  };
}

/** What a statement of the lease answers. */
export interface LeaseQueryResult {
  /** The rows returned. */
  rows: Record<string, unknown>[];
}

/** The part of a `pg` client the lease uses. */
export interface LeaseClient {
  /** Runs one statement. */
  query(text: string, values?: unknown[]): Promise<LeaseQueryResult>;
  /** Returns the connection to its pool (`true`: close it). */
  release(destroy?: boolean | Error): void;
  /** Listens for the connection's errors. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a `pg.Pool` the lease uses. */
export interface LeasePool {
  /** Checks out one connection. */
  connect(): Promise<LeaseClient>;
}

/** Options of {@link createPostgresLease}. */
export interface PostgresLeaseOptions {
  /** A `pg.Pool` (or anything with `connect()` returning a client). One of its connections is kept while the lease is held. */
  pool: LeasePool;
  /** What is leased, e.g. `leaseName(flagKey, environment)`. */
  name: string;
}

/** First key of the advisory lock ('elro'); the second is `hashtext(name)`. */
const LOCK_CLASS = 0x656c726f;

/** A lease across processes: a PostgreSQL session-level advisory lock. Throws `INVALID_OPTIONS` without a pool. */
export function createPostgresLease(options: PostgresLeaseOptions): RolloutLease {
  if (typeof options?.pool?.connect !== 'function')
    throw new EliteError('INVALID_OPTIONS', 'elite/rollouts: createPostgresLease needs { pool } (a pg.Pool)', { field: 'pool' });
  if (typeof options.name !== 'string' || options.name === '')
    throw new EliteError('INVALID_OPTIONS', 'elite/rollouts: createPostgresLease needs a name, e.g. leaseName(flagKey, environment)', {
      field: 'name',
    });
  const { pool, name } = options;
  let client: LeaseClient | undefined;
  let lost = false;
  const drop = (destroy: boolean) => {
    client?.release(destroy);
    client = undefined;
    lost = false;
  };
  return {
    async acquire() {
      if (client !== undefined && !lost) return true;
      if (client !== undefined) drop(true);
      const next = await pool.connect();
      next.on('error', () => {
        lost = true;
      });
      try {
        const { rows } = await next.query('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LOCK_CLASS, name]);
        if (rows[0]?.ok !== true) {
          next.release();
          return false;
        }
      } catch (error) {
        next.release(true);
        throw error;
      }
      client = next;
      return true;
    },
    async release() {
      if (client === undefined) return;
      const held = client;
      try {
        if (!lost) await held.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, name]);
        drop(false);
      } catch {
        // Closing the connection ends the session, which frees the lock.
        drop(true);
      }
    },
  };
}
