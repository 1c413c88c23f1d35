import featureFlags from '../../supabase/migrations/20261127000001_feature_flags.sql';
import resultsRollup from '../../supabase/migrations/20261127000002_results_rollup.sql';
import rls from '../../supabase/migrations/20261127000003_rls.sql';
import windowedResults from '../../supabase/migrations/20261127000004_windowed_results.sql';

/**
 * SQL migrations, shipped with the package and applied by `migrate()`. The text is imported
 * from `supabase/migrations/` (the Supabase CLI layout) at build time: one source for both.
 */
export interface Migration {
  /** `<YYYYMMDDHHMMSS>_<name>`, the Supabase CLI file name without `.sql`; applied in this order. */
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '20261127000001_feature_flags', sql: featureFlags },
  { name: '20261127000002_results_rollup', sql: resultsRollup },
  { name: '20261127000003_rls', sql: rls },
  { name: '20261127000004_windowed_results', sql: windowedResults },
];
