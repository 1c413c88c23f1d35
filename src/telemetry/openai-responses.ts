/**
 * Instrumentation of OpenAI's Responses API (`responses.create`, JSON and streamed events), in
 * the shape of every other LLM call (llm-call.ts).
 */
import { GEN_AI_OPERATION_CHAT } from './llm.js';
import { countOf, type LlmCall, type LlmDeps, type LlmUsage } from './llm-call.js';
import { wrapMethod } from './llm-wrap.js';

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  usage?: ResponsesUsage | null;
  output?: unknown;
  error?: { code?: string; message?: string } | null;
  incomplete_details?: { reason?: string } | null;
}

interface ResponsesBody {
  model?: string;
  stream?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  input?: unknown;
}

interface ResponseEvent {
  type?: string;
  response?: ResponseObject;
  code?: string | null;
  message?: string;
}

/**
 * The Responses API's usage in the record's convention: `input_tokens` already includes the
 * cached (and cache-write) tokens, `output_tokens` the reasoning tokens.
 */
export function responsesUsage(usage: ResponsesUsage | null | undefined): LlmUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const written = countOf(usage.input_tokens_details?.cache_write_tokens);
  return {
    inputTokens: countOf(usage.input_tokens) ?? 0,
    outputTokens: countOf(usage.output_tokens) ?? 0,
    cachedInputTokens: countOf(usage.input_tokens_details?.cached_tokens),
    cacheCreationInputTokens: written === 0 ? undefined : written,
    reasoningTokens: countOf(usage.output_tokens_details?.reasoning_tokens),
  };
}

/** A failed response or an `error` event, as an Error whose type is the API's error code. */
const responseError = (code: unknown, message: unknown): Error =>
  Object.assign(new Error(typeof message === 'string' ? message : 'response failed'), {
    name: 'ResponseError',
    error: { type: typeof code === 'string' && code !== '' ? code : 'response_failed' },
  });

function readResponse(call: LlmCall, response: ResponseObject | undefined): void {
  if (response === null || typeof response !== 'object') return;
  call.setUsage(responsesUsage(response.usage));
  const reason = response.status === 'incomplete' ? response.incomplete_details?.reason : response.status;
  call.respond({
    model: response.model,
    id: response.id,
    finishReasons: typeof reason === 'string' ? [reason] : undefined,
    output: response.output,
  });
}

/** Wraps `responses.create` in place (once). */
export function instrumentResponses(
  responses: { create: (...args: never[]) => unknown },
  deps: LlmDeps,
  server: { address: string; port: number } | undefined,
): void {
  wrapMethod(
    responses,
    deps,
    (body: ResponsesBody) => ({
      operation: GEN_AI_OPERATION_CHAT,
      model: body?.model,
      server,
      maxTokens: body?.max_output_tokens,
      temperature: body?.temperature,
      topP: body?.top_p,
      stream: body?.stream === true,
      input: body?.input,
    }),
    (call, body) => {
      let failure: Error | undefined;
      return {
        request: body,
        onAnswer: (answer) => {
          const response = answer as ResponseObject;
          readResponse(call, response);
          if (response?.status === 'failed') call.fail(responseError(response.error?.code, response.error?.message));
        },
        observe(item) {
          const event = item as ResponseEvent;
          switch (event?.type) {
            case 'response.output_text.delta':
            case 'response.refusal.delta':
            case 'response.function_call_arguments.delta':
              call.firstChunk();
              break;
            case 'response.completed':
            case 'response.incomplete':
              readResponse(call, event.response);
              break;
            case 'response.failed':
              readResponse(call, event.response);
              failure ??= responseError(event.response?.error?.code, event.response?.error?.message);
              break;
            case 'error':
              failure ??= responseError(event.code, event.message);
              break;
          }
          return true;
        },
        beforeEnd: () => {
          if (failure !== undefined) call.fail(failure);
        },
      };
    },
  );
}
