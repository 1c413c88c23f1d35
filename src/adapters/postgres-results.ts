import type { VariantMetricStats } from '../experiments/metric-stats.js';
import { planMetricStats } from './metric-query.js';
import { type MetricStatsRow, toSqlMetrics, toVariantMetricStats } from './metric-stats-rows.js';
import { type Queryable, storageError } from './postgres-session.js';
import { type ResultRow, toVariantAggregate } from './sql-rows.js';
import type { MetricStatsQuery, ResultsQuery, VariantAggregate } from './types.js';

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

/**
 * Per-variant sufficient statistics of each metric from the `get_metric_stats` SQL function: every
 * sum is computed in the database, one row per variant and metric comes back.
 */
export async function queryPostgresMetricStats(pool: Queryable, query: MetricStatsQuery): Promise<VariantMetricStats[]> {
  const plan = planMetricStats('postgres', query);
  let rows: MetricStatsRow[];
  try {
    ({ rows } = await pool.query<MetricStatsRow>('select * from get_metric_stats($1, $2, $3::jsonb, $4, $5)', [
      query.flagKey,
      query.environment,
      JSON.stringify(toSqlMetrics(plan)),
      query.since ?? null,
      query.until ?? null,
    ]));
  } catch (error) {
    throw storageError('reading metric statistics', error);
  }
  return toVariantMetricStats(plan, rows);
}
