/**
 * The AI SDK's usage and finish reasons in the record's convention (specification v3, and v2's
 * flat numbers).
 */
import { countOf, type LlmUsage } from './llm-call.js';

/** Usage as a model reports it (v3 parts or v2 numbers). */
export interface UsageLike {
  inputTokens?: number | { total?: number; cacheRead?: number; cacheWrite?: number } | undefined;
  outputTokens?: number | { total?: number; reasoning?: number } | undefined;
  cachedInputTokens?: number | undefined;
  reasoningTokens?: number | undefined;
}

/**
 * The AI SDK's usage in the record's convention. Specification v3 reports input as
 * `{ total, noCache, cacheRead, cacheWrite }` (total includes the cache parts) and output as
 * `{ total, text, reasoning }`; v2's flat numbers are read too.
 */
export function aiSdkUsage(usage: UsageLike | null | undefined): LlmUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  if (typeof input === 'object' || typeof output === 'object') {
    const inputParts = typeof input === 'object' ? input : undefined;
    const outputParts = typeof output === 'object' ? output : undefined;
    return {
      inputTokens: countOf(inputParts?.total) ?? 0,
      outputTokens: countOf(outputParts?.total) ?? 0,
      cachedInputTokens: countOf(inputParts?.cacheRead),
      cacheCreationInputTokens: countOf(inputParts?.cacheWrite),
      reasoningTokens: countOf(outputParts?.reasoning),
    };
  }
  return {
    inputTokens: countOf(input) ?? 0,
    outputTokens: countOf(output) ?? 0,
    cachedInputTokens: countOf(usage.cachedInputTokens),
    reasoningTokens: countOf(usage.reasoningTokens),
  };
}

/** The parts of a model's result the instrumentation reads. */
export interface ResultLike {
  usage?: UsageLike;
  finishReason?: string | { unified?: string; raw?: string };
  response?: { id?: string; modelId?: string };
  content?: unknown;
}

/** The finish reason (v3's raw one first) as the span's list, when there is one. */
export const reasonOf = (reason: ResultLike['finishReason']): string[] | undefined => {
  const value = typeof reason === 'object' && reason !== null ? (reason.raw ?? reason.unified) : reason;
  return typeof value === 'string' ? [value] : undefined;
};
