import { EliteError } from '../internal/errors.js';
import type { ClientLike, SupabaseClientLike } from './supabase-client.js';
import { supabaseEventWriter } from './supabase-events.js';
import { supabaseFlags } from './supabase-flags.js';
import { querySupabaseMetricStats, querySupabaseResults } from './supabase-results.js';
import type { StorageAdapter } from './types.js';

export type { FilterBuilderLike, PostgrestErrorLike, PostgrestResponseLike, SupabaseClientLike } from './supabase-client.js';

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

/**
 * A store on Supabase through `@supabase/supabase-js` v2 (PostgREST): flags through the table API
 * (`feature_flags`, optimistic concurrency on `version` with a filtered update), events by insert
 * without reading rows back (row-level security lets browser keys insert but not read), results
 * through `rpc('get_ab_test_results')` and `rpc('get_metric_stats')`. Apply the migrations first (Supabase CLI or `migrate()`).
 *
 * No push invalidation: the adapter does not use Supabase Realtime, so clients see a change when
 * their cache TTL (`cacheTtlMs`, default 60 s) runs out. On Node 20, supabase-js needs a WebSocket
 * implementation even when Realtime is unused: create the client with `realtime: { transport: ws }`.
 *
 * Its parts: supabase-flags.ts (flag reads and versioned writes), supabase-events.ts (event inserts,
 * insert-only keys and refused batches), supabase-results.ts, supabase-errors.ts (redacted errors).
 *
 * @example
 * import { createClient } from '@supabase/supabase-js';
 * import ws from 'ws';
 * const supabase = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_SERVICE_ROLE_KEY, {
 *   auth: { persistSession: false },
 *   realtime: { transport: ws as never }, // Node 20 has no global WebSocket; ws types its events apart from the DOM
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
  return {
    metadata: { name: 'supabase' },
    ...supabaseFlags(client, maxWriteAttempts),
    appendEvents: supabaseEventWriter(client),
    queryResults: (query) => querySupabaseResults(client, query),
    queryMetricStats: (query) => querySupabaseMetricStats(client, query),
  };
}
