import type { VariantMetricStats } from '../experiments/metric-stats.js';
import { planMetricStats } from './metric-query.js';
import { type MetricStatsRow, toSqlMetrics, toVariantMetricStats } from './metric-stats-rows.js';
import { type ResultRow, toVariantAggregate } from './sql-rows.js';
import type { ClientLike } from './supabase-client.js';
import { supabaseFailure } from './supabase-errors.js';
import type { MetricStatsQuery, ResultsQuery, VariantAggregate } from './types.js';

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

/**
 * Per-variant sufficient statistics of each metric through `rpc('get_metric_stats')`: every sum is
 * computed in the database, one row per variant and metric comes back.
 */
export async function querySupabaseMetricStats(client: ClientLike, query: MetricStatsQuery): Promise<VariantMetricStats[]> {
  const plan = planMetricStats('supabase', query);
  const { data, error } = await client.rpc('get_metric_stats', {
    p_flag_key: query.flagKey,
    p_environment: query.environment,
    p_metrics: toSqlMetrics(plan),
    p_since: query.since ?? null,
    p_until: query.until ?? null,
  });
  if (error) throw supabaseFailure('reading metric statistics', error);
  return toVariantMetricStats(plan, data as MetricStatsRow[]);
}
