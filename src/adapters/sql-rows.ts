import type { FlagDefinition, StoredFlag } from '../definitions/index.js';
import type { VariantAggregate } from './types.js';

// The rows the SQL stores read back (PostgreSQL through pg, Supabase through PostgREST): the same
// tables and results function (src/sql/migrations), so the same mapping to the SDK's types.

/** A row of `feature_flags` as the stores select it: `definition, version, updated_at`. */
export interface FlagRow {
  /** The definition as written, without `version` and `updatedAt` (those are columns). */
  definition: FlagDefinition;
  version: number;
  /** A `Date` from pg, an ISO 8601 string from PostgREST. */
  updated_at: Date | string;
}

/** A stored flag from its row: the definition with the row's `version` and `updatedAt` (ISO 8601, UTC). */
export const toStoredFlag = (row: FlagRow): StoredFlag => ({
  ...row.definition,
  version: row.version,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * A row of `get_ab_test_results`. Counts are `bigint`, which pg hands over as strings (to keep
 * precision) and PostgREST as numbers; both read as numbers here.
 */
export interface ResultRow {
  variant: string;
  exposures: number | string;
  conversions: number | string;
  value_sum: number | string;
  conversion_events: number | string;
}

/** The per-variant aggregate of a results row. */
export const toVariantAggregate = (row: ResultRow): VariantAggregate => ({
  variant: row.variant,
  exposures: Number(row.exposures),
  conversions: Number(row.conversions),
  valueSum: Number(row.value_sum),
  conversionEvents: Number(row.conversion_events),
});
