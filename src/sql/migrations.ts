import schema from '../../supabase/migrations/20261204000001_schema.sql';
import rollup from '../../supabase/migrations/20261204000002_rollup.sql';
import results from '../../supabase/migrations/20261204000003_results.sql';
import security from '../../supabase/migrations/20261204000004_security.sql';
import history from '../../supabase/migrations/20261204000005_history.sql';
import timelines from '../../supabase/migrations/20261210000005_timelines.sql';
import windowedResults from '../../supabase/migrations/20261210000006_windowed_results.sql';
import retention from '../../supabase/migrations/20261210000007_retention.sql';
import windowRows from '../../supabase/migrations/20261210000008_window_rows.sql';
import partitions from '../../supabase/migrations/20261210000009_partitions.sql';
import windowReads from '../../supabase/migrations/20261210000010_window_reads.sql';
import narrowRows from '../../supabase/migrations/20261210000011_narrow_rows.sql';
import narrowReads from '../../supabase/migrations/20261210000012_narrow_reads.sql';
import metricSums from '../../supabase/migrations/20261210000013_metric_sums.sql';
import parallelReads from '../../supabase/migrations/20261210000014_parallel_reads.sql';
import pendingBatches from '../../supabase/migrations/20261210000015_pending_batches.sql';
import browserChecks from '../../supabase/migrations/20261210000016_browser_checks.sql';
import sharedQuantities from '../../supabase/migrations/20261210000017_shared_quantities.sql';
import windowEnds from '../../supabase/migrations/20261210000018_window_ends.sql';

/**
 * SQL migrations, shipped with the package and applied by `migrate()`. The text is imported
 * from `supabase/migrations/` (the Supabase CLI layout) at build time: one source for both.
 * Every object is defined once, in its final form; each file is idempotent on its own.
 */
export interface Migration {
  /** `<YYYYMMDDHHMMSS>_<name>`, the Supabase CLI file name without `.sql`; applied in this order. */
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '20261204000001_schema', sql: schema },
  { name: '20261204000002_rollup', sql: rollup },
  { name: '20261204000003_results', sql: results },
  { name: '20261204000004_security', sql: security },
  { name: '20261204000005_history', sql: history },
  { name: '20261210000005_timelines', sql: timelines },
  { name: '20261210000006_windowed_results', sql: windowedResults },
  { name: '20261210000007_retention', sql: retention },
  { name: '20261210000008_window_rows', sql: windowRows },
  { name: '20261210000009_partitions', sql: partitions },
  { name: '20261210000010_window_reads', sql: windowReads },
  { name: '20261210000011_narrow_rows', sql: narrowRows },
  { name: '20261210000012_narrow_reads', sql: narrowReads },
  { name: '20261210000013_metric_sums', sql: metricSums },
  { name: '20261210000014_parallel_reads', sql: parallelReads },
  { name: '20261210000015_pending_batches', sql: pendingBatches },
  { name: '20261210000016_browser_checks', sql: browserChecks },
  { name: '20261210000017_shared_quantities', sql: sharedQuantities },
  { name: '20261210000018_window_ends', sql: windowEnds },
];
