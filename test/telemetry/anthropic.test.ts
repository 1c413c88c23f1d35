/** The real `@anthropic-ai/sdk` client, instrumented, against the Anthropic server on 127.0.0.1. */
import Anthropic, { APIConnectionTimeoutError, APIUserAbortError, InternalServerError, NotFoundError } from '@anthropic-ai/sdk';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, GEN_AI, type Telemetry } from '../../src/telemetry/index.js';
import { ANTHROPIC_USAGE, startAnthropicServer } from './anthropic-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
let server: Awaited<ReturnType<typeof startAnthropicServer>>;
let t: Telemetry;
let client: Anthropic;

beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.seen.length = 0;
  t = createTelemetry({ logger: { warn: () => {}, error: () => {} } });
  // The SDK's own spans are turned off: ours describe the call.
  client = t.instrumentAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.origin, maxRetries: 0, openTelemetry: false }));
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith('chat '));
const sample = async (prefix: string) => {
  const line = (await t.metrics()).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
const messages = [{ role: 'user' as const, content: 'Say hello' }];
const TOTAL_INPUT = ANTHROPIC_USAGE.input_tokens + ANTHROPIC_USAGE.cache_creation_input_tokens + ANTHROPIC_USAGE.cache_read_input_tokens;
// claude-sonnet-4-5 ($3 in, $3.75 5-min cache write, $0.30 cache read, $15 out per 1M):
// 20 × 3 + 1,000 × 3.75 + 3,000 × 0.30 + 30 × 15 = 60 + 3,750 + 900 + 450 = 5,160 / 1M
const COST = 0.00516;

describe('instrumentAnthropic', () => {
  it('a JSON message: one CLIENT span; input = uncached + cache writes + cache reads, each priced at its rate', async () => {
    const answer = await client.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 64, messages });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: 'Hello there!' });
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.name).toBe('chat claude-sonnet-4-5-20250929');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.OPERATION_NAME]: 'chat',
      [GEN_AI.PROVIDER_NAME]: 'anthropic',
      [GEN_AI.REQUEST_MODEL]: 'claude-sonnet-4-5-20250929',
      [GEN_AI.RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929',
      [GEN_AI.RESPONSE_ID]: 'msg_01',
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['end_turn'],
      [GEN_AI.REQUEST_MAX_TOKENS]: 64,
      [GEN_AI.USAGE_INPUT_TOKENS]: TOTAL_INPUT,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: 30,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: 3000,
      [GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS]: 1000,
      [GEN_AI.SERVER_ADDRESS]: '127.0.0.1',
    });
    const model = 'provider="anthropic",model="claude-sonnet-4-5-20250929"';
    expect(await sample(`llm_cost_usd_total{${model}}`)).toBeCloseTo(COST, 12);
    expect(await sample(`llm_tokens_total{${model},type="input"}`)).toBe(TOTAL_INPUT);
    expect(await sample(`llm_tokens_total{${model},type="cache_creation_input"}`)).toBe(1000);
    expect(await sample(`llm_tokens_total{${model},type="cached_input"}`)).toBe(3000);
  });

  it('a stream: usage from message_start and message_delta, time to the first delta, events unchanged', async () => {
    const stream = await client.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 64, messages, stream: true });
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Hello there!');
    expect(types.at(-1)).toBe('message_stop');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.attributes).toMatchObject({
      [GEN_AI.REQUEST_STREAM]: true,
      [GEN_AI.USAGE_INPUT_TOKENS]: TOTAL_INPUT,
      [GEN_AI.USAGE_OUTPUT_TOKENS]: 30,
      [GEN_AI.RESPONSE_FINISH_REASONS]: ['end_turn'],
      [GEN_AI.RESPONSE_ID]: 'msg_01',
    });
    expect(span?.attributes[GEN_AI.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(await sample('llm_cost_usd_total{provider="anthropic",model="claude-sonnet-4-5-20250929"}')).toBeCloseTo(COST, 12);
  });

  it('messages.stream() (the SDK helper built on create) is recorded once', async () => {
    const final = await client.messages.stream({ model: 'claude-3-5-sonnet-20241022', max_tokens: 64, messages }).finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'Hello there!' });
    expect(spans()).toHaveLength(1);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-3-5-sonnet-20241022",status="ok"}')).toBe(1);
  });

  it('an error event midway: the caller gets the error, the span ends with overloaded_error', async () => {
    const stream = await client.messages.create({ model: 'claude-stream-error', max_tokens: 64, messages, stream: true });
    await expect(
      (async () => {
        for await (const _event of stream);
      })(),
    ).rejects.toThrow(/Overloaded/);
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('overloaded_error');
    // The input counts arrived in message_start before the failure.
    expect(span?.attributes[GEN_AI.USAGE_INPUT_TOKENS]).toBe(TOTAL_INPUT);
    expect(
      await sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="claude-stream-error",error_type="overloaded_error"}',
      ),
    ).toBe(1);
  });

  it('529 overloaded and 404 unknown model: one failed span each, error.type the HTTP status', async () => {
    await expect(client.messages.create({ model: 'claude-overloaded', max_tokens: 8, messages })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    await expect(client.messages.create({ model: 'claude-9', max_tokens: 8, messages })).rejects.toBeInstanceOf(NotFoundError);
    expect(spans().map((s) => s.attributes[GEN_AI.ERROR_TYPE])).toEqual(['529', '404']);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-9",status="error"}')).toBe(1);
  });

  it('a caller breaking out of a stream: cancelled, the request aborted', async () => {
    const stream = await client.messages.create({ model: 'claude-slow', max_tokens: 64, messages, stream: true });
    let n = 0;
    for await (const _event of stream) if (++n === 5) break;
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('cancelled');
    await expect.poll(() => server.seen[0]?.aborted).toBe(true);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-slow",status="cancelled"}')).toBe(1);
  });

  it('a timeout: the span ends with error.type timeout, counted as an error of that type', async () => {
    const slow = t.instrumentAnthropic(
      new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.origin, maxRetries: 0, openTelemetry: false, timeout: 1 }),
    );
    // The server answers in well under a second; a 1 ms budget times out before the headers.
    await expect(slow.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.attributes[GEN_AI.ERROR_TYPE]).toBe('timeout');
    expect(spans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-sonnet-4-5",status="error"}')).toBe(1);
    expect(
      await sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="claude-sonnet-4-5",error_type="timeout"}',
      ),
    ).toBe(1);
  });

  it('an abort signal: before the answer the caller gets the abort, midway through a stream the iteration ends; both cancelled', async () => {
    const before = new AbortController();
    const pending = client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages }, { signal: before.signal });
    before.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    const midway = new AbortController();
    const stream = await client.messages.create(
      { model: 'claude-slow', max_tokens: 64, messages, stream: true },
      { signal: midway.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    midway.abort();
    await iterator.next().catch(() => undefined);
    await expect.poll(() => spans().length).toBe(2);
    expect(spans().map((s) => s.attributes[GEN_AI.ERROR_TYPE])).toEqual(['cancelled', 'cancelled']);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-sonnet-4-5",status="cancelled"}')).toBe(1);
    expect(await sample('llm_chat_completions_total{provider="anthropic",model="claude-slow",status="cancelled"}')).toBe(1);
  });

  it('the server rejects what the API would: no key, no version header, no max_tokens', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${server.origin}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const body = { model: 'claude-sonnet-4-5', max_tokens: 8, messages };
    expect((await post({ 'anthropic-version': '2023-06-01' }, body)).status).toBe(401);
    expect((await post({ 'x-api-key': 'k' }, body)).status).toBe(400);
    const noMax = await post({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, { ...body, max_tokens: undefined });
    expect(noMax.status).toBe(400);
    expect((await noMax.json()).error.type).toBe('invalid_request_error');
  });
});
