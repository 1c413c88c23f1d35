/**
 * AI SDK middlewares bound to the ready-made `telemetry` instance, for apps that do not build
 * their own: `wrapLanguageModel({ model, middleware: eliteMiddleware() })`.
 */
import type { AiSdkEmbeddingModelMiddleware, AiSdkLanguageModelMiddleware } from './ai-sdk.js';
import { telemetry } from './singleton.js';
import type { InstrumentOpenAIOptions } from './types.js';

/**
 * A Vercel AI SDK language-model middleware recording into the ready-made `telemetry` (the one
 * `telemetry.configure()` last set up, looked up on each call).
 * @example
 * import { openai } from '@ai-sdk/openai';
 * import { generateText, wrapLanguageModel } from 'ai';
 * import { eliteMiddleware } from '@tiqology/elite/telemetry';
 *
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: eliteMiddleware() });
 * const { text } = await generateText({ model, prompt: 'Say hello' });
 */
export function eliteMiddleware(options?: InstrumentOpenAIOptions): AiSdkLanguageModelMiddleware {
  return {
    specificationVersion: 'v3',
    wrapGenerate: (args) => telemetry.aiSdkMiddleware(options).wrapGenerate(args),
    wrapStream: (args) => telemetry.aiSdkMiddleware(options).wrapStream(args),
  };
}

/** The embedding-model twin of {@link eliteMiddleware}: `wrapEmbeddingModel({ model, middleware: eliteEmbeddingMiddleware() })`. */
export function eliteEmbeddingMiddleware(options?: InstrumentOpenAIOptions): AiSdkEmbeddingModelMiddleware {
  return {
    specificationVersion: 'v3',
    wrapEmbed: (args) => telemetry.aiSdkEmbeddingMiddleware(options).wrapEmbed(args),
  };
}
