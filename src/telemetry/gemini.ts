/**
 * Instrumentation of Google's own Gemini SDK, `@google/genai`: `models.generateContent`,
 * `models.generateContentStream` and `models.embedContent`. Typed structurally: the package is
 * never imported.
 */
import { GEN_AI_OPERATION_CHAT, GEN_AI_OPERATION_EMBEDDINGS } from './llm.js';
import { countOf, type LlmCall, type LlmDeps, type LlmUsage, serverOf } from './llm-call.js';
import { type CallHandlers, wrapMethod } from './llm-wrap.js';

/** A `models` method we wrap, typed loosely so any SDK version's signature fits. */
export type ModelsMethod = (params: never) => Promise<unknown>;

/** The part of a `GoogleGenAI` client we wrap: its `models` module. */
export interface GeminiClientLike {
  /** The models module (`ai.models`). */
  models: {
    /** Generates content (one JSON answer). */
    generateContent: ModelsMethod;
    /** Generates content as an async generator of partial answers (SSE). */
    generateContentStream?: ModelsMethod;
    /** Embeds contents. */
    embedContent?: ModelsMethod;
  };
}

/** Gemini's `usageMetadata` (the fields the record needs). */
export interface GeminiUsageMetadata {
  /** Prompt tokens, the cached ones included. */
  promptTokenCount?: number;
  /** The part of the prompt read from the context cache. */
  cachedContentTokenCount?: number;
  /** Answer tokens, thinking excluded. */
  candidatesTokenCount?: number;
  /** Thinking tokens (billed as output, reported apart from the candidates). */
  thoughtsTokenCount?: number;
  /** Tokens of tool-use prompts (billed as input, reported apart from the prompt). */
  toolUsePromptTokenCount?: number;
}

interface GenerateParams {
  model?: unknown;
  contents?: unknown;
  config?: { maxOutputTokens?: unknown; temperature?: unknown; topP?: unknown } | null;
}

interface GenerateResponse {
  responseId?: unknown;
  modelVersion?: unknown;
  candidates?: { finishReason?: unknown; content?: unknown }[];
  usageMetadata?: GeminiUsageMetadata | null;
}

/**
 * Gemini's usage in the record's convention: `promptTokenCount` already includes
 * `cachedContentTokenCount` (so the cache read is a part of the input), tool-use prompt tokens are
 * added to the input, and `thoughtsTokenCount` is added to `candidatesTokenCount` as the output,
 * of which it is the reasoning part: every token is priced once.
 */
export function geminiUsage(usage: GeminiUsageMetadata | null | undefined): LlmUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const thoughts = countOf(usage.thoughtsTokenCount);
  return {
    inputTokens: (countOf(usage.promptTokenCount) ?? 0) + (countOf(usage.toolUsePromptTokenCount) ?? 0),
    outputTokens: (countOf(usage.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
    cachedInputTokens: countOf(usage.cachedContentTokenCount),
    reasoningTokens: thoughts,
  };
}

/** The finish reasons of the candidates that have one. */
function finishReasons(candidates: GenerateResponse['candidates'], into: string[] = []): string[] {
  if (Array.isArray(candidates))
    for (const candidate of candidates) if (typeof candidate?.finishReason === 'string') into.push(candidate.finishReason);
  return into;
}

function describeGenerate(server: LlmServer, stream: boolean) {
  return (params: GenerateParams) => ({
    operation: GEN_AI_OPERATION_CHAT,
    model: params?.model,
    server,
    maxTokens: params?.config?.maxOutputTokens,
    temperature: params?.config?.temperature,
    topP: params?.config?.topP,
    stream,
    input: params?.contents,
  });
}

function generateHandlers(call: LlmCall, params: GenerateParams): CallHandlers {
  // Streamed: each chunk may carry the running usage (the last one wins) and finish reasons.
  let last: GenerateResponse | undefined;
  let reasons: string[] = [];
  return {
    request: params,
    onAnswer(answer) {
      const response = answer as GenerateResponse;
      call.setUsage(geminiUsage(response?.usageMetadata));
      call.respond({
        id: response?.responseId,
        model: response?.modelVersion,
        finishReasons: finishReasons(response?.candidates),
        output: call.capturesContent && Array.isArray(response?.candidates) ? response.candidates.map((c) => c?.content) : undefined,
      });
    },
    observe(item) {
      const chunk = item as GenerateResponse;
      if (chunk === null || typeof chunk !== 'object') return true;
      last = chunk;
      if (chunk.usageMetadata) call.setUsage(geminiUsage(chunk.usageMetadata));
      if (Array.isArray(chunk.candidates) && chunk.candidates.length > 0) {
        call.firstChunk();
        reasons = finishReasons(chunk.candidates, reasons);
      }
      return true;
    },
    beforeEnd: () => call.respond({ id: last?.responseId, model: last?.modelVersion, finishReasons: reasons }),
  };
}

type LlmServer = { address: string; port: number } | undefined;

/** The API host of the client (`models.apiClient.getBaseUrl()`, internal to the SDK; undefined when absent). */
function serverOfModels(models: unknown): LlmServer {
  try {
    const apiClient = (models as { apiClient?: { getBaseUrl?: () => unknown } }).apiClient;
    return serverOf(apiClient?.getBaseUrl?.());
  } catch {
    return undefined;
  }
}

/** `gcp.vertex_ai` for a client made with `vertexai: true`, else `gcp.gemini`. */
export function geminiProviderName(client: unknown): string {
  try {
    const apiClient = (client as { models?: { apiClient?: { isVertexAI?: () => unknown } } }).models?.apiClient;
    return apiClient?.isVertexAI?.() === true ? 'gcp.vertex_ai' : 'gcp.gemini';
  } catch {
    return 'gcp.gemini';
  }
}

/**
 * Wraps `client.models.generateContent`, `generateContentStream` and `embedContent` in place
 * (once; a second call is a no-op) and returns the client. Every call gets one CLIENT span
 * (`chat {model}`, `embeddings {model}`) with the GenAI attributes and one `recordCompletion`,
 * whether it answers, fails (the SDK's `ApiError` is counted with its HTTP status), or is a
 * stream read to the end, left with `break`, or failing midway (an error event in the SSE stream
 * is an `ApiError` too). Usage comes from `usageMetadata` ({@link geminiUsage}). A stream that is
 * never iterated keeps its span open. The Gemini API's embedding answer carries no token counts
 * (`@google/genai` 2.x keeps none): embeddings calls are counted with 0 tokens unless the answer
 * has `usageMetadata`.
 */
export function instrumentGeminiClient<T extends GeminiClientLike>(client: T, deps: LlmDeps): T {
  const models = client?.models;
  const server = serverOfModels(models);
  wrapMethod(models, deps, describeGenerate(server, false), generateHandlers, 'generateContent');
  wrapMethod(models, deps, describeGenerate(server, true), generateHandlers, 'generateContentStream');
  wrapMethod(
    models,
    deps,
    (params: GenerateParams) => ({ operation: GEN_AI_OPERATION_EMBEDDINGS, model: params?.model, server, input: params?.contents }),
    (call, params) => ({
      request: params,
      onAnswer(answer) {
        const usage = geminiUsage((answer as GenerateResponse)?.usageMetadata);
        if (usage !== undefined) call.setUsage({ inputTokens: usage.inputTokens, outputTokens: 0 });
      },
    }),
    'embedContent',
  );
  return client;
}
