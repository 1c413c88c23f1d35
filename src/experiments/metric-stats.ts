/**
 * The sufficient statistics of experiment metrics: what a store computes per variant (in SQL for
 * PostgreSQL and Supabase, in memory for the memory store) and what the statistics engine reads.
 * No raw rows cross this boundary: every figure of a result (mean, variance, CUPED's covariance,
 * the ratio's delta method) is a function of these sums.
 *
 * Per user, over the events the metric selects after the user's first exposure (and inside the
 * query's window):
 * - `binomial`: x = 1 when the user has at least one such event, else 0;
 * - `mean`: x = the sum of the events' values (or their count, with `value: 'count'`); users
 *   without events count as 0;
 * - `ratio`: x = the numerator's per-user sum, y = the denominator's per-user sum; the metric is
 *   Σx / Σy across users (for example revenue per order).
 *
 * With CUPED, `pre` carries the same per-user quantity measured over the pre-exposure window
 * (`cuped.windowDays` before each user's first exposure), and its cross products with the
 * post-exposure values.
 */

/** The kinds of metric. */
export type MetricKind = 'binomial' | 'mean' | 'ratio';

/** What a metric adds up for one user from the events it selects. */
export interface MetricSource {
  /** The conversion name (`track(eventName, …)`) whose events the metric reads. */
  event: string;
  /** `value`: sum the events' `value` (missing values count as 0); `count`: count the events. Default `value`, `count` for binomial. */
  aggregate?: 'value' | 'count';
}

/** A metric as a results call names it. */
export interface MetricDefinition {
  /** A name for the metric, unique within one call, e.g. `revenue`. */
  key: string;
  /** The kind of metric. */
  kind: MetricKind;
  /** The numerator (binomial, mean: the only source). */
  source: MetricSource;
  /** The denominator of a ratio metric; required for `ratio`, refused otherwise. */
  denominator?: MetricSource;
  /** Higher is better (default) or lower is better (latency, cost, errors). */
  direction?: 'increase' | 'decrease';
  /**
   * CUPED regression adjustment with the same metric over a pre-exposure window. Only for `mean`
   * and `ratio`. `true` means the default 14-day window.
   */
  cuped?:
    | boolean
    | {
        /** Length of the pre-exposure window in days (whole days, 1 to 365). */
        windowDays: number;
      };
}

/** Σx and Σx² of one per-user quantity over the units of a variant. */
export interface MomentSums {
  /** Σx. */
  sum: number;
  /** Σx². */
  sumSquares: number;
}

/** Pre-exposure sums of a binomial or mean metric (CUPED). */
export interface MeanPreStats extends MomentSums {
  /** Σ(x_post · x_pre). */
  sumProducts: number;
}

/** Sufficient statistics of a binomial or mean metric in one variant. */
export interface MeanStats extends MomentSums {
  /** The metric's kind. */
  kind: 'binomial' | 'mean';
  /** Users in the variant (exposed, counted once, in the variant of their first exposure). */
  units: number;
  /** Present when CUPED was asked for. */
  pre?: MeanPreStats;
}

/** Pre-exposure sums of a ratio metric (CUPED): numerator m and denominator d, before and after. */
export interface RatioPreStats {
  /** Σm_pre and Σm_pre². */
  numerator: MomentSums;
  /** Σd_pre and Σd_pre². */
  denominator: MomentSums;
  /** Σ(m_pre · d_pre). */
  sumProducts: number;
  /** Cross products of post-exposure with pre-exposure values. */
  cross: {
    /** Σ(m_post · m_pre). */
    numeratorNumerator: number;
    /** Σ(m_post · d_pre). */
    numeratorDenominator: number;
    /** Σ(d_post · m_pre). */
    denominatorNumerator: number;
    /** Σ(d_post · d_pre). */
    denominatorDenominator: number;
  };
}

/** Sufficient statistics of a ratio metric in one variant. */
export interface RatioStats {
  /** The metric's kind. */
  kind: 'ratio';
  /** Users in the variant. */
  units: number;
  /** Σm and Σm² of the per-user numerator. */
  numerator: MomentSums;
  /** Σd and Σd² of the per-user denominator. */
  denominator: MomentSums;
  /** Σ(m · d). */
  sumProducts: number;
  /** Present when CUPED was asked for. */
  pre?: RatioPreStats;
}

/** Sufficient statistics of one metric in one variant. */
export type MetricStats = MeanStats | RatioStats;

/** One variant's statistics for every metric asked, as a store returns them. */
export interface VariantMetricStats {
  /** The variant key. */
  variant: string;
  /** Users in the variant. */
  units: number;
  /** Metric key → its statistics. */
  metrics: Record<string, MetricStats>;
}
