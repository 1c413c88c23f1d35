/**
 * Instrumentation of the official `openai` client: `chat.completions.create`, `responses.create`
 * and `embeddings.create`, streaming included. The client is typed structurally (the package is
 * never imported): an OpenAI-compatible client with the same shape works too.
 */
import { GEN_AI_OPERATION_CHAT, GEN_AI_OPERATION_EMBEDDINGS } from './llm.js';
import { countOf, type LlmCall, type LlmDeps, type LlmUsage, serverOf } from './llm-call.js';
import { type CallHandlers, wrapMethod } from './llm-wrap.js';
import { instrumentResponses } from './openai-responses.js';

/** A resource method we wrap (`create`), typed loosely so any SDK version's signature fits. */
export type CreateMethod = (body: never, options?: never) => unknown;

/** The part of an OpenAI client we wrap; each resource is wrapped when present. */
export interface OpenAIClientLike {
  /** The API base URL; its host and port become the span's `server.address` and `server.port`. */
  baseURL?: string;
  /** Chat Completions: `chat.completions.create`. */
  chat: {
    /** The chat completions resource. */
    completions: {
      /** Creates a chat completion (or a stream of chunks with `stream: true`). */
      create: CreateMethod;
    };
  };
  /** The Responses API: `responses.create` (and the helpers built on it). */
  responses?: {
    /** Creates a response (or a stream of events with `stream: true`). */
    create: CreateMethod;
  };
  /** Embeddings: `embeddings.create`. */
  embeddings?: {
    /** Creates embeddings. */
    create: CreateMethod;
  };
}

/** What {@link instrumentOpenAIClient} needs from its telemetry instance. */
export type OpenAIDeps = LlmDeps;

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ChatBody {
  model?: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  messages?: unknown;
  input?: unknown;
}

interface ChatResult {
  id?: string;
  model?: string;
  usage?: ChatUsage | null;
  choices?: { finish_reason?: string | null; message?: unknown; delta?: { content?: string | null } }[];
}

/**
 * OpenAI's usage in the record's convention: `prompt_tokens` already includes the cached tokens
 * and `completion_tokens` the reasoning tokens, so they are parts, never added.
 */
export function openAIUsage(usage: ChatUsage | null | undefined): LlmUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  return {
    inputTokens: countOf(usage.prompt_tokens) ?? 0,
    outputTokens: countOf(usage.completion_tokens) ?? 0,
    cachedInputTokens: countOf(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: countOf(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** The choices' finish reasons (one array, no intermediate copies). */
function finishReasons(choices: ChatResult['choices']): string[] {
  const reasons: string[] = [];
  if (Array.isArray(choices))
    for (const choice of choices) if (typeof choice?.finish_reason === 'string') reasons.push(choice.finish_reason);
  return reasons;
}

/**
 * Wraps the client's `chat.completions.create`, `responses.create` and `embeddings.create` in
 * place (once; a second call is a no-op) and returns the client. Every call gets exactly one
 * CLIENT span (`chat {model}`, `embeddings {model}`) with the GenAI attributes and one
 * `recordCompletion`, whether it answers, fails (429, 500, network, timeout), or is a stream that
 * the caller reads to the end, abandons with `break`, or that fails midway. A chat stream
 * requested without `stream_options.include_usage` is sent with it, so token counts and cost are
 * known, and the extra usage-only chunk is hidden from the caller. The wrapped methods return the
 * SDK's own `APIPromise` (`withResponse()`, `parse()` and `stream()` keep working). A stream that
 * is never iterated keeps its span open.
 */
export function instrumentOpenAIClient<T extends OpenAIClientLike>(client: T, deps: OpenAIDeps): T {
  const server = serverOf(client.baseURL);
  wrapMethod(
    client.chat?.completions,
    deps,
    (body: ChatBody) => ({
      operation: GEN_AI_OPERATION_CHAT,
      model: body?.model,
      server,
      maxTokens: body?.max_completion_tokens ?? body?.max_tokens,
      temperature: body?.temperature,
      topP: body?.top_p,
      stream: body?.stream === true,
      input: body?.messages,
    }),
    chatHandlers,
  );
  if (client.responses) instrumentResponses(client.responses, deps, server);
  wrapMethod(
    client.embeddings,
    deps,
    (body: ChatBody) => ({ operation: GEN_AI_OPERATION_EMBEDDINGS, model: body?.model, server, input: body?.input }),
    (call, body) => ({
      request: body,
      onAnswer(answer) {
        const result = answer as { model?: unknown; usage?: { prompt_tokens?: number } | null };
        call.respond({ model: result?.model });
        const input = countOf(result?.usage?.prompt_tokens);
        if (input !== undefined) call.setUsage({ inputTokens: input, outputTokens: 0 });
      },
    }),
  );
  return client;
}

function chatHandlers(call: LlmCall, body: ChatBody): CallHandlers {
  // The caller's body is not mutated: usage is asked for on a copy.
  const hideUsage = body?.stream === true && body.stream_options?.include_usage !== true;
  const reasons: string[] = [];
  let last: ChatResult | undefined;
  return {
    request: hideUsage ? { ...body, stream_options: { ...body.stream_options, include_usage: true } } : body,
    onAnswer(answer) {
      const result = answer as ChatResult;
      call.setUsage(openAIUsage(result?.usage));
      call.respond({
        model: result?.model,
        id: result?.id,
        finishReasons: finishReasons(result?.choices),
        // Only read when it goes on the span.
        output: call.capturesContent && Array.isArray(result?.choices) ? result.choices.map((choice) => choice?.message) : undefined,
      });
    },
    observe(item) {
      const chunk = item as ChatResult;
      if (chunk === null || typeof chunk !== 'object') return true;
      last = chunk;
      if (chunk.usage) call.setUsage(openAIUsage(chunk.usage));
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) if (typeof choice?.finish_reason === 'string') reasons.push(choice.finish_reason);
      if (hideUsage) {
        // The usage-only chunk (no choices) exists only because we asked for it.
        if (choices.length === 0 && chunk.usage) return false;
        if ('usage' in chunk) delete chunk.usage;
      }
      if (choices.length > 0) call.firstChunk();
      return true;
    },
    beforeEnd: () => call.respond({ model: last?.model, id: last?.id, finishReasons: reasons }),
  };
}
