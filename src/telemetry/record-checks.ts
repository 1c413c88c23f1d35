/**
 * The checks a record passes before it is counted. Hot path: plain comparisons, no allocation;
 * a record failing them is dropped and counted by the caller, never thrown.
 */
import type { CompletionRecord, RequestRecord } from './types.js';

const STATUSES = new Set(['ok', 'error', 'rate_limited', 'cancelled']);

/** A finite number ≥ 0 (token counts, durations, costs). */
const isCount = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY;
const isOptionalCount = (value: unknown) => value === undefined || isCount(value);

/** True when `value` is a completion `recordCompletion()` can count: strings where strings go, counts finite and ≥ 0. */
export function isValidCompletion(value: unknown): value is CompletionRecord {
  if (value === null || typeof value !== 'object') return false;
  const completion = value as CompletionRecord;
  return (
    typeof completion.provider === 'string' &&
    typeof completion.model === 'string' &&
    STATUSES.has(completion.status) &&
    isCount(completion.inputTokens) &&
    isCount(completion.outputTokens) &&
    isCount(completion.durationMs) &&
    isOptionalCount(completion.cachedInputTokens) &&
    isOptionalCount(completion.reasoningTokens) &&
    isOptionalCount(completion.cacheCreationInputTokens) &&
    (completion.operation === undefined || typeof completion.operation === 'string') &&
    (completion.errorType === undefined || typeof completion.errorType === 'string') &&
    isOptionalCount(completion.timeToFirstTokenMs) &&
    isOptionalCount(completion.costUsd)
  );
}

/** True when `value` is a request `recordRequest()` can count: a string route, an integer status, a duration ≥ 0. */
export function isValidRequest(value: unknown): value is RequestRecord {
  if (value === null || typeof value !== 'object') return false;
  const request = value as RequestRecord;
  return (
    typeof request.route === 'string' &&
    (request.method === undefined || typeof request.method === 'string') &&
    Number.isInteger(request.status) &&
    isCount(request.durationMs) &&
    (request.costUsd === undefined || isCount(request.costUsd))
  );
}
