import { isPool, type Queryable } from './postgres-session.js';

/**
 * `COPY … FROM STDIN` of text held in memory, through node-postgres. node-postgres runs a COPY
 * only as a "submittable" (an object handed to `client.query()` that drives the protocol itself);
 * the whole text goes as one CopyData message, then CopyDone. Streaming libraries (pg-copy-streams)
 * add a Writable stream, which one buffer does not need.
 *
 * Protocol (PostgreSQL "COPY Operations"): the query → CopyInResponse → CopyData… CopyDone →
 * CommandComplete → ReadyForQuery; a refused row ends it with ErrorResponse → ReadyForQuery, the
 * whole COPY rolled back, and the connection ready for the next statement.
 */

/** What a node-postgres client exposes of its protocol connection to a submittable. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** A node-postgres `Client` (or a client checked out of a `Pool`): runs submittables. */
interface CopyClient {
  connection: CopyConnection;
  query(submittable: object): unknown;
  on?: (event: 'error', listener: (error: Error) => void) => unknown;
  removeListener?: (event: 'error', listener: (error: Error) => void) => unknown;
}

const isCopyClient = (db: unknown): db is CopyClient => {
  const connection = (db as { connection?: Partial<CopyConnection> } | null)?.connection;
  return typeof connection?.sendCopyFromChunk === 'function' && typeof connection.endCopyFrom === 'function';
};

/**
 * True for an error the server sent (an ErrorResponse: node-postgres gives it the severity and
 * SQLSTATE), after which the connection is ready again; not for a socket's error (`EPIPE`…).
 */
const fromServer = (error: unknown): boolean => {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string';
};

/**
 * Runs one `COPY … FROM STDIN` on `client`, sending `data`; resolves once the server is done.
 * Under node-postgres's `query_timeout` it rejects when the time is up (the caller then closes
 * the connection, whose COPY is still open).
 */
function copyIn(client: CopyClient, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const copy = {
      submit(connection: CopyConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: CopyConnection) {
        connection.sendCopyFromChunk(data);
        connection.endCopyFrom();
      },
      handleCommandComplete() {},
      handleReadyForQuery() {
        copy.callback();
        resolve();
      },
      // An ErrorResponse (the COPY was rolled back), the connection failing, or query_timeout.
      handleError(error: unknown) {
        copy.callback();
        reject(error);
      },
      // Under query_timeout node-postgres replaces it with one that also stops its timer: called
      // when the COPY ends either way.
      callback(_error?: unknown) {},
    };
    client.query(copy);
  });
}

/**
 * Writes the text `makeText()` returns (COPY's text format) with `sql` (a `COPY … FROM STDIN`)
 * through `db`: a pg.Pool (one client checked out, as `pool.query` does) or a pg.Client. Resolves
 * false, having made and sent nothing, when `db` cannot run a COPY (another `Queryable`, or pg's
 * native bindings): the caller writes the rows another way. Rejects with the server's error as
 * `pool.query` would.
 */
export async function copyFromText(db: Queryable, sql: string, makeText: () => string): Promise<boolean> {
  if (!isPool(db)) {
    if (!isCopyClient(db)) return false;
    await copyIn(db, sql, Buffer.from(makeText(), 'utf8'));
    return true;
  }
  const client = await db.connect();
  if (!isCopyClient(client)) {
    client.release();
    return false;
  }
  // A checked-out client has no 'error' listener of the pool's: a connection lost mid-COPY would
  // throw from the emitter. The COPY's own handleError reports it (as pool.query does).
  const ignore = () => {};
  client.on?.('error', ignore);
  try {
    await copyIn(client, sql, Buffer.from(makeText(), 'utf8'));
  } catch (error) {
    // A refusal by the server leaves the connection ready; anything else, closed.
    client.release(fromServer(error) ? undefined : error instanceof Error ? error : true);
    throw error;
  } finally {
    client.removeListener?.('error', ignore);
  }
  client.release();
  return true;
}

const ESCAPED = /[\\\t\n\r]/;
const ESCAPED_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One column of COPY's text format: `\N` for null or undefined; otherwise the text with the
 * backslash, tab, newline and carriage return escaped (so no value can end a column, a row or the
 * data, `\.`).
 */
export const copyText = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return '\\N';
  const s = String(value);
  return ESCAPED.test(s) ? s.replace(ESCAPED_ALL, (c) => ESCAPES[c] as string) : s;
};
