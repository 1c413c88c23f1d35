import { describe, expect, it } from 'vitest';
import { createTelemetry as createLazy, telemetry as lazyTelemetry } from '../index.js';
import { isEliteError } from '../internal/errors.js';
import { telemetry as fullTelemetry } from './index.js';

describe('the root entry’s lazily loaded telemetry', () => {
  it('runs fn without a span before the module loads, queues records and replays them', async () => {
    const t = createLazy();
    const span = t.trace('early', (s) => s);
    expect(span.isRecording()).toBe(false);
    expect(span.setAttribute('a', 1)).toBe(span);
    t.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 10, outputTokens: 5, durationMs: 1, status: 'ok' });
    t.recordRequest({ route: '/early', status: 200, durationMs: 3 });
    const full = await t.ready();
    const text = await full.metrics();
    expect(text).toContain('llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"} 1');
    expect(text).toContain('http_server_request_duration_seconds_count{method="GET",route="/early",status_code="200"} 1');
    // Loaded: calls go straight through.
    t.recordRequest({ route: '/late', status: 200, durationMs: 3 });
    expect(await t.metrics()).toContain('route="/late"');
    expect(t.trace('late', () => 7)).toBe(7);
  });

  it('withAttribution runs fn as is before the module loads, and opens the scope once it has', async () => {
    const t = createLazy();
    const record = { provider: 'openai', model: 'gpt-4o', inputTokens: 10, outputTokens: 5, durationMs: 1, status: 'ok' as const };
    expect(t.withAttribution({ feature: 'early' }, () => 'ran')).toBe('ran');
    await t.ready();
    await t.withAttribution({ feature: 'late' }, async () => {
      await Promise.resolve();
      t.recordCompletion({ ...record, costUsd: 0.5 });
    });
    expect(await t.metrics()).toContain('llm_feature_cost_usd_total{feature="late"} 0.5');
  });

  it('counts the records beyond its queue of 1,000 once the module loads', async () => {
    const t = createLazy({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    for (let i = 0; i < 1005; i++) t.recordRequest({ route: '/burst', status: 200, durationMs: 1 });
    const full = await t.ready();
    expect(full.stats().queueOverflows).toBe(5);
    const text = await full.metrics();
    expect(text).toContain('elite_telemetry_dropped_total{reason="queue_overflow"} 5');
    expect(text).toContain('http_server_request_duration_seconds_count{method="GET",route="/burst",status_code="200"} 1000');
  });

  it('defers instrumentOpenAI to the first call', async () => {
    const t = createLazy();
    const calls: unknown[] = [];
    const client = {
      chat: {
        completions: {
          create: async (body: unknown) => {
            calls.push(body);
            return { model: 'gpt-4o', usage: { prompt_tokens: 3, completion_tokens: 2 }, choices: [] };
          },
        },
      },
    };
    t.instrumentOpenAI(client);
    await client.chat.completions.create({ model: 'gpt-4o', messages: [] } as never);
    expect(calls).toHaveLength(1);
    expect(await t.metrics()).toContain('llm_tokens_total{provider="openai",model="gpt-4o",type="input"} 3');
  });

  it('defers instrumentOpenAI to the first call of any resource (embeddings first)', async () => {
    const t = createLazy();
    const answer = { model: 'text-embedding-3-small', data: [], usage: { prompt_tokens: 4 } };
    const client = {
      chat: { completions: { create: async () => ({}) } },
      embeddings: { create: async (_body: unknown) => answer },
    };
    t.instrumentOpenAI(client);
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' } as never)).resolves.toBe(answer);
    expect(await t.metrics()).toContain('llm_tokens_total{provider="openai",model="text-embedding-3-small",type="input"} 4');
  });

  it('shares the default instance with @tiqology/elite/telemetry', async () => {
    expect(await lazyTelemetry.ready()).toBe(fullTelemetry);
    const handler = lazyTelemetry.webMetricsHandler();
    expect((await handler(new Request('http://127.0.0.1/metrics'))).status).toBe(200);
  });

  it('reports invalid options when the module loads', async () => {
    const t = createLazy({ maxSeriesPerMetric: -1 });
    const error = await t.ready().catch((e: unknown) => e);
    expect(isEliteError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(() => t.recordRequest({ route: '/', status: 200, durationMs: 1 })).not.toThrow();
  });
});
