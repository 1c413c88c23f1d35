/**
 * LLM usage as experiment events: each completion made for a known user becomes conversion
 * events of a flags client (`llm.cost_usd`, `llm.tokens`, `llm.latency_ms`), so an experiment's
 * results can read LLM cost per exposed user (a `mean` metric), tokens, or latency per call (a
 * `ratio` of the latency event's values over its count) next to revenue, and a guarded rollout
 * can use them as guardrails.
 *
 * The events go through the client's `track()`, so they share its buffer, retries, idempotency
 * and attribution rules (only events after the user's first exposure count). A completion with
 * no `userId` (in the record or the attribution scope) sends nothing: it cannot be attributed.
 */
import { EliteError } from '../internal/errors.js';
import type { Attribution } from './attribution.js';
import type { CompletionRecord, ExperimentEventKind, ExperimentEventSink, ExperimentEventsOptions } from './types.js';

/** Event names per kind: what a results call names as a metric's `source.event`. */
export const EXPERIMENT_EVENT_NAMES = {
  /** Value: the completion's cost in USD. */
  cost: 'llm.cost_usd',
  /** Value: input plus output tokens. */
  tokens: 'llm.tokens',
  /** Value: the call's duration in ms. */
  latency: 'llm.latency_ms',
} as const satisfies Record<ExperimentEventKind, string>;

/** Sends one completion's events; never throws (a failing sink is counted and warned about once). */
export type ExperimentEventRecorder = (completion: CompletionRecord, scoped: Attribution | undefined, costUsd: number) => void;

/** Checks the option and builds the recorder, or undefined when the option is unset. Throws `INVALID_OPTIONS`. */
export function createExperimentEvents(
  options: ExperimentEventsOptions | undefined,
  onFailure: (error: unknown) => void,
): ExperimentEventRecorder | undefined {
  if (options === undefined) return undefined;
  const client = options.client as Partial<ExperimentEventSink> | undefined;
  if (client === null || typeof client !== 'object' || typeof client.track !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: experimentEvents.client must be a flags client (createFlags() or flags)', {
      field: 'experimentEvents.client',
    });
  }
  const kinds = options.events ?? ['cost'];
  const unknown = Array.isArray(kinds) ? kinds.find((kind) => !Object.hasOwn(EXPERIMENT_EVENT_NAMES, kind)) : kinds;
  if (!Array.isArray(kinds) || unknown !== undefined) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: experimentEvents.events lists ${JSON.stringify(unknown)}; use any of ${Object.keys(EXPERIMENT_EVENT_NAMES).join(', ')}`,
      { field: 'experimentEvents.events' },
    );
  }
  const sink = client as ExperimentEventSink;
  const cost = kinds.includes('cost');
  const tokens = kinds.includes('tokens');
  const latency = kinds.includes('latency');
  return (completion, scoped, costUsd) => {
    const user = completion.userId ?? scoped?.userId;
    if (typeof user !== 'string' || user === '') return;
    try {
      if (cost) sink.track(EXPERIMENT_EVENT_NAMES.cost, user, { value: costUsd });
      if (tokens) sink.track(EXPERIMENT_EVENT_NAMES.tokens, user, { value: completion.inputTokens + completion.outputTokens });
      if (latency) sink.track(EXPERIMENT_EVENT_NAMES.latency, user, { value: completion.durationMs });
    } catch (error) {
      onFailure(error);
    }
  };
}
