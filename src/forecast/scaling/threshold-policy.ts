/**
 * The threshold policy: scale on the probability that the forecast load crosses a share of
 * capacity over the window. Needs no labels; runs `traffic()` itself when given only a history.
 */
import { EliteError } from '../../internal/errors.js';
import { namedSeries } from '../series.js';
import { traffic } from '../traffic.js';
import type { TrafficForecast } from '../types.js';
import { count, pct } from './format.js';
import { probabilityAtMost, toLoadForecast } from './load-forecast.js';
import type { DecideInput, DecisionResult, ScalingDecision, ThresholdPolicy } from './types.js';

/** The decision of the threshold policy (see `decide`), its reasons without the current metrics, and an empty summary. */
export function decideThresholds(input: DecideInput, policy: ThresholdPolicy): DecisionResult {
  const capacity = input.capacity ?? policy.capacity;
  if (typeof capacity !== 'number' || !(capacity > 0) || !Number.isFinite(capacity)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: capacity must be a number > 0 (the load the fleet handles), got ${String(capacity)}`,
      {
        field: 'capacity',
      },
    );
  }
  const up = policy.scaleUpAt ?? 0.8;
  const down = policy.scaleDownAt ?? 0.3;
  if (!(up > 0) || !(down >= 0) || !(down < up)) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: need 0 <= scaleDownAt < scaleUpAt, got ${String(down)} and ${String(up)}`, {
      field: 'scaleUpAt',
    });
  }
  let source = input.forecast;
  let ran: TrafficForecast | undefined;
  if (source === undefined && input.history !== undefined) {
    ran = traffic(namedSeries(input.history, 'history'), policy.traffic ?? {});
    source = ran;
  }
  if (source === undefined) {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/forecast: the threshold policy needs input.forecast (the load forecast of the next window) or input.history (recent load to forecast)',
      {
        field: 'forecast',
      },
    );
  }
  const all = toLoadForecast(source).steps;
  const windowSteps = policy.windowSteps ?? all.length;
  if (!Number.isInteger(windowSteps) || windowSteps < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: windowSteps must be a whole number >= 1, got ${String(windowSteps)}`, {
      field: 'windowSteps',
    });
  }
  const steps = all.slice(0, windowSteps);
  const upLoad = up * capacity;
  const downLoad = down * capacity;
  let pUp = 0;
  let pDown = 1;
  let peak = steps[0]!;
  for (const step of steps) {
    pUp = Math.max(pUp, 1 - probabilityAtMost(step, upLoad));
    pDown = Math.min(pDown, probabilityAtMost(step, downLoad));
    if (step.mean > peak.mean) peak = step;
  }
  const pMaintain = Math.max(0, 1 - pUp - pDown);
  const probabilities = { SCALE_UP: pUp, SCALE_DOWN: pDown, MAINTAIN: pMaintain };
  const decision: ScalingDecision = pUp >= 0.5 ? 'SCALE_UP' : pDown >= 0.5 ? 'SCALE_DOWN' : 'MAINTAIN';
  const reasons = [
    `Forecast peak: ${count(peak.mean)} (${Math.round((peak.mean / capacity) * 100)}% of capacity) at ${new Date(peak.timestamp).toISOString()}`,
    `P(load > ${pct(up)} of capacity): ${pUp.toFixed(2)}`,
    `P(load < ${pct(down)} of capacity): ${pDown.toFixed(2)}`,
  ];
  const result: DecisionResult = {
    decision,
    confidence: probabilities[decision],
    reasons,
    featureImportance: {},
    probabilities,
    forecast: { steps },
    summary: '',
  };
  if (ran !== undefined) result.traffic = ran;
  return result;
}
