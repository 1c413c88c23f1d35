// supabase-js v2 typed structurally, by the few methods the adapter calls, so that
// @supabase/supabase-js stays an optional peer dependency.

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
export interface QueryBuilderLike {
  select(columns?: string): FilterBuilderLike<unknown>;
  insert(values: object | object[]): FilterBuilderLike<unknown>;
  upsert(values: object[], options: { onConflict: string; ignoreDuplicates: boolean }): FilterBuilderLike<unknown>;
  update(values: object): FilterBuilderLike<unknown>;
  delete(): FilterBuilderLike<unknown>;
}

/** The client as the adapter's parts use it: precise types over {@link SupabaseClientLike}'s open ones. */
export interface ClientLike {
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
