/** The real `openai` client's Responses API, instrumented, against the OpenAI server on 127.0.0.1. */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { GEN_AI } from '../../src/telemetry/index.js';
import { openAIPerTest } from './openai-client.js';
import { RESPONSES_USAGE } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
const api = openAIPerTest(0);

const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => /^(chat|embeddings) /.test(s.name));
// gpt-4o, 120 input of which 100 cached, 30 output (10 reasoning, a part of the 30):
// (20 × 2.50 + 100 × 1.25 + 30 × 10) / 1M = 475 / 1M
const COST = 0.000475;

describe('instrumentOpenAI: Responses API', () => {
  it('a JSON response: one span, cached and reasoning tokens as parts, priced once; APIPromise helpers kept', async () => {
    const { data, response } = await api.client.responses
      .create({ model: 'gpt-4o', input: 'Say hello', max_output_tokens: 64 })
      .withResponse();
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
    expect(await api.sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
    expect(await api.sample('llm_tokens_total{provider="openai",model="gpt-4o",type="reasoning"}')).toBe(10);
  });

  it('a streamed response: events reach the caller unchanged, usage from response.completed, time to first delta', async () => {
    const stream = await api.client.responses.create({ model: 'gpt-4o', input: 'Say hello', stream: true });
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
    expect(await api.sample('llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(COST, 12);
  });

  it('responses.stream() (the SDK helper built on create) is recorded once', async () => {
    const stream = api.client.responses.stream({ model: 'gpt-4o', input: 'Say hello' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello there!');
    expect(spans()).toHaveLength(1);
    expect(await api.sample('llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"}')).toBe(1);
  });

  it('an error event midway: the span ends failed with the API error code, counted as an error with its type', async () => {
    const stream = await api.client.responses.create({ model: 'stream-error', input: 'Say hello', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('error');
    const [span, ...rest] = spans();
    expect(rest).toHaveLength(0);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[GEN_AI.ERROR_TYPE]).toBe('server_error');
    expect(
      await api.sample(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="stream-error",error_type="server_error"}',
      ),
    ).toBe(1);
  });
});
