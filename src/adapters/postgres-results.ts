import type { Queryable } from './postgres-session.js';
import { type ResultRow, toVariantAggregate } from './sql-rows.js';
import type { ResultsQuery, VariantAggregate } from './types.js';

/**
 * Per-variant aggregates of one flag from the `get_ab_test_results` SQL function, which applies
 * the attribution rules every store follows (first exposure decides the variant; conversions count
 * after it, once per user) inside the database.
 */
export async function queryPostgresResults(pool: Queryable, query: ResultsQuery): Promise<VariantAggregate[]> {
  const { rows } = await pool.query<ResultRow>('select * from get_ab_test_results($1, $2, $3, $4, $5)', [
    query.flagKey,
    query.environment,
    query.eventName ?? null,
    query.since ?? null,
    query.until ?? null,
  ]);
  return rows.map(toVariantAggregate);
}
