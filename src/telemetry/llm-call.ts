/**
 * One LLM call as every instrumentation sees it: a CLIENT span `{operation} {model}` with the
 * GenAI attributes, ended exactly once, and one `recordCompletion` with the same numbers. The
 * OpenAI, Anthropic and AI SDK instrumentations only translate their provider's shapes into
 * {@link LlmCall}'s methods, so spans and records look the same whatever the provider.
 */
import { type Context, context, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { type Attribution, attributeSpan, attributionIn } from './attribution.js';
import { GEN_AI } from './llm.js';
import { recordFailure } from './tracing.js';
import type { CompletionRecord, CompletionStatus } from './types.js';

/** What an instrumentation needs from its telemetry instance. */
export interface LlmDeps {
  /** The tracer the spans are started on. */
  tracer: Tracer;
  /** Records each finished call (the instance's `recordCompletion`). */
  record(completion: CompletionRecord): unknown;
  /** Provider label and `gen_ai.provider.name`, e.g. `openai`. */
  provider: string;
  /** Put prompts and answers on the spans (they may hold personal data). */
  captureContent: boolean;
}

/** The request side of a call. */
export interface LlmRequest {
  /** `gen_ai.operation.name`: `chat` or `embeddings`. */
  operation: string;
  /** The model asked for. */
  model: unknown;
  /** The API host and port, when known. */
  server?: { address: string; port: number } | undefined;
  /** Token limit asked for. */
  maxTokens?: unknown;
  /** Temperature asked for. */
  temperature?: unknown;
  /** top_p asked for. */
  topP?: unknown;
  /** Whether the answer is streamed. */
  stream?: boolean | undefined;
  /** The prompt, put on the span only with `captureContent`. */
  input?: unknown;
}

/** Token counts in the record's convention: input includes cache reads and writes, output includes reasoning. */
export interface LlmUsage {
  /** All input tokens. */
  inputTokens: number;
  /** All output tokens. */
  outputTokens: number;
  /** The part of `inputTokens` read from the prompt cache. */
  cachedInputTokens?: number | undefined;
  /** The part of `inputTokens` written to the prompt cache. */
  cacheCreationInputTokens?: number | undefined;
  /** The part of `outputTokens` spent reasoning. */
  reasoningTokens?: number | undefined;
}

/** The response side of a call, as far as it is known. */
export interface LlmResponse {
  /** The model that answered. */
  model?: unknown;
  /** The provider's id of the answer. */
  id?: unknown;
  /** Why the answer ended, per choice. */
  finishReasons?: string[] | undefined;
  /** The answer, put on the span only with `captureContent`. */
  output?: unknown;
}

const MAX_CONTENT_CHARS = 16_384;

/** JSON of `value`, cut to 16 kB, '' when it cannot be serialised. */
export const contentJson = (value: unknown): string => {
  try {
    const text = (typeof value === 'string' ? value : JSON.stringify(value)) ?? '';
    return text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS - 1)}…` : text;
  } catch {
    return '';
  }
};

/**
 * How a failure is counted: `rate_limited` for HTTP 429, `cancelled` for an abort, else `error`;
 * its type is the HTTP status, else the provider's error type (`overloaded_error`), `timeout`,
 * or the error's class name.
 */
export function classifyFailure(error: unknown): { status: CompletionStatus; type: string } {
  const failure = error as {
    status?: unknown;
    statusCode?: unknown;
    name?: unknown;
    type?: unknown;
    error?: { type?: unknown; error?: { type?: unknown } };
    message?: unknown;
    constructor?: { name?: string };
  } | null;
  const code = typeof failure?.status === 'number' ? failure.status : failure?.statusCode;
  if (typeof code === 'number') return { status: code === 429 ? 'rate_limited' : 'error', type: String(code) };
  const name = String(failure?.name ?? '') || failure?.constructor?.name || 'Error';
  const names = `${name} ${failure?.constructor?.name ?? ''}`;
  if (/Abort/i.test(names)) return { status: 'cancelled', type: 'cancelled' };
  if (/Timeout/i.test(names)) return { status: 'error', type: 'timeout' };
  const providerType = failure?.error?.error?.type ?? failure?.error?.type ?? errorTypeInMessage(failure?.message);
  if (typeof providerType === 'string' && providerType !== 'error') return { status: 'error', type: providerType };
  return { status: 'error', type: failure?.constructor?.name && failure.constructor.name !== 'Object' ? failure.constructor.name : name };
}

/**
 * The provider's error type when an SDK passed a stream's error event on as the message of a
 * connection error (`@anthropic-ai/sdk` before 0.50: `{"type":"error","error":{"type":"overloaded_error",…}}`).
 */
function errorTypeInMessage(message: unknown): unknown {
  if (typeof message !== 'string' || !message.startsWith('{') || message.length > 4096) return undefined;
  try {
    return (JSON.parse(message) as { error?: { type?: unknown } } | null)?.error?.type;
  } catch {
    return undefined;
  }
}

/** The host and port of an API base URL, for `server.address`/`server.port`. */
export function serverOf(baseURL: unknown): { address: string; port: number } | undefined {
  if (typeof baseURL !== 'string') return undefined;
  try {
    const url = new URL(baseURL);
    return { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  } catch {
    return undefined;
  }
}

/** One call in flight: its span, its clock, and the record written when it ends. */
export class LlmCall {
  /** The call's CLIENT span. */
  readonly span: Span;
  private readonly started = performance.now();
  private readonly model: string;
  private ttftMs: number | undefined;
  private usage: LlmUsage | undefined;
  private responseModel: string | undefined;
  private ended = false;
  /** The caller's context, read once: the span's parent, the attribution scope, the base of {@link run}'s context. */
  private readonly parent: Context = context.active();
  /** The attribution scope the call was made in (a stream may be read elsewhere). */
  private readonly attribution: Attribution | undefined = attributionIn(this.parent);

  constructor(
    private readonly deps: LlmDeps,
    private readonly operation: string,
    request: LlmRequest,
  ) {
    this.model = typeof request.model === 'string' && request.model !== '' ? request.model : 'unknown';
    const span = deps.tracer.startSpan(`${operation} ${this.model}`, { kind: SpanKind.CLIENT }, this.parent);
    this.span = span;
    span.setAttribute(GEN_AI.OPERATION_NAME, operation);
    span.setAttribute(GEN_AI.PROVIDER_NAME, deps.provider);
    span.setAttribute(GEN_AI.REQUEST_MODEL, this.model);
    if (request.server) {
      span.setAttribute(GEN_AI.SERVER_ADDRESS, request.server.address);
      span.setAttribute(GEN_AI.SERVER_PORT, request.server.port);
    }
    if (typeof request.maxTokens === 'number') span.setAttribute(GEN_AI.REQUEST_MAX_TOKENS, request.maxTokens);
    if (typeof request.temperature === 'number') span.setAttribute(GEN_AI.REQUEST_TEMPERATURE, request.temperature);
    if (typeof request.topP === 'number') span.setAttribute(GEN_AI.REQUEST_TOP_P, request.topP);
    if (request.stream) span.setAttribute(GEN_AI.REQUEST_STREAM, true);
    if (deps.captureContent && request.input !== undefined) span.setAttribute(GEN_AI.INPUT_MESSAGES, contentJson(request.input));
    if (this.attribution !== undefined) attributeSpan(span, this.attribution);
  }

  /** Whether prompts and answers go on the span (`captureContent`): handlers read the answer's content only then. */
  get capturesContent(): boolean {
    return this.deps.captureContent;
  }

  /** Runs `fn` with the span active, so the HTTP client's spans become its children (called as the call starts, in the caller's context). */
  run<T>(fn: () => T): T {
    return context.with(trace.setSpan(this.parent, this.span), fn);
  }

  /** Notes the first streamed content; the time to it is measured once. */
  firstChunk(): void {
    if (this.ttftMs === undefined) this.ttftMs = performance.now() - this.started;
  }

  /** Sets the token counts (a later call replaces them: streams report cumulative usage). */
  setUsage(usage: LlmUsage | undefined): void {
    if (usage !== undefined) this.usage = usage;
  }

  /** Sets the response attributes that are known. */
  respond(response: LlmResponse): void {
    const span = this.span;
    if (typeof response.model === 'string') {
      this.responseModel = response.model;
      span.setAttribute(GEN_AI.RESPONSE_MODEL, response.model);
    }
    if (typeof response.id === 'string') span.setAttribute(GEN_AI.RESPONSE_ID, response.id);
    if (response.finishReasons !== undefined && response.finishReasons.length > 0)
      span.setAttribute(GEN_AI.RESPONSE_FINISH_REASONS, response.finishReasons);
    if (this.deps.captureContent && response.output !== undefined) span.setAttribute(GEN_AI.OUTPUT_MESSAGES, contentJson(response.output));
  }

  /** Ends the call as answered (`ok`) or abandoned by the caller (`cancelled`). A second end is ignored. */
  end(status: 'ok' | 'cancelled' = 'ok'): void {
    if (status === 'cancelled') this.finish('cancelled', 'cancelled', undefined);
    else this.finish('ok', undefined, undefined);
  }

  /** Ends the call as failed: exception and `error.type` on the span, the status and type on the record. */
  fail(error: unknown): void {
    const { status, type } = classifyFailure(error);
    this.finish(status, type, error);
  }

  private finish(status: CompletionStatus, errorType: string | undefined, error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const durationMs = performance.now() - this.started;
    const span = this.span;
    const usage = this.usage;
    if (usage !== undefined) {
      span.setAttribute(GEN_AI.USAGE_INPUT_TOKENS, usage.inputTokens);
      span.setAttribute(GEN_AI.USAGE_OUTPUT_TOKENS, usage.outputTokens);
      if (usage.cachedInputTokens !== undefined) span.setAttribute(GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS, usage.cachedInputTokens);
      if (usage.cacheCreationInputTokens !== undefined)
        span.setAttribute(GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
      if (usage.reasoningTokens !== undefined) span.setAttribute(GEN_AI.USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
    }
    if (this.ttftMs !== undefined) span.setAttribute(GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK, this.ttftMs / 1000);
    if (error !== undefined) recordFailure(span, error, errorType);
    else if (errorType !== undefined) span.setAttribute(GEN_AI.ERROR_TYPE, errorType);
    span.end();
    this.deps.record({
      provider: this.deps.provider,
      operation: this.operation,
      // The request's model: the price table matches it (a dated snapshot finds its family) and
      // the metric labels stay bounded by what the app asks for.
      model: this.model === 'unknown' && this.responseModel !== undefined ? this.responseModel : this.model,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens,
      cacheCreationInputTokens: usage?.cacheCreationInputTokens,
      reasoningTokens: usage?.reasoningTokens,
      durationMs,
      timeToFirstTokenMs: this.ttftMs,
      status,
      errorType,
      userId: this.attribution?.userId,
      sessionId: this.attribution?.sessionId,
      feature: this.attribution?.feature,
      flags: this.attribution?.flags,
    });
  }
}

/** A count when `value` is a finite number ≥ 0, else undefined (providers may send anything). */
export const countOf = (value: unknown): number | undefined =>
  typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY ? value : undefined;
