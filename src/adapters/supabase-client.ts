// supabase-js v2 typed structurally, by the few methods the adapter calls, so that
// @supabase/supabase-js stays an optional peer dependency.

/** A PostgREST error as supabase-js hands it over (`{ code, details, hint, message }`). */
export interface PostgrestErrorLike {
  /** What went wrong, in PostgreSQL's or PostgREST's words. */
  message: string;
  /** The SQLSTATE (`23505`) or PostgREST code (`PGRST116`), when there is one. */
  code?: string;
  /** More about the error, e.g. the conflicting key. */
  details?: string | null;
  /** A suggested fix, when PostgreSQL gives one. */
  hint?: string | null;
}

/** What awaiting a supabase-js query gives. */
export interface PostgrestResponseLike<T> {
  /** The rows (or the function's result); null when the request failed. */
  data: T | null;
  /** Why the request failed; null when it succeeded. */
  error: PostgrestErrorLike | null;
}

/** The filter builder of supabase-js, typed by the methods the adapter calls. */
export interface FilterBuilderLike<T> extends PromiseLike<PostgrestResponseLike<T>> {
  /** Keeps rows whose `column` equals `value`. */
  eq(column: string, value: string | number): FilterBuilderLike<T>;
  /** Sorts the rows by `column`. */
  order(column: string, options?: { ascending?: boolean }): FilterBuilderLike<T>;
  /** Returns at most `count` rows. */
  limit(count: number): FilterBuilderLike<T>;
  /** Returns these columns (of the rows written, after an insert, update or delete). */
  select(columns?: string): FilterBuilderLike<T>;
}

/** `client.from(table)` as the adapter uses it. */
export interface QueryBuilderLike {
  /** Reads rows. */
  select(columns?: string): FilterBuilderLike<unknown>;
  /** Inserts rows. */
  insert(values: object | object[]): FilterBuilderLike<unknown>;
  /** Inserts rows; with `ignoreDuplicates`, rows that conflict on `onConflict` are skipped. */
  upsert(values: object[], options: { onConflict: string; ignoreDuplicates: boolean }): FilterBuilderLike<unknown>;
  /** Updates the rows a filter selects. */
  update(values: object): FilterBuilderLike<unknown>;
  /** Deletes the rows a filter selects. */
  delete(): FilterBuilderLike<unknown>;
}

/** The client as the adapter's parts use it: precise types over {@link SupabaseClientLike}'s open ones. */
export interface ClientLike {
  /** The query builder of a table. */
  from(table: string): QueryBuilderLike;
  /** Calls a SQL function with named arguments. */
  rpc(fn: string, args?: object): PromiseLike<PostgrestResponseLike<unknown>>;
}

/**
 * A `SupabaseClient` of `@supabase/supabase-js` v2, typed structurally by the methods the adapter
 * calls (`from(table)` with `select`/`insert`/`update`/`delete`, and `rpc`), so supabase-js stays an
 * optional peer dependency. Parameter and result types are left open on purpose: supabase-js's
 * generic builders are too deep for TypeScript to compare with a structural type.
 */
export interface SupabaseClientLike {
  /** The query builder of a table (`feature_flags`, `feature_flag_events`). */
  from(table: string): {
    /** Reads rows. */
    select(...args: never[]): unknown;
    /** Inserts rows. */
    insert(...args: never[]): unknown;
    /** Inserts rows, skipping or merging those that conflict. */
    upsert(...args: never[]): unknown;
    /** Updates the rows a filter selects. */
    update(...args: never[]): unknown;
    /** Deletes the rows a filter selects. */
    delete(...args: never[]): unknown;
  };
  /** Calls a SQL function (`get_ab_test_results`). */
  rpc(fn: string, ...args: never[]): unknown;
}
