/**
 * The pipeline from aggregates to a verdict: read the input, compute every variant's row,
 * check the sample ratio, then judge. The statistics live one per file next to this one.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { type Counts, emptyCounts, readOptions, readRows, readWeights } from './input.js';
import { sampleRatioCheck } from './srm.js';
import type {
  ComputeResultsOptions,
  ExperimentResults,
  ExperimentVerdict,
  SampleRatioCheck,
  VariantCounts,
  VariantResult,
} from './types.js';
import { variantResult } from './variant-result.js';
import { describe, formatLevel, formatP, plural } from './wording.js';

/**
 * Per-variant statistics, the comparison of every variant with control, a sample-ratio-mismatch
 * check and a verdict, from per-variant aggregates and the configured weights.
 *
 * Control is the configured variant named `control`, else the first configured one. `weights`
 * are percentages per variant key (normalised by their sum, so any positive scale works); their
 * key order is the order of `variants`. A variant in `aggregates` but not in `weights` is listed
 * last, compared with control, left out of the sample ratio check and never declared the winner.
 *
 * Verdict, in this order:
 * - `'NOT_ENOUGH_DATA'` when control or a variant with a positive weight has fewer than
 *   `minimumSample` users, or no variant besides control has a positive weight;
 * - `'NO_WINNER_YET'` on a sample ratio mismatch (p < 0.001), whatever the comparisons say;
 * - `'WINNER'` with the variant of highest conversion rate among those converting better than
 *   control with `pValue < alpha`;
 * - `'WINNER'` with control when every variant with a positive weight converts significantly worse;
 * - `'NO_WINNER_YET'` otherwise.
 *
 * Never throws: rows that are not objects, have no variant name, have counts that are not
 * non-negative integers (NaN, negative, fractional, strings) or more conversions than exposures
 * are skipped; a later row for the same variant is skipped; a `valueSum` that is not a finite
 * number counts as 0; invalid weights count as 0; invalid options fall back to their defaults.
 * Each of these adds a line to `warnings`.
 *
 * @param aggregates - per-variant counts, e.g. as `StorageAdapter.queryResults` returns them.
 * @param weights - configured percentage per variant key.
 * @param options - sample size and significance level; see {@link ComputeResultsOptions}.
 * @example
 * ```ts
 * const results = computeResults(
 *   [
 *     { variant: 'control', exposures: 1000, conversions: 100, valueSum: 2500, conversionEvents: 104 },
 *     { variant: 'variant-a', exposures: 1000, conversions: 130, valueSum: 3120.5, conversionEvents: 133 },
 *   ],
 *   { control: 50, 'variant-a': 50 },
 * );
 * results.verdict; // 'WINNER'
 * results.summary;
 * // 'variant-a converts 30.0% better than control (95% CI 1.7% to 66.2%, p = 0.035, probability to beat control 98.2%): variant-a wins.'
 * ```
 * @see Wilson EB (1927), Probable inference, the law of succession, and statistical inference. JASA 22:209–212.
 * @see Katz D et al. (1978), Obtaining confidence intervals for the risk ratio in cohort studies. Biometrics 34:469–474.
 */
export function computeResults(
  aggregates: readonly VariantCounts[],
  weights: Readonly<Record<string, number>>,
  options?: ComputeResultsOptions,
): ExperimentResults {
  const warnings: string[] = [];
  const { minimumSample, alpha } = readOptions(options, warnings);
  const configured = readWeights(weights, warnings);
  const rows = readRows(aggregates, warnings);

  const configuredNames = [...configured.keys()];
  const extraNames = [...rows.keys()].filter((name) => !configured.has(name));
  const control = configured.has('control')
    ? 'control'
    : (configuredNames[0] ?? (rows.has('control') ? 'control' : (extraNames[0] ?? 'control')));
  warnAboutVariants(configured, extraNames, rows, warnings);

  const z = normalQuantile(1 - alpha / 2, 0, 1);
  const base = rows.get(control) ?? emptyCounts(control);
  const results = [...configuredNames, ...extraNames].map((name) =>
    variantResult(rows.get(name) ?? emptyCounts(name), name === control ? undefined : base, z),
  );
  warnAboutConversions(results, base, warnings);

  const srm = sampleRatioCheck(configured, rows);
  if (configuredNames.length > 0 && [...configured.values()].every((w) => w === 0)) {
    warnings.push('no configured variant has a positive weight: the sample ratio check was skipped');
  }
  if (srm.mismatch) {
    warnings.push(
      `sample ratio mismatch (${formatP(srm.pValue)}): exposures do not follow the configured weights; check assignment and exposure logging`,
    );
  }

  const candidates = results.filter((r) => r.variant !== control && (configured.get(r.variant) ?? 0) > 0);
  const controlRow = results.find((r) => r.variant === control) ?? variantResult(emptyCounts(control), undefined, z);
  const short = [controlRow, ...candidates].filter((r) => r.exposures < minimumSample);
  if (short.length > 0) {
    warnings.push(
      `fewer than ${minimumSample} users per variant (${short.map((r) => `${r.variant}: ${r.exposures}`).join(', ')}); results are not reliable yet`,
    );
  }

  const { verdict, winner, summary } = judge({ controlRow, candidates, short, srm, minimumSample, alpha });
  return { control, variants: results, srm, verdict, ...(winner === undefined ? {} : { winner }), warnings, summary };
}

/** Warnings about the set of variants: none configured, found only in the data, or exposed at weight 0. */
function warnAboutVariants(
  configured: ReadonlyMap<string, number>,
  extraNames: readonly string[],
  rows: ReadonlyMap<string, Counts>,
  warnings: string[],
): void {
  if (configured.size === 0) {
    warnings.push('no variant weights configured: variants are compared with control, but no winner can be declared');
  } else if (extraNames.length > 0) {
    warnings.push(
      `${plural(extraNames.length, 'variant')} not in the configured weights (${extraNames.join(', ')}): listed last, ` +
        'left out of the sample ratio check and never declared the winner',
    );
  }
  for (const [name, weight] of configured) {
    const exposures = rows.get(name)?.exposures ?? 0;
    if (weight === 0 && exposures > 0) {
      warnings.push(
        `variant ${name} has weight 0 but ${plural(exposures, 'exposure')}: did its weight change during the experiment? ` +
          'It is left out of the sample ratio check and never declared the winner',
      );
    }
  }
}

/** Warnings about comparisons a zero conversion count leaves undefined. */
function warnAboutConversions(results: readonly VariantResult[], base: Counts, warnings: string[]): void {
  const compared = results.some((r) => r.pValue !== undefined);
  if (compared && base.conversions === 0) {
    warnings.push(`${base.variant} has no conversions: relative uplift is undefined, so compare conversion rates and p-values instead`);
  }
  for (const r of results) {
    if (r.uplift !== undefined && r.upliftInterval === undefined) {
      warnings.push(`${r.variant} has no conversions: its uplift is -100% and the uplift interval is undefined`);
    }
  }
}

interface Judgement {
  verdict: ExperimentVerdict;
  winner?: string;
  summary: string;
}

/** The verdict and its sentence, by the rules in {@link computeResults}, in their order. */
function judge(input: {
  controlRow: VariantResult;
  candidates: readonly VariantResult[];
  short: readonly VariantResult[];
  srm: SampleRatioCheck;
  minimumSample: number;
  alpha: number;
}): Judgement {
  const { controlRow, candidates, short, srm, minimumSample, alpha } = input;
  const control = controlRow.variant;
  const level = formatLevel(1 - alpha);
  const describeAll = (rs: readonly VariantResult[]) => rs.map((r) => describe(r, controlRow, level)).join('; ');

  if (candidates.length === 0) {
    return {
      verdict: 'NOT_ENOUGH_DATA',
      summary: `Not enough data: no configured variant besides ${control} has a positive weight, so there is nothing to compare.`,
    };
  }
  if (short.length > 0) {
    const counts = short.map((r) => `${r.variant} has ${r.exposures}`).join(', ');
    return { verdict: 'NOT_ENOUGH_DATA', summary: `Not enough data: ${counts} of the ${minimumSample} users needed per variant.` };
  }
  if (srm.mismatch) {
    return {
      verdict: 'NO_WINNER_YET',
      summary:
        `No winner: sample ratio mismatch (${formatP(srm.pValue)}), exposures do not follow the configured weights, ` +
        'so the comparison cannot be trusted; check assignment and exposure logging.',
    };
  }

  const significant = (r: VariantResult) => r.pValue !== undefined && r.pValue < alpha;
  const better = candidates.filter((r) => significant(r) && r.conversionRate > controlRow.conversionRate);
  // Highest rate wins; on a tie the first in configured order (reduce keeps the earlier one).
  const best = better.reduce<VariantResult | undefined>(
    (top, r) => (top === undefined || r.conversionRate > top.conversionRate ? r : top),
    undefined,
  );
  if (best !== undefined) {
    return { verdict: 'WINNER', winner: best.variant, summary: `${describe(best, controlRow, level)}: ${best.variant} wins.` };
  }
  if (candidates.every((r) => significant(r) && r.conversionRate < controlRow.conversionRate)) {
    return {
      verdict: 'WINNER',
      winner: control,
      summary: `${control} wins, every variant converts significantly worse: ${describeAll(candidates)}.`,
    };
  }
  return {
    verdict: 'NO_WINNER_YET',
    summary: `No winner yet: no variant converts significantly better than ${control} at the ${formatLevel(alpha)} level: ${describeAll(candidates)}.`,
  };
}
