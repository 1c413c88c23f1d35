/** The real `openai` client's Responses API, embeddings and failures, instrumented, against the OpenAI server on 127.0.0.1. */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import OpenAI, { APIConnectionTimeoutError, NotFoundError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, GEN_AI, type Telemetry } from '../../src/telemetry/index.js';
import { EMBEDDING_TOKENS, RESPONSES_USAGE, startOpenAIServer } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
let server: Awaited<ReturnType<typeof startOpenAIServer>>;
let t: Telemetry;
let client: OpenAI;
const warnings: string[] = [];

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.seen.length = 0;
  warnings.length = 0;
  t = createTelemetry({ logger: { warn: (m: string) => warnings.push(m), error: () => {} } });
  client = t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 }));
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => /^(chat|embeddings) /.test(s.name));
const sample = async (prefix: string) => {
  const line = (await t.metrics()).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
// gpt-4o, 120 input of which 100 cached, 30 output (10 reasoning, a part of the 30):
// (20 × 2.50 + 100 × 1.25 + 30 × 10) / 1M = 475 / 1M
const COST = 0.000475;

describe('instrumentOpenAI: Responses API', () => {
  it('a JSON response: one span, cached and reasoning tokens as parts, priced once; APIPromise helpers kept', async () => {
    const { data, response } = await client.responses.create({ model: 'gpt-4o', input: 'Say hello', max_output_tokens: 64 }).withResponse();
    expect(data.output_text).toBe('Hello there!');
    expect(response.status).toBe(200);
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('chat gpt-4o');
    expect(span?.attributes).toMatchObject({
      [GEN_AI.OPERATION_NAME]: 'chat',
      [GEN_AI.PROVIDER_NAME]: 'openai',
      [GEN_AI.REQUEST_MODEL]: 'gpt-4o',
      [GEN_AI.RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [GEN_AI.RESPONSE_ID]: 'resp_1',
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['completed'],
      [GEN_AI.REQUEST_MAX_TOKENS]: 64,
      [GEN_AI.USAGE_INPUT_TOKENS]: RESPONSES_USAGE.input_tokens,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: RESPONSES_USAGE.output_tokens,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: 100,
      [GEN_AI.USAGE_REASONING_OUTPUT_TOKENS]: 10,
    });
    expect(await sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
    expect(await sample('llm_tokens_total{provider="openai",model="gpt-4o",type="reasoning"}')).toBe(10);
  });

  it('a streamed response: events reach the caller unchanged, usage from response.completed, time to first delta', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Say hello', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('Hello there!');
    expect(types.at(-1)).toBe('response.completed');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes[GEN_AI.REQUEST_STREAM]).toBe(true);
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(120);
    expect(span?.attributes[GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(await sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
  });

  it('responses.stream() (the SDK helper built on create) is recorded once', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'Say hello' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello there!');
    expect(spans()).toHaveLength(1);
    expect(await sample('llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"}')).toBe(1);
  });

  it('an error event midway: the span ends failed with the API error code, counted as an error with its type', async () => {
    const stream = await client.responses.create({ model: 'stream-error', input: 'Say hello', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('error');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('server_error');
    expect(
      await sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="stream-error",error_type="server_error"}',
      ),
    ).toBe(1);
  });
});

describe('instrumentOpenAI: embeddings, chat failures', () => {
  it('embeddings: one span `embeddings {model}`, input tokens priced at the embedding rate', async () => {
    const answer = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(answer.data).toHaveLength(2);
    expect(answer.data[0]?.embedding[0]).toBeCloseTo(0.1, 6);
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('embeddings text-embedding-3-small');
    expect(span?.attributes[GEN_AI.OPERATION_NAME]).toBe('embeddings');
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(EMBEDDING_TOKENS);
    // 8 × 0.02 / 1M
    expect(await sample('llm_cost_usd_total{provider="openai",model="text-embedding-3-small"}')).toBeCloseTo(
      (EMBEDDING_TOKENS * 0.02) / 1e6,
      15,
    );
    expect(
      await sample(
        'gen_ai_client_token_usage_sum{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="text-embedding-3-small",gen_ai_token_type="input"}',
      ),
    ).toBe(EMBEDDING_TOKENS);
  });

  it('a chat stream failing midway: the caller gets the error, the span ends with the error type, tokens unknown', async () => {
    const stream = await client.chat.completions.create({
      model: 'stream-error',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/server had an error/);
    expect(received.join('')).toBe('Hello');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('server_error');
    expect(await sample('llm_chat_completions_total{provider="openai",model="stream-error",status="error"}')).toBe(1);
  });

  it('an unknown model: the server answers 404 model_not_found; one failed span, error.type 404', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('404');
    expect(await sample('llm_chat_completions_total{provider="openai",model="gpt-9",status="error"}')).toBe(1);
  });

  it('a timeout: the span ends with error.type timeout', async () => {
    const slow = t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeout: 1 }));
    // The server answers in well under a second; a 1 ms budget times out before the headers.
    await expect(slow.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('timeout');
    expect(
      await sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",error_type="timeout"}',
      ),
    ).toBe(1);
  });

  it('an aborted request: counted as cancelled', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'slow-stream', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    );
    const stream = await pending;
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    // The SDK ends the iteration quietly on an abort.
    expect((await iterator.next()).done).toBe(true);
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('cancelled');
    expect(await sample('llm_chat_completions_total{provider="openai",model="slow-stream",status="cancelled"}')).toBe(1);
  });

  it('a model missing from the price table: counted unpriced and warned about once, never silently zero', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await client.chat.completions.create({ model: 'ft:gpt-4o-mini:acme::abc123', messages });
    await client.chat.completions.create({ model: 'ft:gpt-4o-mini:acme::abc123', messages });
    expect(await sample('llm_unpriced_completions_total{provider="openai",model="ft:gpt-4o-mini:acme::abc123"}')).toBe(2);
    expect(t.stats().unknownModelCompletions).toBe(2);
    expect(warnings.filter((w) => w.includes('no price for model "ft:gpt-4o-mini:acme::abc123"'))).toHaveLength(1);
  });

  it('the server rejects what the API would: no key, not JSON', async () => {
    const noKey = await fetch(`${server.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noKey.status).toBe(401);
    const notJson = await fetch(`${server.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk', 'content-type': 'text/plain' },
      body: '{"model":"gpt-4o","input":"x"}',
    });
    expect(notJson.status).toBe(400);
    const unknown = await fetch(`${server.baseURL}/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
      body: '{"model":"nope","input":"x"}',
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('model_not_found');
  });
});
