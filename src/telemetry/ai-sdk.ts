/**
 * Vercel AI SDK (`ai` ≥ 6) instrumentation: a language-model middleware and an embedding-model
 * middleware (specification `v3`) for `wrapLanguageModel` / `wrapEmbeddingModel`, so
 * `generateText`, `streamText`, `generateObject`, `embed` and `embedMany` get the same span and
 * record as the client instrumentations, whatever the provider package. Typed structurally: `ai`
 * and `@ai-sdk/provider` are never imported.
 */

import { watchParts } from './ai-sdk-stream.js';
import { aiSdkUsage, type ResultLike, reasonOf } from './ai-sdk-usage.js';
import { GEN_AI_OPERATION_CHAT, GEN_AI_OPERATION_EMBEDDINGS } from './llm.js';
import { countOf, LlmCall, type LlmDeps } from './llm-call.js';

/** The part of an AI SDK model the middleware reads. */
export interface AiSdkModelLike {
  /** The provider id, e.g. `openai.chat`, `google.generative-ai`, `anthropic.messages`. */
  readonly provider: string;
  /** The model id, e.g. `gpt-4o`. */
  readonly modelId: string;
}

/** The call options the middleware reads (a part of `LanguageModelV3CallOptions`). */
export interface AiSdkCallOptionsLike {
  /** The prompt; put on the span only with `captureContent`. */
  prompt?: unknown;
  /** Token limit. */
  maxOutputTokens?: number | undefined;
  /** Temperature. */
  temperature?: number | undefined;
  /** top_p. */
  topP?: number | undefined;
}

/** A `LanguageModelV3Middleware` (what `wrapLanguageModel({ model, middleware })` takes). */
export interface AiSdkLanguageModelMiddleware {
  /** The middleware specification version. */
  readonly specificationVersion: 'v3';
  /** Wraps `doGenerate` (`generateText`, `generateObject`). */
  wrapGenerate(options: { doGenerate: () => PromiseLike<unknown>; params: AiSdkCallOptionsLike; model: AiSdkModelLike }): Promise<never>;
  /** Wraps `doStream` (`streamText`, `streamObject`). */
  wrapStream(options: { doStream: () => PromiseLike<unknown>; params: AiSdkCallOptionsLike; model: AiSdkModelLike }): Promise<never>;
}

/** An `EmbeddingModelV3Middleware` (what `wrapEmbeddingModel({ model, middleware })` takes). */
export interface AiSdkEmbeddingModelMiddleware {
  /** The middleware specification version. */
  readonly specificationVersion: 'v3';
  /** Wraps `doEmbed` (`embed`, `embedMany`). */
  wrapEmbed(options: { doEmbed: () => PromiseLike<unknown>; params: { values?: unknown }; model: AiSdkModelLike }): Promise<never>;
}

/** What the middlewares need from the telemetry instance; the provider comes from each model. */
export interface AiSdkDeps extends Omit<LlmDeps, 'provider'> {
  /** Overrides the provider taken from the model. */
  provider?: string | undefined;
}

/**
 * `gen_ai.provider.name` of an AI SDK provider id: `openai.responses` → `openai`,
 * `google.generative-ai` → `gcp.gemini`, `google.vertex.chat` → `gcp.vertex_ai`,
 * `anthropic.messages` → `anthropic`; others keep the part before the first dot.
 */
export function aiSdkProviderName(provider: unknown): string {
  const id = typeof provider === 'string' && provider !== '' ? provider : 'unknown';
  if (id.startsWith('google.vertex')) return 'gcp.vertex_ai';
  if (id.startsWith('google')) return 'gcp.gemini';
  const dot = id.indexOf('.');
  return dot > 0 ? id.slice(0, dot) : id;
}

/** The deps of one call, made once per provider id of the models a middleware sees (a handful). */
function depsByProvider(deps: AiSdkDeps): (model: AiSdkModelLike) => LlmDeps {
  const made = new Map<unknown, LlmDeps>();
  return (model) => {
    const id = model?.provider;
    let callDeps = made.get(id);
    if (callDeps === undefined) {
      callDeps = { ...deps, provider: deps.provider ?? aiSdkProviderName(id) };
      if (made.size < 64) made.set(id, callDeps);
    }
    return callDeps;
  };
}

function startCall(
  callDeps: LlmDeps,
  operation: string,
  model: AiSdkModelLike,
  params: AiSdkCallOptionsLike,
  stream: boolean,
  input: unknown,
) {
  return new LlmCall(callDeps, operation, {
    operation,
    model: model?.modelId,
    maxTokens: params?.maxOutputTokens,
    temperature: params?.temperature,
    topP: params?.topP,
    stream,
    input,
  });
}

/**
 * The language-model middleware: one CLIENT span `chat {model}` and one `recordCompletion` per
 * model call (each retry of the AI SDK is a call), cached, cache-write and reasoning tokens
 * counted, errors and aborts ended with their type, a stream cancelled by its reader counted
 * `cancelled`.
 */
export function createAiSdkMiddleware(deps: AiSdkDeps): AiSdkLanguageModelMiddleware {
  const depsOf = depsByProvider(deps);
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, params, model }) {
      const call = startCall(depsOf(model), GEN_AI_OPERATION_CHAT, model, params, false, params?.prompt);
      try {
        const result = (await call.run(doGenerate)) as ResultLike;
        call.setUsage(aiSdkUsage(result?.usage));
        call.respond({
          id: result?.response?.id,
          model: result?.response?.modelId,
          finishReasons: reasonOf(result?.finishReason),
          output: call.capturesContent ? result?.content : undefined,
        });
        call.end();
        return result as never;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },
    async wrapStream({ doStream, params, model }) {
      const call = startCall(depsOf(model), GEN_AI_OPERATION_CHAT, model, params, true, params?.prompt);
      try {
        const result = (await call.run(doStream)) as { stream: ReadableStream<unknown> };
        return { ...result, stream: watchParts(call, result.stream) } as never;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },
  };
}

/** The embedding-model middleware: one span `embeddings {model}` and one record per `doEmbed`. */
export function createAiSdkEmbeddingMiddleware(deps: AiSdkDeps): AiSdkEmbeddingModelMiddleware {
  const depsOf = depsByProvider(deps);
  return {
    specificationVersion: 'v3',
    async wrapEmbed({ doEmbed, params, model }) {
      const call = startCall(depsOf(model), GEN_AI_OPERATION_EMBEDDINGS, model, {}, false, params?.values);
      try {
        const result = (await call.run(doEmbed)) as { usage?: { tokens?: number }; response?: { id?: string; modelId?: string } };
        const tokens = countOf(result?.usage?.tokens);
        if (tokens !== undefined) call.setUsage({ inputTokens: tokens, outputTokens: 0 });
        call.end();
        return result as never;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },
  };
}
