/** The real `openai` client's embeddings and chat failures, instrumented, against the OpenAI server on 127.0.0.1 (also run on openai 4.0.0). */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import OpenAI, { APIConnectionTimeoutError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { GEN_AI } from '../../src/telemetry/index.js';
import { openAIPerTest } from './openai-client.js';
import { EMBEDDING_TOKENS } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
const api = openAIPerTest(0);

const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => /^(chat|embeddings) /.test(s.name));
describe('instrumentOpenAI: embeddings, chat failures', () => {
  it('embeddings: one span `embeddings {model}`, input tokens priced at the embedding rate', async () => {
    const answer = await api.client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(answer.data).toHaveLength(2);
    expect(answer.data[0]?.embedding[0]).toBeCloseTo(0.1, 6);
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('embeddings text-embedding-3-small');
    expect(span?.attributes[GEN_AI.OPERATION_NAME]).toBe('embeddings');
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(EMBEDDING_TOKENS);
    // 8 × 0.02 / 1M
    expect(await api.sample('llm_cost_usd_total{provider="openai",model="text-embedding-3-small"}')).toBeCloseTo(
      (EMBEDDING_TOKENS * 0.02) / 1e6,
      15,
    );
    expect(
      await api.sample(
        'gen_ai_client_token_usage_sum{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="text-embedding-3-small",gen_ai_token_type="input"}',
      ),
    ).toBe(EMBEDDING_TOKENS);
  });

  it('a chat stream failing midway: the caller gets the error, the span ends with the error type, tokens unknown', async () => {
    const stream = await api.client.chat.completions.create({
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
    expect(await api.sample('llm_chat_completions_total{provider="openai",model="stream-error",status="error"}')).toBe(1);
  });

  it('an unknown model: the server answers 404 model_not_found; one failed span, error.type 404', async () => {
    await expect(
      api.client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('404');
    expect(await api.sample('llm_chat_completions_total{provider="openai",model="gpt-9",status="error"}')).toBe(1);
  });

  it('a timeout: the span ends with error.type timeout', async () => {
    const slow = api.t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: api.server.baseURL, maxRetries: 0, timeout: 1 }));
    // The server answers in well under a second; a 1 ms budget times out before the headers.
    await expect(slow.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('timeout');
    expect(
      await api.sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",error_type="timeout"}',
      ),
    ).toBe(1);
  });

  it('an aborted request: counted as cancelled', async () => {
    const controller = new AbortController();
    const pending = api.client.chat.completions.create(
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
    expect(await api.sample('llm_chat_completions_total{provider="openai",model="slow-stream",status="cancelled"}')).toBe(1);
  });

  it('a model missing from the price table: counted unpriced and warned about once, never silently zero', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await api.client.chat.completions.create({ model: 'ft:gpt-4o-mini:acme::abc123', messages });
    await api.client.chat.completions.create({ model: 'ft:gpt-4o-mini:acme::abc123', messages });
    expect(await api.sample('llm_unpriced_completions_total{provider="openai",model="ft:gpt-4o-mini:acme::abc123"}')).toBe(2);
    expect(api.t.stats().unknownModelCompletions).toBe(2);
    expect(api.warnings.filter((w) => w.includes('no price for model "ft:gpt-4o-mini:acme::abc123"'))).toHaveLength(1);
  });

  it('the server rejects what the API would: no key, not JSON', async () => {
    const noKey = await fetch(`${api.server.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noKey.status).toBe(401);
    const notJson = await fetch(`${api.server.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk', 'content-type': 'text/plain' },
      body: '{"model":"gpt-4o","input":"x"}',
    });
    expect(notJson.status).toBe(400);
    const unknown = await fetch(`${api.server.baseURL}/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
      body: '{"model":"nope","input":"x"}',
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('model_not_found');
  });
});
