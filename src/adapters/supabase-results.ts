import { type ResultRow, toVariantAggregate } from './sql-rows.js';
import type { ClientLike } from './supabase-client.js';
import { supabaseFailure } from './supabase-errors.js';
import type { ResultsQuery, VariantAggregate } from './types.js';

/**
 * Per-variant aggregates of one flag through `rpc('get_ab_test_results')`, the SQL function that
 * applies the attribution rules every store follows inside the database.
 */
export async function querySupabaseResults(client: ClientLike, query: ResultsQuery): Promise<VariantAggregate[]> {
  const { data, error } = await client.rpc('get_ab_test_results', {
    p_flag_key: query.flagKey,
    p_environment: query.environment,
    p_event_name: query.eventName ?? null,
    p_since: query.since ?? null,
    p_until: query.until ?? null,
  });
  if (error) throw supabaseFailure('reading results', error);
  return (data as ResultRow[]).map(toVariantAggregate);
}
