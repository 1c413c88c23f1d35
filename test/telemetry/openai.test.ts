/** The real `openai` client, instrumented, against an OpenAI-compatible server on 127.0.0.1. */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import OpenAI, { RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { GEN_AI } from '../../src/telemetry/index.js';
import { openAIPerTest } from './openai-client.js';
import { USAGE } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
const api = openAIPerTest(1);

const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith('chat '));
const metric = async (prefix: string) =>
  Number(
    (await api.t.metrics())
      .split('\n')
      .find((l) => l.startsWith(prefix))
      ?.split(' ')
      .pop(),
  );
const messages = [{ role: 'user' as const, content: 'Say hello' }];
// gpt-4o, 120 input of which 100 cached, 30 output: (20 × 2.50 + 100 × 1.25 + 30 × 10) / 1M = 475 / 1M
const COST = 0.000475;

describe('instrumentOpenAI', () => {
  it('a non-conforming answer (choices not an array) still ends its one span and reaches the caller', async () => {
    const odd = { id: 'x', model: 'gpt-4o', choices: { bogus: true }, usage: { prompt_tokens: 3, completion_tokens: 2 } };
    const fake = api.t.instrumentOpenAI({ chat: { completions: { create: async () => odd } } } as unknown as OpenAI, {
      captureContent: true,
    });
    await expect(fake.chat.completions.create({ model: 'gpt-4o', messages })).resolves.toBe(odd);
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(3);
  });

  it('one CLIENT span with GenAI attributes and the completion recorded (JSON answer)', async () => {
    const answer = await api.client.chat.completions.create({ model: 'gpt-4o', messages, temperature: 0.2, max_tokens: 64 });
    expect(answer.choices[0]?.message.content).toBe('Hello there!');
    const [span, ...rest] = spans();
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
      [GEN_AI.USAGE_INPUT_TOKENS]: 120,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: 30,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: 100,
      [GEN_AI.USAGE_REASONING_OUTPUT_TOKENS]: 10,
      [GEN_AI.REQUEST_TEMPERATURE]: 0.2,
      [GEN_AI.REQUEST_MAX_TOKENS]: 64,
      [GEN_AI.SERVER_ADDRESS]: '127.0.0.1',
    });
    expect(span?.attributes[GEN_AI.INPUT_MESSAGES]).toBeUndefined();
    expect(span?.attributes[GEN_AI.OUTPUT_MESSAGES]).toBeUndefined();
    expect(api.server.seen[0]?.body.stream_options).toBeUndefined();
    expect(await metric('llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"}')).toBe(1);
    expect(await metric('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
  });

  it('a stream without include_usage: usage requested, the usage-only chunk hidden, tokens recorded', async () => {
    const body = { model: 'gpt-4o', messages, stream: true as const };
    const stream = await api.client.chat.completions.create(body);
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    expect(received.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello there!');
    expect(received.every((c) => c.choices.length > 0 && !('usage' in c))).toBe(true);
    expect(body).toEqual({ model: 'gpt-4o', messages, stream: true }); // the caller's object is untouched
    expect(api.server.seen[0]?.body.stream_options).toEqual({ include_usage: true });
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(USAGE.prompt_tokens);
    expect(span?.attributes[GEN_AI.USAGE_OUTPUT_TOKENS]).toBe(USAGE.completion_tokens);
    expect(span?.attributes[GEN_AI.RESPONSE_FINISH_REASONS]).toEqual(['stop']);
    expect(span?.attributes[GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(await metric('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
    expect(await metric('llm_time_to_first_token_seconds_count{provider="openai",model="gpt-4o"}')).toBe(1);
  });

  it('a stream with include_usage keeps the usage chunk for the caller', async () => {
    const stream = await api.client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    const last = received[received.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.prompt_tokens).toBe(USAGE.prompt_tokens);
    expect(received.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(spans()).toHaveLength(1);
    expect(await metric('llm_tokens_total{provider="openai",model="gpt-4o",type="input"}')).toBe(USAGE.prompt_tokens);
  });

  it('a caller breaking out of a stream: one span, status cancelled, the request aborted', async () => {
    const stream = await api.client.chat.completions.create({ model: 'slow-stream', messages, stream: true });
    let n = 0;
    for await (const _chunk of stream) if (++n === 3) break;
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('cancelled');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    await expect.poll(() => api.server.seen[0]?.aborted).toBe(true);
    expect(await metric('llm_chat_completions_total{provider="openai",model="slow-stream",status="cancelled"}')).toBe(1);
  });

  it('429 after the api.client retries: one span, error.type 429, counted as rate_limited', async () => {
    await expect(api.client.chat.completions.create({ model: 'rate-limited', messages })).rejects.toBeInstanceOf(RateLimitError);
    expect(api.server.seen).toHaveLength(2); // the first try and one retry, both inside the span
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('429');
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(await metric('llm_chat_completions_total{provider="openai",model="rate-limited",status="rate_limited"}')).toBe(1);
  });

  it('500 on a streaming call: one span, error.type 500', async () => {
    await expect(api.client.chat.completions.create({ model: 'broken', messages, stream: true })).rejects.toMatchObject({ status: 500 });
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('500');
    expect(await metric('llm_chat_completions_total{provider="openai",model="broken",status="error"}')).toBe(1);
  });

  it('records prompt and completion text only when opted in; instrumenting twice wraps once', async () => {
    const c = api.t.instrumentOpenAI(
      api.t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: api.server.baseURL }), { captureContent: true }),
    );
    await c.chat.completions.create({ model: 'gpt-4o', messages });
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(JSON.parse(String(span?.attributes[GEN_AI.INPUT_MESSAGES]))).toEqual(messages);
    expect(String(span?.attributes[GEN_AI.OUTPUT_MESSAGES])).toContain('Hello there!');
  });

  it('the server rejects what the API would (the checks can fail)', async () => {
    const raw = new OpenAI({ apiKey: 'sk-test', baseURL: api.server.baseURL, maxRetries: 0 });
    await expect(raw.chat.completions.create({ model: 'gpt-4o', messages, stream_options: { include_usage: true } })).rejects.toMatchObject(
      {
        status: 400,
      },
    );
    await expect(raw.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 400 });
  });
});
