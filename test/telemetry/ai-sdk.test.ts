/**
 * The Vercel AI SDK (`ai`) with the real provider packages (`@ai-sdk/openai`, `@ai-sdk/google`)
 * pointed at the OpenAI and Gemini servers on 127.0.0.1, models wrapped with the middlewares.
 */
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { embed, generateText, streamText, wrapEmbeddingModel, wrapLanguageModel } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, GEN_AI, type Telemetry } from '../../src/telemetry/index.js';
import { GEMINI_USAGE, startGeminiServer } from './gemini-server.js';
import { EMBEDDING_TOKENS, startOpenAIServer, USAGE } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
let openaiServer: Awaited<ReturnType<typeof startOpenAIServer>>;
let geminiServer: Awaited<ReturnType<typeof startGeminiServer>>;
let t: Telemetry;

beforeAll(async () => {
  [openaiServer, geminiServer] = await Promise.all([startOpenAIServer(), startGeminiServer()]);
});
afterAll(async () => {
  await Promise.all([openaiServer.close(), geminiServer.close()]);
});
beforeEach(() => {
  openaiServer.seen.length = 0;
  geminiServer.seen.length = 0;
  t = createTelemetry({ logger: { warn: () => {}, error: () => {} } });
});

const llmSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.attributes[GEN_AI.PROVIDER_NAME] !== undefined);
const sample = async (prefix: string) => {
  const line = (await t.metrics()).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
const openai = () => createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL });
const google = () => createGoogleGenerativeAI({ apiKey: 'g-test', baseURL: geminiServer.baseURL });
// gpt-4o: (20 × 2.50 + 100 × 1.25 + 30 × 10) / 1M
const GPT4O_COST = 0.000475;
// gemini-2.5-flash: 120 prompt of which 100 cached, 20 candidates + 10 thoughts = 30 output:
// (20 × 0.30 + 100 × 0.03 + 30 × 2.50) / 1M = (6 + 3 + 75) / 1M
const GEMINI_COST = 0.000084;

describe('AI SDK middleware, OpenAI provider', () => {
  it('generateText: one CLIENT span and record, the same shape as instrumentOpenAI', async () => {
    const model = wrapLanguageModel({ model: openai().chat('gpt-4o'), middleware: t.aiSdkMiddleware() });
    const { text } = await generateText({ model, prompt: 'Say hello', maxOutputTokens: 64, maxRetries: 0 });
    expect(text).toBe('Hello there!');
    const [span, ...rest] = llmSpans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('chat gpt-4o');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.OPERATION_NAME]: 'chat',
      [GEN_AI.PROVIDER_NAME]: 'openai',
      [GEN_AI.REQUEST_MODEL]: 'gpt-4o',
      [GEN_AI.RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [GEN_AI.RESPONSE_ID]: 'chatcmpl-1',
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['stop'],
      [GEN_AI.REQUEST_MAX_TOKENS]: 64,
      [GEN_AI.USAGE_INPUT_TOKENS]: USAGE.prompt_tokens,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: USAGE.completion_tokens,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: 100,
      [GEN_AI.USAGE_REASONING_OUTPUT_TOKENS]: 10,
    });
    expect(await sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(GPT4O_COST, 12);
  });

  it('streamText: usage from the finish part, time to first chunk, span ended when the stream is read', async () => {
    const model = wrapLanguageModel({ model: openai().chat('gpt-4o'), middleware: t.aiSdkMiddleware() });
    const result = streamText({ model, prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello there!');
    const [span, ...rest] = llmSpans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.REQUEST_STREAM]).toBe(true);
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(120);
    expect(span?.attributes[GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(await sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(GPT4O_COST, 12);
    expect(await sample('llm_time_to_first_token_seconds_count{provider="openai",model="gpt-4o"}')).toBe(1);
  });

  it('streamText failing midway: the span ends with an error, counted as an error', async () => {
    const model = wrapLanguageModel({ model: openai().chat('stream-error'), middleware: t.aiSdkMiddleware() });
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: 'Say hello', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    for await (const _delta of result.textStream);
    expect(errors).toHaveLength(1);
    const [span] = llmSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(typeof span?.attributes[GEN_AI.ERROR_TYPE]).toBe('string');
    expect(await sample('llm_chat_completions_total{provider="openai",model="stream-error",status="error"}')).toBe(1);
  });

  it('generateText against an unknown model: 404, one failed span with error.type 404', async () => {
    const model = wrapLanguageModel({ model: openai().chat('gpt-9'), middleware: t.aiSdkMiddleware() });
    await expect(generateText({ model, prompt: 'hi', maxRetries: 0 })).rejects.toThrow(/does not exist/);
    expect(llmSpans().map((s) => s.attributes[GEN_AI.ERROR_TYPE])).toEqual(['404']);
  });

  it('an aborted streamText: counted as cancelled', async () => {
    const model = wrapLanguageModel({ model: openai().chat('slow-stream'), middleware: t.aiSdkMiddleware() });
    const controller = new AbortController();
    const result = streamText({ model, prompt: 'hi', maxRetries: 0, abortSignal: controller.signal, onError: () => {} });
    let n = 0;
    try {
      for await (const _delta of result.textStream) if (++n === 3) controller.abort();
    } catch {}
    await expect.poll(() => llmSpans().length).toBe(1);
    expect(await sample('llm_chat_completions_total{provider="openai",model="slow-stream",status="cancelled"}')).toBe(1);
  });

  it('streamText past its timeout (AbortSignal.timeout): one failed span, error.type timeout', async () => {
    const model = wrapLanguageModel({ model: openai().chat('slow-stream'), middleware: t.aiSdkMiddleware() });
    // slow-stream sends 50 deltas 20 ms apart: the 100 ms budget runs out midway (or, on a slow
    // machine, before the headers; a timeout either way).
    const result = streamText({ model, prompt: 'hi', maxRetries: 0, abortSignal: AbortSignal.timeout(100), onError: () => {} });
    try {
      for await (const _delta of result.textStream);
    } catch {}
    await expect.poll(() => llmSpans().length).toBe(1);
    expect(llmSpans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('timeout');
    expect(llmSpans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(
      await sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="slow-stream",error_type="timeout"}',
      ),
    ).toBe(1);
  });

  it('embed through the embedding middleware: one `embeddings` span, priced', async () => {
    const model = wrapEmbeddingModel({ model: openai().embedding('text-embedding-3-small'), middleware: t.aiSdkEmbeddingMiddleware() });
    const { embedding } = await embed({ model, value: 'hello', maxRetries: 0 });
    expect(embedding).toHaveLength(3);
    const [span, ...rest] = llmSpans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('embeddings text-embedding-3-small');
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(EMBEDDING_TOKENS);
    expect(await sample('llm_cost_usd_total{provider="openai",model="text-embedding-3-small"}')).toBeCloseTo(
      (EMBEDDING_TOKENS * 0.02) / 1e6,
      15,
    );
  });
});

describe('AI SDK middleware, Google Gemini provider', () => {
  it('generateText: provider gcp.gemini, cached and thinking tokens as parts, priced', async () => {
    const model = wrapLanguageModel({ model: google()('gemini-2.5-flash'), middleware: t.aiSdkMiddleware() });
    const { text } = await generateText({ model, prompt: 'Say hello', maxRetries: 0 });
    expect(text).toBe('Hello there!');
    const [span, ...rest] = llmSpans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.PROVIDER_NAME]: 'gcp.gemini',
      [GEN_AI.REQUEST_MODEL]: 'gemini-2.5-flash',
      [GEN_AI.USAGE_INPUT_TOKENS]: GEMINI_USAGE.promptTokenCount,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: GEMINI_USAGE.candidatesTokenCount + GEMINI_USAGE.thoughtsTokenCount,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: 100,
      [GEN_AI.USAGE_REASONING_OUTPUT_TOKENS]: 10,
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['STOP'],
    });
    expect(await sample('llm_cost_usd_total{provider="gcp.gemini",model="gemini-2.5-flash"}')).toBeCloseTo(GEMINI_COST, 12);
  });

  it('streamText over streamGenerateContent SSE: one span, usage from the last chunk', async () => {
    const model = wrapLanguageModel({ model: google()('gemini-2.5-flash'), middleware: t.aiSdkMiddleware() });
    const result = streamText({ model, prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello there!');
    expect(geminiServer.seen[0]?.url).toMatch(/:streamGenerateContent\?alt=sse$/);
    const [span, ...rest] = llmSpans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(120);
    expect(await sample('llm_cost_usd_total{provider="gcp.gemini",model="gemini-2.5-flash"}')).toBeCloseTo(GEMINI_COST, 12);
  });

  it('an error frame midway through a Gemini stream: the span ends failed', async () => {
    const model = wrapLanguageModel({ model: google()('gemini-stream-error'), middleware: t.aiSdkMiddleware() });
    const result = streamText({ model, prompt: 'Say hello', maxRetries: 0, onError: () => {} });
    for await (const _delta of result.textStream);
    const [span] = llmSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await sample('llm_chat_completions_total{provider="gcp.gemini",model="gemini-stream-error",status="error"}')).toBe(1);
  });

  it('the Gemini server rejects what the API would: no key, unknown model', async () => {
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${geminiServer.baseURL}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
    expect((await post('/models/gemini-2.5-flash:generateContent', {})).status).toBe(403);
    const unknown = await post('/models/gemini-9:generateContent', { 'x-goog-api-key': 'k' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.status).toBe('NOT_FOUND');
  });
});
