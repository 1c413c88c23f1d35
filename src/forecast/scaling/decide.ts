/** `decide`: one entry for both scaling policies, with the current metrics and a summary line. */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { pct } from './format.js';
import { decideLearned } from './learned-policy.js';
import { decideThresholds } from './threshold-policy.js';
import type { CurrentMetrics, DecideInput, DecisionResult, ScalingPolicy } from './types.js';

/**
 * Decides whether to scale, with a confidence that is a probability.
 *
 * **Threshold policy** (default, no labels needed): reads a load forecast and a capacity.
 * `P(up)` is the probability that load at some step of the window exceeds `scaleUpAt` ×
 * capacity, `P(down)` that it stays below `scaleDownAt` × capacity at every step, both
 * assuming forecast errors move together across the window (one quantile for all steps:
 * `P(up)` = max over steps, `P(down)` = min over steps). SCALE_UP when `P(up)` ≥ 0.5, else
 * SCALE_DOWN when `P(down)` ≥ 0.5, else MAINTAIN with confidence 1 − P(up) − P(down).
 *
 * **Learned policy** ({@link trainScalingPolicy}): the forest's most probable class and its
 * probability; importance is the forest's permutation importance.
 *
 * The threshold policy reads `input.forecast` (a `traffic()` result as it is, or anything
 * {@link toLoadForecast} accepts); given only `input.history`, it runs `traffic(history,
 * policy.traffic)` itself and returns that forecast as `traffic`.
 *
 * Throws `INVALID_OPTIONS` when the policy's inputs are missing (no forecast, history or capacity,
 * no history or features) and the series codes of `toSeries` (`SERIES_TOO_SHORT`,
 * `SERIES_NON_FINITE`, `SERIES_IRREGULAR_STEP`…) for a bad history.
 *
 * @example
 * const d = decide({ forecast: traffic(requests), capacity: 5000, metrics: { cpuPercent: 72 } });
 * d.summary; // 'Decision: SCALE_UP (confidence: 91%)'
 * d.reasons; // ['Forecast peak: 4,420 (88% of capacity) at …', 'P(load > 80% of capacity): 0.91', …, 'CPU: 72%']
 */
export function decide(input: DecideInput, policy: ScalingPolicy = { kind: 'thresholds' }): DecisionResult {
  if (input === null || typeof input !== 'object') {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: decide needs an input object', { field: 'input' });
  }
  checkOptionsObject(policy, 'policy');
  const result = policy.kind === 'learned' ? decideLearned(input, policy) : decideThresholds(input, policy);
  result.reasons.push(...metricReasons(input.metrics));
  result.summary = `Decision: ${result.decision} (confidence: ${pct(result.confidence)})`;
  return result;
}

function metricReasons(metrics: CurrentMetrics | undefined): string[] {
  if (metrics === undefined) return [];
  const out: string[] = [];
  if (Number.isFinite(metrics.cpuPercent)) out.push(`CPU: ${Math.round(metrics.cpuPercent!)}%`);
  if (Number.isFinite(metrics.memoryPercent)) out.push(`Memory: ${Math.round(metrics.memoryPercent!)}%`);
  if (Number.isFinite(metrics.latencyMs)) out.push(`Latency: ${Math.round(metrics.latencyMs!)}ms`);
  return out;
}
