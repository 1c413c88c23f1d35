import { validateFlag } from '../flags/model.js';
import type { FlagDefinition, StoredFlag } from '../flags/types.js';
import { EliteError, isEliteError, messageOf } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';
import { assertStorableEvents, eventIdOf, isContentRejection } from './event-checks.js';
import type { FlagEvent, ResultsQuery, StorageAdapter, VariantAggregate, WriteOptions } from './types.js';

/** A PostgREST error as supabase-js hands it over (`{ code, details, hint, message }`). */
export interface PostgrestErrorLike {
  message: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/** What awaiting a supabase-js query gives. */
export interface PostgrestResponseLike<T> {
  data: T | null;
  error: PostgrestErrorLike | null;
}

/** The filter builder of supabase-js, typed by the methods the adapter calls. */
export interface FilterBuilderLike<T> extends PromiseLike<PostgrestResponseLike<T>> {
  eq(column: string, value: string | number): FilterBuilderLike<T>;
  order(column: string, options?: { ascending?: boolean }): FilterBuilderLike<T>;
  select(columns?: string): FilterBuilderLike<T>;
}

/** `client.from(table)` as the adapter uses it. */
interface QueryBuilderLike {
  select(columns?: string): FilterBuilderLike<unknown>;
  insert(values: object | object[]): FilterBuilderLike<unknown>;
  upsert(values: object[], options: { onConflict: string; ignoreDuplicates: boolean }): FilterBuilderLike<unknown>;
  update(values: object): FilterBuilderLike<unknown>;
  delete(): FilterBuilderLike<unknown>;
}

/** The client as the adapter uses it. */
interface ClientLike {
  from(table: string): QueryBuilderLike;
  rpc(fn: string, args?: object): PromiseLike<PostgrestResponseLike<unknown>>;
}

/**
 * A `SupabaseClient` of `@supabase/supabase-js` v2, typed structurally by the methods the adapter
 * calls (`from(table)` with `select`/`insert`/`update`/`delete`, and `rpc`), so supabase-js stays an
 * optional peer dependency. Parameter and result types are left open on purpose: supabase-js's
 * generic builders are too deep for TypeScript to compare with a structural type.
 */
export interface SupabaseClientLike {
  from(table: string): {
    select(...args: never[]): unknown;
    insert(...args: never[]): unknown;
    upsert(...args: never[]): unknown;
    update(...args: never[]): unknown;
    delete(...args: never[]): unknown;
  };
  rpc(fn: string, ...args: never[]): unknown;
}

/** Options of {@link createSupabaseStorage}. */
export interface SupabaseStorageOptions {
  /**
   * A supabase-js v2 client. On a server, made with the **service_role** key (flags, results and
   * events); a client made with the anon key can only `appendEvents` (row-level security).
   */
  client: SupabaseClientLike;
  /**
   * Attempts of an unconditional `writeFlag` (read the version, then write it if unchanged) before
   * giving up with `VERSION_CONFLICT` under a storm of concurrent writers. Default 5.
   */
  maxWriteAttempts?: number;
}

const FLAGS = 'feature_flags';
const EVENTS = 'feature_flag_events';
const COLUMNS = 'definition,version,updated_at';

type FlagRow = { definition: FlagDefinition; version: number; updated_at: string };
type ResultRow = { variant: string; exposures: number; conversions: number; value_sum: number; conversion_events: number };

const toStored = (row: FlagRow): StoredFlag => ({
  ...row.definition,
  version: row.version,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * The PostgREST error with every text field passed through `redactSecrets`: a fetch failure
 * quotes the request URL, which may carry credentials (`https://user:password@…`, `?apikey=…`).
 */
const redacted = (error: PostgrestErrorLike): PostgrestErrorLike => ({
  ...error,
  message: redactSecrets(String(error.message ?? '')),
  ...(typeof error.details === 'string' ? { details: redactSecrets(error.details) } : {}),
  ...(typeof error.hint === 'string' ? { hint: redactSecrets(error.hint) } : {}),
});

function failed(what: string, error: PostgrestErrorLike): EliteError {
  const safe = redacted(error);
  const code = safe.code ? ` (${safe.code})` : '';
  return new EliteError('STORAGE_ERROR', `elite/supabase: ${what} failed: ${safe.message}${code}`, { cause: safe });
}

function conflict(key: string, environment: string, found: number, expected: number): EliteError {
  return new EliteError(
    'VERSION_CONFLICT',
    `elite/flags: flag "${key}" (${environment}) is at version ${found}, expected ${expected}; read it again and retry`,
  );
}

/** PostgreSQL's unique_violation: another writer inserted the same (key, environment) first. */
const UNIQUE_VIOLATION = '23505';
/** PostgreSQL's insufficient_privilege, also raised when a row fails a row-level security policy. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** A unique violation of the events' idempotency key: the event is stored already. */
const isStoredCopy = (error: PostgrestErrorLike): boolean =>
  error.code === UNIQUE_VIOLATION && `${error.message} ${error.details ?? ''}`.includes('event_id');

type EventRow = Record<string, unknown>;

/**
 * A store on Supabase through `@supabase/supabase-js` v2 (PostgREST): flags through the table API
 * (`feature_flags`, optimistic concurrency on `version` with a filtered update), events by insert
 * without reading rows back (row-level security lets browser keys insert but not read), results
 * through `rpc('get_ab_test_results')`. Apply the migrations first (Supabase CLI or `migrate()`).
 *
 * No push invalidation: the adapter does not use Supabase Realtime, so clients see a change when
 * their cache TTL (`cacheTtlMs`, default 60 s) runs out. On Node 20, supabase-js needs a WebSocket
 * implementation even when Realtime is unused: create the client with `realtime: { transport: ws }`.
 *
 * @example
 * import { createClient } from '@supabase/supabase-js';
 * import ws from 'ws';
 * const supabase = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_SERVICE_ROLE_KEY, {
 *   auth: { persistSession: false },
 *   realtime: { transport: ws }, // Node 20 has no global WebSocket
 * });
 * const storage = createSupabaseStorage({ client: supabase });
 */
export function createSupabaseStorage(options: SupabaseStorageOptions): StorageAdapter {
  if (typeof options?.client?.from !== 'function' || typeof options.client.rpc !== 'function') {
    throw new EliteError(
      'INVALID_OPTIONS',
      "elite/supabase: client must be a supabase-js v2 client, e.g. createClient(url, serviceRoleKey) from '@supabase/supabase-js'",
      { field: 'client' },
    );
  }
  const client = options.client as unknown as ClientLike;
  const maxWriteAttempts = options.maxWriteAttempts ?? 5;
  if (!Number.isInteger(maxWriteAttempts) || maxWriteAttempts < 1) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/supabase: maxWriteAttempts must be a positive integer, got ${String(maxWriteAttempts)}`,
      {
        field: 'maxWriteAttempts',
      },
    );
  }

  const currentVersion = async (key: string, environment: string): Promise<number> => {
    const { data, error } = await client.from(FLAGS).select('version').eq('key', key).eq('environment', environment);
    if (error) throw failed('reading a flag version', error);
    return (data as { version: number }[])[0]?.version ?? 0;
  };

  /** Inserts at version 1; undefined when the flag exists already. */
  const insertFirst = async (row: object): Promise<FlagRow | undefined> => {
    const { data, error } = await client
      .from(FLAGS)
      .insert({ ...row, version: 1 })
      .select(COLUMNS);
    if (error?.code === UNIQUE_VIOLATION) return undefined;
    if (error) throw failed('inserting a flag', error);
    return (data as FlagRow[])[0];
  };

  /** Writes version `expected + 1` if the stored one is still `expected`. */
  const updateAt = async (row: { key: string; environment: string }, expected: number): Promise<FlagRow | undefined> => {
    const { data, error } = await client
      .from(FLAGS)
      .update({ ...row, version: expected + 1 })
      .eq('key', row.key)
      .eq('environment', row.environment)
      .eq('version', expected)
      .select(COLUMNS);
    if (error) throw failed('updating a flag', error);
    return (data as FlagRow[])[0];
  };

  // Keys that may insert events but not read them (anon, authenticated): ON CONFLICT needs SELECT
  // on event_id and a row-level security SELECT policy the new row passes, which such keys may
  // lack. Once refused, this adapter sends plain inserts and resolves copies itself.
  let insertOnly = false;

  /** Stores rows, skipping the ones whose event_id is stored already; the error otherwise. */
  const insertEvents = async (rows: EventRow[]): Promise<PostgrestErrorLike | null> => {
    if (!insertOnly) {
      const { error } = await client.from(EVENTS).upsert(rows, { onConflict: 'event_id', ignoreDuplicates: true });
      if (error?.code !== INSUFFICIENT_PRIVILEGE) return error;
      insertOnly = true;
    }
    return insertSkippingStored(rows);
  };

  /**
   * A plain insert is refused whole when one event of it is stored already (unique violation of
   * event_id): then halves are sent, down to the copies, which are dropped. That costs extra
   * requests only for a retried batch; the rest of the time it is one request.
   */
  const insertSkippingStored = async (rows: EventRow[]): Promise<PostgrestErrorLike | null> => {
    const { error } = await client.from(EVENTS).insert(rows);
    if (!error || !isStoredCopy(error)) return error;
    if (rows.length === 1) return null;
    const half = Math.ceil(rows.length / 2);
    return (await insertSkippingStored(rows.slice(0, half))) ?? insertSkippingStored(rows.slice(half));
  };

  return {
    metadata: { name: 'supabase' },
    async getFlag(key, environment) {
      const { data, error } = await client.from(FLAGS).select(COLUMNS).eq('key', key).eq('environment', environment);
      if (error) throw failed('reading a flag', error);
      const row = (data as FlagRow[])[0];
      return row ? toStored(row) : undefined;
    },
    async listFlags(environment) {
      const { data, error } = await client.from(FLAGS).select(COLUMNS).eq('environment', environment).order('key', { ascending: true });
      if (error) throw failed('listing flags', error);
      return (data as FlagRow[]).map(toStored);
    },
    async writeFlag(flag, writeOptions: WriteOptions = {}) {
      validateFlag(flag); // INVALID_FLAG before anything is written
      const { version: _v, updatedAt: _u, ...definition } = flag;
      // updated_at is stamped by the database (trigger feature_flags_touch).
      const row = {
        key: flag.key,
        environment: flag.environment,
        definition,
        enabled: flag.enabled,
        updated_by: writeOptions.updatedBy ?? null,
      };
      const expected = writeOptions.expectedVersion;
      if (expected === 0) {
        const written = await insertFirst(row);
        if (!written) throw conflict(flag.key, flag.environment, await currentVersion(flag.key, flag.environment), 0);
        return toStored(written);
      }
      if (expected !== undefined) {
        const written = await updateAt(row, expected);
        if (!written) throw conflict(flag.key, flag.environment, await currentVersion(flag.key, flag.environment), expected);
        return toStored(written);
      }
      // Unconditional: the table API has no `version = version + 1`, so read the version and
      // write it conditionally, again when another writer got in between.
      for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
        const current = await currentVersion(flag.key, flag.environment);
        const written = current === 0 ? await insertFirst(row) : await updateAt(row, current);
        if (written) return toStored(written);
      }
      throw new EliteError(
        'VERSION_CONFLICT',
        `elite/flags: flag "${flag.key}" (${flag.environment}) kept changing during ${maxWriteAttempts} attempts to write it; retry later`,
      );
    },
    async writeFlags(list, writeOptions = {}) {
      for (const flag of list) validateFlag(flag); // all valid, or nothing is written
      // PostgREST runs each request in its own transaction and its upsert cannot raise a version
      // by one, so the flags are written one by one: not atomic. A failure names what was written.
      const stored: StoredFlag[] = [];
      for (const flag of list) {
        try {
          stored.push(await this.writeFlag(flag, { updatedBy: writeOptions.updatedBy }));
        } catch (error) {
          if (stored.length === 0) throw error;
          const written = stored.map((f) => f.key).join(', ');
          throw new EliteError(
            isEliteError(error) ? error.code : 'STORAGE_ERROR',
            `elite/supabase: writeFlags() wrote ${stored.length} of ${list.length} flags (${written}) before "${flag.key}" failed: ${messageOf(error)}; Supabase cannot write them in one transaction, so write the rest again`,
            { cause: error },
          );
        }
      }
      return stored;
    },
    async deleteFlag(key, environment, deleteOptions = {}) {
      const expected = deleteOptions.expectedVersion;
      let request = client.from(FLAGS).delete().eq('key', key).eq('environment', environment);
      if (expected !== undefined) request = request.eq('version', expected);
      const { data, error } = await request.select('version');
      if (error) throw failed('deleting a flag', error);
      if ((data as unknown[]).length > 0) return true;
      if (expected !== undefined) {
        const current = await currentVersion(key, environment);
        if (current !== expected) throw conflict(key, environment, current, expected);
      }
      return false;
    },
    async appendEvents(events: readonly FlagEvent[]) {
      if (events.length === 0) return;
      assertStorableEvents('supabase', events);
      // One request, one INSERT … ON CONFLICT (event_id) DO NOTHING: the batch is stored whole or
      // not at all, and a copy of an event already stored (a retried batch) is skipped. No
      // `.select()`: row-level security lets browser keys insert events but not read them back.
      const rows = events.map((e) => ({
        event_id: eventIdOf(e),
        flag_key: e.flagKey ?? null,
        environment: e.environment,
        variant: e.variant ?? null,
        user_id: e.userId,
        event_type: e.type,
        event_name: e.eventName ?? null,
        value: e.value ?? null,
        properties: e.properties ?? null,
        occurred_at: e.occurredAt,
      }));
      const error = await insertEvents(rows);
      if (!error) return;
      if (isContentRejection(error.code)) {
        const safe = redacted(error);
        throw new EliteError(
          'INVALID_EVENT',
          `elite/supabase: the store refused the event batch for its content (${safe.code}): ${safe.message}`,
          { cause: safe },
        );
      }
      throw failed('appending events', error);
    },
    async queryResults(query: ResultsQuery): Promise<VariantAggregate[]> {
      const { data, error } = await client.rpc('get_ab_test_results', {
        p_flag_key: query.flagKey,
        p_environment: query.environment,
        p_event_name: query.eventName ?? null,
        p_since: query.since ?? null,
        p_until: query.until ?? null,
      });
      if (error) throw failed('reading results', error);
      return (data as ResultRow[]).map((r) => ({
        variant: r.variant,
        exposures: Number(r.exposures),
        conversions: Number(r.conversions),
        valueSum: Number(r.value_sum),
        conversionEvents: Number(r.conversion_events),
      }));
    },
  };
}
