/**
 * Instrumentation of the official `@anthropic-ai/sdk` client's `messages.create`, streaming
 * included (`messages.stream()` is built on it). Typed structurally: the package is never
 * imported.
 */
import { GEN_AI_OPERATION_CHAT } from './llm.js';
import { countOf, type LlmCall, type LlmDeps, type LlmUsage, serverOf } from './llm-call.js';
import { wrapMethod } from './llm-wrap.js';

/** The part of an Anthropic client we wrap. */
export interface AnthropicClientLike {
  /** The API base URL; its host and port become the span's `server.address` and `server.port`. */
  baseURL?: string;
  /** The messages resource. */
  messages: {
    /** Creates a message (or a stream of events with `stream: true`). */
    create: (body: never, options?: never) => unknown;
  };
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface AnthropicMessage {
  id?: string;
  model?: string;
  content?: unknown;
  stop_reason?: string | null;
  usage?: AnthropicUsage | null;
}

interface AnthropicEvent {
  type?: string;
  message?: AnthropicMessage;
  delta?: { type?: string; stop_reason?: string | null };
  usage?: AnthropicUsage | null;
}

interface MessagesBody {
  model?: string;
  stream?: boolean | null;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  messages?: unknown;
}

/**
 * Anthropic's usage in the record's convention. Anthropic's `input_tokens` EXCLUDES the tokens
 * read from and written to the prompt cache, so the record's `inputTokens` is the sum of the
 * three and the cache counts are its parts.
 */
export function anthropicUsage(usage: AnthropicUsage | null | undefined): LlmUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const read = countOf(usage.cache_read_input_tokens);
  const written = countOf(usage.cache_creation_input_tokens);
  return {
    inputTokens: (countOf(usage.input_tokens) ?? 0) + (read ?? 0) + (written ?? 0),
    outputTokens: countOf(usage.output_tokens) ?? 0,
    cachedInputTokens: read,
    cacheCreationInputTokens: written,
  };
}

function streamHandlers(call: LlmCall) {
  // message_start carries the input counts; message_delta the cumulative output (and, in newer
  // API versions, the final input counts too).
  const usage: AnthropicUsage = {};
  const merge = (next: AnthropicUsage | null | undefined) => {
    if (next === null || typeof next !== 'object') return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
      if (typeof next[key] === 'number') usage[key] = next[key];
    }
    call.setUsage(anthropicUsage(usage));
  };
  let stopReason: string | undefined;
  let id: string | undefined;
  let model: string | undefined;
  return {
    observe(item: unknown) {
      const event = item as AnthropicEvent;
      switch (event?.type) {
        case 'message_start':
          id = event.message?.id;
          model = event.message?.model;
          merge(event.message?.usage);
          break;
        case 'content_block_delta':
          call.firstChunk();
          break;
        case 'message_delta':
          if (typeof event.delta?.stop_reason === 'string') stopReason = event.delta.stop_reason;
          merge(event.usage);
          break;
      }
      return true;
    },
    beforeEnd: () => call.respond({ id, model, finishReasons: stopReason === undefined ? undefined : [stopReason] }),
  };
}

/**
 * Wraps `client.messages.create` in place (once) and returns the client: one CLIENT span
 * `chat {model}` and one `recordCompletion` per call, with cache reads and cache writes counted
 * and priced. The SDK's own OpenTelemetry spans (on by default in recent versions) would describe
 * the same call a second time: construct the client with `openTelemetry: false`.
 */
export function instrumentAnthropicClient<T extends AnthropicClientLike>(client: T, deps: LlmDeps): T {
  const server = serverOf(client.baseURL);
  wrapMethod(
    client.messages,
    deps,
    (body: MessagesBody) => ({
      operation: GEN_AI_OPERATION_CHAT,
      model: body?.model,
      server,
      maxTokens: body?.max_tokens,
      temperature: body?.temperature,
      topP: body?.top_p,
      stream: body?.stream === true,
      input: body?.messages,
    }),
    (call, body) => ({
      request: body,
      onAnswer(answer) {
        const message = answer as AnthropicMessage;
        call.setUsage(anthropicUsage(message?.usage));
        call.respond({
          id: message?.id,
          model: message?.model,
          finishReasons: typeof message?.stop_reason === 'string' ? [message.stop_reason] : undefined,
          output: message?.content,
        });
      },
      // Only a stream reads events: a JSON call makes none of their closures.
      ...(body?.stream === true ? streamHandlers(call) : undefined),
    }),
  );
  return client;
}
