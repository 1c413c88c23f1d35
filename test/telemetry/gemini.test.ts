/** The real `@google/genai` client, instrumented, against the Gemini API server on 127.0.0.1. */
import { ApiError, GoogleGenAI } from '@google/genai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, GEN_AI, type Telemetry } from '../../src/telemetry/index.js';
import { GEMINI_USAGE, startGeminiServer } from './gemini-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
let server: Awaited<ReturnType<typeof startGeminiServer>>;
let t: Telemetry;
let ai: GoogleGenAI;

beforeAll(async () => {
  server = await startGeminiServer();
});
afterAll(async () => {
  await server.close();
});
const newClient = (apiKey = 'gemini-test-key') =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: server.origin, retryOptions: { attempts: 1 } } });
beforeEach(() => {
  server.seen.length = 0;
  t = createTelemetry({ logger: { warn: () => {}, error: () => {} } });
  ai = t.instrumentGemini(newClient());
});

const spans = (prefix = 'chat '): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith(prefix));
const sample = async (prefix: string) => {
  const line = (await t.metrics()).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
// gemini-2.5-flash ($0.30 in, $0.03 cached, $2.50 out per 1M): promptTokenCount 120 holds the 100
// cached; thinking (10) is output next to the 20 candidate tokens:
// 20 × 0.30 + 100 × 0.03 + (20 + 10) × 2.50 = 6 + 3 + 75 = 84 / 1M
const COST = 0.000084;
const MODEL = 'provider="gcp.gemini",model="gemini-2.5-flash"';
const contents = 'Say hello';

describe('instrumentGemini', () => {
  it('generateContent: one CLIENT span; cached tokens a part of the input, thinking a part of the output, priced once', async () => {
    const answer = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents,
      config: { maxOutputTokens: 64, temperature: 0.2 },
    });
    expect(answer.text).toBe('Hello there!');
    expect(server.seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('chat gemini-2.5-flash');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.OPERATION_NAME]: 'chat',
      [GEN_AI.PROVIDER_NAME]: 'gcp.gemini',
      [GEN_AI.REQUEST_MODEL]: 'gemini-2.5-flash',
      [GEN_AI.RESPONSE_MODEL]: 'gemini-2.5-flash',
      [GEN_AI.RESPONSE_ID]: 'resp-1',
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['STOP'],
      [GEN_AI.REQUEST_MAX_TOKENS]: 64,
      [GEN_AI.REQUEST_TEMPERATURE]: 0.2,
      [GEN_AI.USAGE_INPUT_TOKENS]: GEMINI_USAGE.promptTokenCount,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: GEMINI_USAGE.candidatesTokenCount + GEMINI_USAGE.thoughtsTokenCount,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: GEMINI_USAGE.cachedContentTokenCount,
      [GEN_AI.USAGE_REASONING_OUTPUT_TOKENS]: GEMINI_USAGE.thoughtsTokenCount,
      [GEN_AI.SERVER_ADDRESS]: '127.0.0.1',
    });
    expect(span?.attributes[GEN_AI.REQUEST_STREAM]).toBeUndefined();
    expect(await sample(`llm_cost_usd_total{${MODEL}}`)).toBeCloseTo(COST, 12);
    expect(await sample(`llm_tokens_total{${MODEL},type="input"}`)).toBe(120);
    expect(await sample(`llm_tokens_total{${MODEL},type="cached_input"}`)).toBe(100);
    expect(await sample(`llm_tokens_total{${MODEL},type="output"}`)).toBe(30);
    expect(await sample(`llm_chat_completions_total{${MODEL},status="ok"}`)).toBe(1);
  });

  it('generateContentStream over SSE: chunks unchanged, usage from the last chunk, time to the first chunk', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Hello there!');
    expect(server.seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.REQUEST_STREAM]: true,
      [GEN_AI.USAGE_INPUT_TOKENS]: 120,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: 30,
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['STOP'],
      [GEN_AI.RESPONSE_ID]: 'resp-1',
    });
    expect(span?.attributes[GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(await sample(`llm_cost_usd_total{${MODEL}}`)).toBeCloseTo(COST, 12);
  });

  it('an error event midway through the stream: the caller gets the ApiError, the span ends failed with error.type 503', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-stream-error', contents });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.text ?? '');
      })(),
    ).rejects.toBeInstanceOf(ApiError);
    expect(seen).toEqual(['Hel']);
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('503');
    expect(await sample('llm_chat_completions_total{provider="gcp.gemini",model="gemini-stream-error",status="error"}')).toBe(1);
  });

  it('a caller breaking out of a stream: counted cancelled', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents });
    for await (const _chunk of stream) break;
    expect(await sample(`llm_chat_completions_total{${MODEL},status="cancelled"}`)).toBe(1);
  });

  it('429, 404 and 400 answers: one failed span each with the HTTP status; 429 counted rate_limited; the SDK refusing input too', async () => {
    await expect(ai.models.generateContent({ model: 'gemini-rate-limited', contents })).rejects.toMatchObject({ status: 429 });
    await expect(ai.models.generateContent({ model: 'gemini-9', contents })).rejects.toMatchObject({ status: 404 });
    const badKey = t.instrumentGemini(newClient('AIza-not-a-key'));
    await expect(badKey.models.generateContent({ model: 'gemini-2.5-flash', contents })).rejects.toMatchObject({ status: 400 });
    // Refused by the SDK before any request.
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [] })).rejects.toThrow('contents are required');
    expect(spans().map((s) => s.attributes[GEN_AI.ERROR_TYPE])).toEqual(['429', '404', '400', 'Error']);
    expect(server.seen).toHaveLength(2);
    expect(await sample('llm_chat_completions_total{provider="gcp.gemini",model="gemini-rate-limited",status="rate_limited"}')).toBe(1);
    expect(await sample('llm_chat_completions_total{provider="gcp.gemini",model="gemini-9",status="error"}')).toBe(1);
  });

  it('embedContent: one `embeddings` span and record (the API reports no tokens for embeddings)', async () => {
    const answer = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['hello', 'world'] });
    expect(answer.embeddings).toHaveLength(2);
    expect(server.seen[0]?.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    const [span, ...rest] = spans('embeddings ');
    expect(rest).toHaveLength(0);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.OPERATION_NAME]: 'embeddings',
      [GEN_AI.PROVIDER_NAME]: 'gcp.gemini',
      [GEN_AI.REQUEST_MODEL]: 'gemini-embedding-001',
    });
    expect(await sample('llm_chat_completions_total{provider="gcp.gemini",model="gemini-embedding-001",status="ok"}')).toBe(1);
  });

  it('instrumenting twice wraps once; a Vertex AI client is named gcp.vertex_ai', async () => {
    expect(t.instrumentGemini(ai)).toBe(ai);
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents });
    expect(spans()).toHaveLength(1);
    const vertex = new GoogleGenAI({ vertexai: true, project: 'p', location: 'us-central1', apiKey: 'k' });
    const { geminiProviderName } = await import('../../src/telemetry/gemini.js');
    expect(geminiProviderName(vertex)).toBe('gcp.vertex_ai');
    expect(geminiProviderName(ai)).toBe('gcp.gemini');
  });

  it('the server speaks the API strictly: a key is required, embeddings name the URL model and have parts', async () => {
    const post = (path: string, body: unknown, key?: string) =>
      fetch(`${server.origin}/v1beta/models/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-goog-api-key': key } : {}) },
        body: JSON.stringify(body),
      });
    const noKey = await post('gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(noKey.status).toBe(403);
    expect((await noKey.json()).error.status).toBe('PERMISSION_DENIED');
    const wrongModel = await post(
      'gemini-embedding-001:batchEmbedContents',
      { requests: [{ model: 'models/other', content: { parts: [{ text: 'hi' }] } }] },
      'k',
    );
    expect(wrongModel.status).toBe(400);
    expect((await wrongModel.json()).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const single = await post('gemini-embedding-001:embedContent', { content: { parts: [{ text: 'hi' }] } }, 'k');
    expect((await single.json()).embedding.values).toHaveLength(3);
  });
});
