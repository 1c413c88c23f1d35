/**
 * The checks a record passes before it is counted. Hot path: plain comparisons, no allocation;
 * a record failing them is dropped and counted by the caller, never thrown.
 */
import type { CompletionRecord, RequestRecord } from './types.js';

const STATUSES = new Set(['ok', 'error', 'rate_limited', 'cancelled']);

/** A finite number ≥ 0 (token counts, durations, costs). */
const isCount = (n: unknown): n is number => typeof n === 'number' && n >= 0 && n < Number.POSITIVE_INFINITY;
const isOptionalCount = (n: unknown) => n === undefined || isCount(n);

/** True when `c` is a completion `recordCompletion()` can count: strings where strings go, counts finite and ≥ 0. */
export function isValidCompletion(c: unknown): c is CompletionRecord {
  if (c === null || typeof c !== 'object') return false;
  const r = c as CompletionRecord;
  return (
    typeof r.provider === 'string' &&
    typeof r.model === 'string' &&
    STATUSES.has(r.status) &&
    isCount(r.inputTokens) &&
    isCount(r.outputTokens) &&
    isCount(r.durationMs) &&
    isOptionalCount(r.cachedInputTokens) &&
    isOptionalCount(r.reasoningTokens) &&
    isOptionalCount(r.timeToFirstTokenMs) &&
    isOptionalCount(r.costUsd)
  );
}

/** True when `r` is a request `recordRequest()` can count: a string route, an integer status, a duration ≥ 0. */
export function isValidRequest(r: unknown): r is RequestRecord {
  if (r === null || typeof r !== 'object') return false;
  const q = r as RequestRecord;
  return (
    typeof q.route === 'string' &&
    (q.method === undefined || typeof q.method === 'string') &&
    Number.isInteger(q.status) &&
    isCount(q.durationMs)
  );
}
