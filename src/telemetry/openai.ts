/**
 * Instrumentation of the official `openai` client's `chat.completions.create`, streaming included.
 * The client is typed structurally (the package is never imported): an OpenAI-compatible client
 * with the same shape works too.
 */
import { context, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { GEN_AI, GEN_AI_OPERATION_CHAT } from './llm.js';
import { recordFailure } from './tracing.js';
import type { CompletionRecord, CompletionStatus } from './types.js';

/** The part of an OpenAI client we wrap. */
export interface OpenAIClientLike {
  /** The API base URL; its host and port become the span's `server.address` and `server.port`. */
  baseURL?: string;
  /** The method wrapped: `chat.completions.create`. */
  chat: {
    /** The chat completions resource. */
    completions: {
      /** Creates a chat completion (or a stream of chunks with `stream: true`). */
      create(body: never, options?: never): unknown;
    };
  };
}

interface Usage {
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
}

interface ChatResult {
  id?: string;
  model?: string;
  usage?: Usage | null;
  choices?: { finish_reason?: string | null; message?: unknown; delta?: { content?: string | null } }[];
}

const INSTRUMENTED = Symbol.for('@tiqology/elite/telemetry/openai');
const MAX_CONTENT_CHARS = 16_384;

/** What {@link instrumentOpenAIClient} needs from its telemetry instance. */
export interface OpenAIDeps {
  /** The tracer the spans are started on. */
  tracer: Tracer;
  /** Records each finished call (the instance's `recordCompletion`). */
  record(completion: CompletionRecord): unknown;
  /** Provider label and `gen_ai.provider.name`, e.g. `openai`. */
  provider: string;
  /** Put prompts and answers on the spans (they may hold personal data). */
  captureContent: boolean;
}

const statusOf = (error: unknown): { status: CompletionStatus; type: string } => {
  const failure = error as { status?: unknown; name?: string; constructor?: { name?: string } };
  if (typeof failure?.status === 'number')
    return { status: failure.status === 429 ? 'rate_limited' : 'error', type: String(failure.status) };
  const name = failure?.constructor?.name || failure?.name || 'Error';
  return { status: /Abort/i.test(name) ? 'cancelled' : 'error', type: name };
};

const json = (value: unknown) => {
  try {
    const text = JSON.stringify(value) ?? '';
    return text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS - 1)}…` : text;
  } catch {
    return '';
  }
};

/**
 * Wraps `client.chat.completions.create` in place (once; a second call is a no-op) and returns
 * the client. Every call gets exactly one CLIENT span `chat {model}` with the GenAI attributes and
 * one `recordCompletion`, whether it answers, fails (429, 500, network), or is a stream that the
 * caller reads to the end, abandons with `break`, or that fails midway. A stream requested without
 * `stream_options.include_usage` is sent with it, so token counts and cost are known, and the
 * extra usage-only chunk is hidden from the caller. The wrapped `create` returns a plain promise
 * (the `APIPromise` helpers such as `withResponse()` are not kept). A stream that is never
 * iterated keeps its span open.
 */
export function instrumentOpenAIClient<T extends OpenAIClientLike>(client: T, deps: OpenAIDeps): T {
  const completions = client.chat.completions as unknown as Record<PropertyKey, unknown> & { create: (...args: never[]) => unknown };
  if (completions[INSTRUMENTED]) return client;
  const original = completions.create as (this: unknown, body: unknown, options: unknown) => unknown;
  let server: { address: string; port: number } | undefined;
  try {
    const url = new URL(String(client.baseURL));
    server = { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  } catch {}

  completions.create = function create(this: unknown, body: ChatBody, options?: unknown): Promise<unknown> {
    const started = performance.now();
    const model = typeof body?.model === 'string' ? body.model : 'unknown';
    const span = deps.tracer.startSpan(`${GEN_AI_OPERATION_CHAT} ${model}`, { kind: SpanKind.CLIENT });
    span.setAttribute(GEN_AI.OPERATION_NAME, GEN_AI_OPERATION_CHAT);
    span.setAttribute(GEN_AI.PROVIDER_NAME, deps.provider);
    span.setAttribute(GEN_AI.REQUEST_MODEL, model);
    if (server) {
      span.setAttribute(GEN_AI.SERVER_ADDRESS, server.address);
      span.setAttribute(GEN_AI.SERVER_PORT, server.port);
    }
    const maxTokens = body?.max_completion_tokens ?? body?.max_tokens;
    if (typeof maxTokens === 'number') span.setAttribute(GEN_AI.REQUEST_MAX_TOKENS, maxTokens);
    if (typeof body?.temperature === 'number') span.setAttribute(GEN_AI.REQUEST_TEMPERATURE, body.temperature);
    if (typeof body?.top_p === 'number') span.setAttribute(GEN_AI.REQUEST_TOP_P, body.top_p);
    if (body?.stream) span.setAttribute(GEN_AI.REQUEST_STREAM, true);
    if (deps.captureContent && body?.messages !== undefined) span.setAttribute(GEN_AI.INPUT_MESSAGES, json(body.messages));

    let ended = false;
    const finish = (
      status: CompletionStatus,
      usage: Usage | null | undefined,
      ttftMs: number | undefined,
      error?: unknown,
      errorType?: string,
    ) => {
      if (ended) return;
      ended = true;
      const durationMs = performance.now() - started;
      const inputTokens = usage?.prompt_tokens ?? 0;
      const outputTokens = usage?.completion_tokens ?? 0;
      const cached = usage?.prompt_tokens_details?.cached_tokens;
      const reasoning = usage?.completion_tokens_details?.reasoning_tokens;
      if (usage) {
        span.setAttribute(GEN_AI.USAGE_INPUT_TOKENS, inputTokens);
        span.setAttribute(GEN_AI.USAGE_OUTPUT_TOKENS, outputTokens);
        if (cached !== undefined) span.setAttribute(GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS, cached);
        if (reasoning !== undefined) span.setAttribute(GEN_AI.USAGE_REASONING_OUTPUT_TOKENS, reasoning);
      }
      if (ttftMs !== undefined) span.setAttribute(GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK, ttftMs / 1000);
      if (status === 'cancelled' && error === undefined) span.setAttribute(GEN_AI.ERROR_TYPE, 'cancelled');
      if (error !== undefined) recordFailure(span, error, errorType);
      span.end();
      deps.record({
        provider: deps.provider,
        model,
        inputTokens,
        outputTokens,
        cachedInputTokens: cached,
        reasoningTokens: reasoning,
        durationMs,
        timeToFirstTokenMs: ttftMs,
        status,
      });
    };
    const fail = (error: unknown) => {
      const { status, type } = statusOf(error);
      finish(status, undefined, undefined, error, type);
    };

    // The caller's body is not mutated: usage is asked for on a copy.
    const hideUsage = body?.stream === true && body.stream_options?.include_usage !== true;
    const request = hideUsage ? { ...body, stream_options: { ...body.stream_options, include_usage: true } } : body;
    let pending: unknown;
    try {
      pending = context.with(trace.setSpan(context.active(), span), () => original.call(this, request, options));
    } catch (error) {
      fail(error);
      throw error;
    }
    return Promise.resolve(pending).then(
      (result) => {
        if (body?.stream !== true) {
          const answer = result as ChatResult;
          describeResponse(span, answer, deps.captureContent);
          finish('ok', answer?.usage, undefined);
          return result;
        }
        return wrapStream(result, span, started, hideUsage, finish);
      },
      (error: unknown) => {
        fail(error);
        throw error;
      },
    );
  };
  Object.defineProperty(completions, INSTRUMENTED, { value: true });
  return client;
}

function describeResponse(span: Span, answer: ChatResult, captureContent: boolean): void {
  if (typeof answer?.model === 'string') span.setAttribute(GEN_AI.RESPONSE_MODEL, answer.model);
  if (typeof answer?.id === 'string') span.setAttribute(GEN_AI.RESPONSE_ID, answer.id);
  // A non-conforming OpenAI-compatible server may send anything here: never let it throw.
  const choices = Array.isArray(answer?.choices) ? answer.choices : [];
  const reasons = choices.map((choice) => choice?.finish_reason).filter((reason): reason is string => typeof reason === 'string');
  if (reasons.length > 0) span.setAttribute(GEN_AI.RESPONSE_FINISH_REASONS, reasons);
  if (captureContent && choices.length > 0) span.setAttribute(GEN_AI.OUTPUT_MESSAGES, json(choices.map((choice) => choice?.message)));
}

type Finish = (
  status: CompletionStatus,
  usage: Usage | null | undefined,
  ttftMs: number | undefined,
  error?: unknown,
  errorType?: string,
) => void;

/**
 * Replaces the stream's iterator with one that watches the chunks. openai's `Stream` reads its
 * chunks through `this.iterator()` for `for await`, `tee()` and `toReadableStream()` alike, so
 * wrapping that one function covers all three; anything else async-iterable is wrapped through
 * `Symbol.asyncIterator`.
 */
function wrapStream(stream: unknown, span: Span, started: number, hideUsage: boolean, finish: Finish): unknown {
  const target = stream as Record<PropertyKey, unknown>;
  const key: PropertyKey = typeof target.iterator === 'function' ? 'iterator' : Symbol.asyncIterator;
  const open = target[key] as (() => AsyncIterator<ChatResult>) | undefined;
  if (typeof open !== 'function') {
    finish('ok', undefined, undefined);
    return stream;
  }
  target[key] = () => watch(open.call(stream));

  async function* watch(source: AsyncIterator<ChatResult>): AsyncGenerator<ChatResult> {
    let usage: Usage | undefined;
    let ttftMs: number | undefined;
    let id: string | undefined;
    let model: string | undefined;
    const reasons: string[] = [];
    let outcome: 'ok' | 'error' | 'cancelled' = 'cancelled';
    let failure: unknown;
    try {
      // for-await calls source.return() when the caller breaks out (this generator is closed at a
      // yield), which makes openai abort the HTTP request.
      for await (const chunk of { [Symbol.asyncIterator]: () => source }) {
        if (chunk?.usage) usage = chunk.usage;
        if (typeof chunk?.id === 'string') id = chunk.id;
        if (typeof chunk?.model === 'string') model = chunk.model;
        const choices = Array.isArray(chunk?.choices) ? chunk.choices : [];
        for (const choice of choices) if (typeof choice?.finish_reason === 'string') reasons.push(choice.finish_reason);
        if (hideUsage) {
          // The usage-only chunk (no choices) exists only because we asked for it.
          if (choices.length === 0 && chunk.usage) continue;
          if (chunk && 'usage' in chunk) delete chunk.usage;
        }
        if (ttftMs === undefined && choices.length > 0) ttftMs = performance.now() - started;
        yield chunk;
      }
      outcome = 'ok';
    } catch (error) {
      outcome = 'error';
      failure = error;
      throw error;
    } finally {
      if (model !== undefined) span.setAttribute(GEN_AI.RESPONSE_MODEL, model);
      if (id !== undefined) span.setAttribute(GEN_AI.RESPONSE_ID, id);
      if (reasons.length > 0) span.setAttribute(GEN_AI.RESPONSE_FINISH_REASONS, reasons);
      if (outcome === 'error') {
        const { status, type } = statusOf(failure);
        finish(status, usage, ttftMs, failure, type);
      } else {
        finish(outcome, usage, ttftMs);
      }
    }
  }
  return stream;
}
