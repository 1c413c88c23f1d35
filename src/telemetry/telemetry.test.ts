import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace as otel, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags, flags } from '../flags/index.js';
import { isEliteError } from '../internal/errors.js';
import { type AlertEvent, createTelemetry, telemetry } from './index.js';

const quiet = () => ({ warn: vi.fn(), error: vi.fn() });
const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));
const sampleOf = (text: string, prefix: string) => Number(line(text, prefix)?.split(' ').pop());

describe('LLM metrics', () => {
  it('exports completions, tokens by type, cost and the GenAI histograms', async () => {
    const t = createTelemetry({ logger: quiet() });
    t.recordCompletion({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      outputTokens: 500,
      durationMs: 1200,
      status: 'ok',
    });
    t.recordCompletion({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 100,
      outputTokens: 50,
      reasoningTokens: 20,
      durationMs: 30,
      timeToFirstTokenMs: 80,
      status: 'ok',
    });
    t.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 0, outputTokens: 0, durationMs: 5, status: 'rate_limited' });
    const text = await t.metrics();
    expect(sampleOf(text, 'llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"}')).toBe(2);
    expect(sampleOf(text, 'llm_chat_completions_total{provider="openai",model="gpt-4o",status="rate_limited"}')).toBe(1);
    expect(sampleOf(text, 'llm_tokens_total{provider="openai",model="gpt-4o",type="input"}')).toBe(10_100);
    expect(sampleOf(text, 'llm_tokens_total{provider="openai",model="gpt-4o",type="output"}')).toBe(550);
    expect(sampleOf(text, 'llm_tokens_total{provider="openai",model="gpt-4o",type="cached_input"}')).toBe(4_000);
    expect(sampleOf(text, 'llm_tokens_total{provider="openai",model="gpt-4o",type="reasoning"}')).toBe(20);
    // 0.025 (see llm.test.ts) + (100 × 2.5 + 50 × 10) / 1M = 0.025 + 0.00075
    expect(sampleOf(text, 'llm_cost_usd_total{provider="openai",model="gpt-4o"}')).toBeCloseTo(0.02575, 12);
    expect(
      sampleOf(
        text,
        'gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",gen_ai_token_type="input",le="16384"}',
      ),
    ).toBe(3);
    expect(
      sampleOf(
        text,
        'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",error_type=""}',
      ),
    ).toBe(2);
    expect(text).toContain('error_type="rate_limited"');
    expect(sampleOf(text, 'llm_time_to_first_token_seconds_count{provider="openai",model="gpt-4o"}')).toBe(1);
  });

  it('honours caller prices and costUsd', async () => {
    const t = createTelemetry({ prices: { 'in-house': { input: 1, output: 2 } } });
    t.recordCompletion({
      provider: 'self',
      model: 'in-house-7b',
      inputTokens: 1_000_000,
      outputTokens: 500_000,
      durationMs: 1,
      status: 'ok',
    });
    t.recordCompletion({
      provider: 'self',
      model: 'in-house-7b',
      inputTokens: 1,
      outputTokens: 1,
      durationMs: 1,
      status: 'ok',
      costUsd: 5,
    });
    // 1 + 0.5 × 2 = 2, plus 5 given
    expect(sampleOf(await t.metrics(), 'llm_cost_usd_total{provider="self",model="in-house-7b"}')).toBeCloseTo(7, 12);
    expect(() => createTelemetry({ prices: { x: { input: -1, output: 1 } } })).toThrow(/prices\["x"\]\.input/);
  });

  it('counts an unknown model at cost 0 and warns once', async () => {
    const logger = quiet();
    const t = createTelemetry({ logger });
    for (let i = 0; i < 3; i++)
      t.recordCompletion({ provider: 'x', model: 'mystery-1', inputTokens: 10, outputTokens: 10, durationMs: 1, status: 'ok' });
    const text = await t.metrics();
    expect(sampleOf(text, 'llm_unpriced_completions_total{provider="x",model="mystery-1"}')).toBe(3);
    expect(sampleOf(text, 'llm_cost_usd_total{provider="x",model="mystery-1"}')).toBe(0);
    expect(t.stats().unknownModelCompletions).toBe(3);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[0]).toMatch(/no price for model "mystery-1"/);
  });

  it('drops invalid records without throwing, counts them, warns once', async () => {
    const logger = quiet();
    const t = createTelemetry({ logger });
    const bad: unknown[] = [
      null,
      { provider: 'p', model: 'm', inputTokens: -1, outputTokens: 0, durationMs: 1, status: 'ok' },
      { provider: 'p', model: 'm', inputTokens: Number.NaN, outputTokens: 0, durationMs: 1, status: 'ok' },
      { provider: 'p', model: 'm', inputTokens: 1, outputTokens: 0, durationMs: Number.POSITIVE_INFINITY, status: 'ok' },
      { provider: 'p', model: 'm', inputTokens: 1, outputTokens: 0, durationMs: 1, status: 'weird' },
      { provider: 'p', inputTokens: 1, outputTokens: 0, durationMs: 1, status: 'ok' },
    ];
    for (const record of bad) expect(() => t.recordCompletion(record as never)).not.toThrow();
    expect(() => t.recordRequest({ route: '/x', status: 200.5, durationMs: 1 })).not.toThrow();
    expect(t.stats().invalidRecords).toBe(bad.length + 1);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(sampleOf(await t.metrics(), 'elite_telemetry_dropped_total{reason="invalid_record"}')).toBe(bad.length + 1);
  });

  it('drops a request whose method is not a string (instead of throwing from the label)', () => {
    const t = createTelemetry({ logger: quiet() });
    for (const method of [42, {}, ['GET']]) {
      expect(() => t.recordRequest({ route: '/x', status: 200, durationMs: 1, method } as never)).not.toThrow();
    }
    expect(t.stats().invalidRecords).toBe(3);
    t.recordRequest({ route: '/x', status: 200, durationMs: 1, method: 'post' });
    expect(t.stats().invalidRecords).toBe(3);
    expect(t.snapshot().requests).toBe(1);
  });

  it('bounds label values: past the cap new series fold into _overflow', async () => {
    const t = createTelemetry({ maxSeriesPerMetric: 3, prices: {} });
    for (let i = 0; i < 10; i++)
      t.recordCompletion({ provider: 'p', model: `user-${i}`, inputTokens: 1, outputTokens: 1, durationMs: 1, status: 'ok', costUsd: 0 });
    const text = await t.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('llm_chat_completions_total{'));
    expect(series).toHaveLength(4);
    expect(sampleOf(text, 'llm_chat_completions_total{provider="_overflow",model="_overflow",status="_overflow"}')).toBe(7);
    expect(t.stats().overflowedSeries).toBeGreaterThan(0);
    expect(sampleOf(text, 'elite_telemetry_dropped_total{reason="series_overflow"}')).toBe(t.stats().overflowedSeries);
  });
});

describe('HTTP metrics and handlers', () => {
  it('records duration with a 0.5 s bucket, errors, and ids out of routes', async () => {
    const t = createTelemetry();
    t.recordRequest({ method: 'get', route: '/api/users/12345?token=abc', status: 200, durationMs: 499 });
    t.recordRequest({ method: 'GET', route: '/api/users/987', status: 200, durationMs: 501 });
    t.recordRequest({ method: 'POST', route: '/api/chat/3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b', status: 502, durationMs: 20 });
    t.recordRequest({ method: 'BREW', route: '/api/chat', status: 200, durationMs: 20, error: true });
    const text = await t.metrics();
    expect(
      sampleOf(text, 'http_server_request_duration_seconds_bucket{method="GET",route="/api/users/:id",status_code="200",le="0.5"}'),
    ).toBe(1);
    expect(sampleOf(text, 'http_server_request_duration_seconds_count{method="GET",route="/api/users/:id",status_code="200"}')).toBe(2);
    expect(sampleOf(text, 'http_server_errors_total{method="POST",route="/api/chat/:id",status_code="502"}')).toBe(1);
    expect(sampleOf(text, 'http_server_errors_total{method="_OTHER",route="/api/chat",status_code="200"}')).toBe(1);
    expect(text).not.toMatch(/12345|987|3f2b8c1e|token=abc/);
  });

  it('serves the exposition over Node http and as a Web handler', async () => {
    const t = createTelemetry({ defaultMetrics: true });
    t.recordRequest({ route: '/', status: 200, durationMs: 3 });
    const server = createServer((req, res) => void t.metricsHandler()(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(body).toContain('# TYPE http_server_request_duration_seconds histogram');
      expect(body).toContain('process_cpu_user_seconds_total');
    } finally {
      server.close();
    }
    const web = await t.webMetricsHandler()(new Request('http://x/metrics'));
    expect(web.status).toBe(200);
    expect(await web.text()).toContain('http_server_request_duration_seconds_count{method="GET",route="/",status_code="200"} 1');
  });

  it('exports the observed flags client counters', async () => {
    const flags = createFlags({ storage: createMemoryStorage({ flags: [{ key: 'on', environment: 'production', enabled: true }] }) });
    const t = createTelemetry({ flags });
    await flags.isEnabled('on', 'u1');
    await flags.isEnabled('on', 'u2');
    await flags.isEnabled('missing', 'u1');
    const text = await t.metrics();
    expect(sampleOf(text, 'elite_flags_cache_hits_total')).toBe(flags.stats().cacheHits);
    expect(sampleOf(text, 'elite_flags_cache_misses_total')).toBe(flags.stats().cacheMisses);
    expect(flags.stats().cacheMisses).toBeGreaterThan(0);
    expect(line(text, 'elite_flags_stale_serves_total')).toBe('elite_flags_stale_serves_total 0');
    await flags.close();
  });
});

describe('in-process alerts', () => {
  const clock = () => {
    let t = 1_700_000_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('fires the error-rate alert once, holds it inside the hysteresis band, resolves below it', () => {
    const c = clock();
    const events: AlertEvent[] = [];
    const t = createTelemetry({ now: c.now, onAlert: (e) => events.push(e) });
    for (let i = 0; i < 19; i++) t.recordRequest({ route: '/a', status: 500, durationMs: 1 });
    expect(t.evaluateAlerts()).toEqual([]); // 19 < minRequests
    for (let i = 0; i < 81; i++) t.recordRequest({ route: '/a', status: 200, durationMs: 1 });
    const fired = t.evaluateAlerts(); // 19 / 100 = 19 %
    expect(fired.map((e) => [e.name, e.state])).toEqual([['HighErrorRate', 'firing']]);
    expect(fired[0]?.summary).toMatch(/error rate 19\.0 % over 5 min \(threshold 5\.0 %, 100 requests\)/);
    expect(t.evaluateAlerts()).toEqual([]); // deduplicated
    for (let i = 0; i < 320; i++) t.recordRequest({ route: '/a', status: 200, durationMs: 1 });
    expect(t.evaluateAlerts()).toEqual([]); // 19 / 420 = 4.5 %: below 5 %, above 4 %: still firing
    expect(t.activeAlerts().map((a) => a.name)).toEqual(['HighErrorRate']);
    for (let i = 0; i < 80; i++) t.recordRequest({ route: '/a', status: 200, durationMs: 1 });
    const resolved = t.evaluateAlerts(); // 19 / 500 = 3.8 %
    expect(resolved.map((e) => [e.name, e.state])).toEqual([['HighErrorRate', 'resolved']]);
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
  });

  it('fires on p95 latency over 500 ms and resolves when the window slides past it', () => {
    const c = clock();
    const t = createTelemetry({ now: c.now });
    for (let i = 0; i < 90; i++) t.recordRequest({ route: '/a', status: 200, durationMs: 100 });
    for (let i = 0; i < 10; i++) t.recordRequest({ route: '/a', status: 200, durationMs: 900 });
    expect(t.snapshot().p95Ms).toBeGreaterThan(500);
    expect(t.evaluateAlerts().map((e) => e.name)).toEqual(['HighLatencyP95']);
    c.advance(301_000);
    expect(t.snapshot().requests).toBe(0);
    expect(t.evaluateAlerts().map((e) => [e.name, e.state])).toEqual([['HighLatencyP95', 'resolved']]);
  });

  it('fires on a low flag cache-hit ratio from a real flags client', async () => {
    const c = clock();
    const flags = createFlags({ storage: createMemoryStorage() });
    const t = createTelemetry({ now: c.now });
    t.observeFlags(flags);
    for (let i = 0; i < 60; i++) await flags.isEnabled(`flag-${i}`, 'u1');
    const snapshot = t.snapshot();
    expect(snapshot.flagLookups).toBe(60);
    expect(snapshot.cacheHitRatio).toBe(0);
    expect(t.evaluateAlerts().map((e) => e.name)).toEqual(['LowFlagCacheHitRatio']);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 60; j++) await flags.isEnabled(`flag-${j}`, 'u1');
    expect(t.evaluateAlerts().map((e) => [e.name, e.state])).toEqual([['LowFlagCacheHitRatio', 'resolved']]);
    await flags.close();
  });

  it('the shared instance counts the shared flags client once, even when it is observed explicitly', async () => {
    flags.configure({ storage: createMemoryStorage() });
    const before = telemetry.snapshot().flagLookups;
    telemetry.observeFlags(flags);
    for (let i = 0; i < 7; i++) await flags.isEnabled(`shared-${i}`, 'u1');
    expect(telemetry.snapshot().flagLookups - before).toBe(7);
    // Another client is a new source and is added.
    const other = createFlags({ storage: createMemoryStorage() });
    telemetry.observeFlags(other);
    await other.isEnabled('x', 'u1');
    expect(telemetry.snapshot().flagLookups - before).toBe(8);
    await other.close();
  });

  it('reports cost per hour and notifies added notifiers; a throwing one is contained', async () => {
    const c = clock();
    const logger = quiet();
    const t = createTelemetry({ now: c.now, logger });
    const seen: string[] = [];
    t.addNotifier({ notify: (e) => void seen.push(e.name) });
    t.addNotifier({
      notify: () => {
        throw new Error('broken notifier');
      },
    });
    c.advance(60_000);
    t.recordCompletion({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      outputTokens: 500,
      durationMs: 1,
      status: 'ok',
    });
    // 0.025 USD over the one minute covered so far → 1.50 USD per hour
    expect(t.snapshot().costUsdPerHour).toBeCloseTo(1.5, 9);
    for (let i = 0; i < 30; i++) t.recordRequest({ route: '/a', status: 503, durationMs: 1 });
    expect(() => t.evaluateAlerts()).not.toThrow();
    expect(seen).toEqual(['HighErrorRate']);
    expect(logger.warn.mock.calls.some((call) => /notifier failed: broken notifier/.test(String(call[0])))).toBe(true);
  });

  it('checks alert options early', () => {
    expect(() => createTelemetry({ alerts: { errorRate: 2 } })).toThrow(
      'elite/telemetry: alerts.errorRate must be a number > 0 and ≤ 1, got 2',
    );
    expect(() => createTelemetry({ maxSeriesPerMetric: 0 })).toThrow(/maxSeriesPerMetric/);
    expect(createTelemetry({ alerts: false }).evaluateAlerts()).toEqual([]);
  });
});

describe('trace()', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    otel.disable();
  });

  it('ends exactly one span on return, throw and rejection, recording failures', async () => {
    const t = createTelemetry();
    exporter.reset();
    expect(t.trace('ok', () => 42, { 'app.step': 'a' })).toBe(42);
    expect(() =>
      t.trace('throws', () => {
        throw new TypeError('bad input');
      }),
    ).toThrow(TypeError);
    await expect(t.trace('rejects', async () => Promise.reject(new RangeError('too far')))).rejects.toThrow('too far');
    await expect(t.trace('resolves', async () => 'done')).resolves.toBe('done');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['ok', 'throws', 'rejects', 'resolves']);
    const [ok, thrown, rejected, resolved] = spans;
    expect(ok?.attributes['app.step']).toBe('a');
    expect(ok?.status.code).toBe(SpanStatusCode.UNSET);
    expect(thrown?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(thrown?.attributes['error.type']).toBe('TypeError');
    expect(thrown?.events.map((e) => e.name)).toEqual(['exception']);
    expect(rejected?.status.code).toBe(SpanStatusCode.ERROR);
    expect(rejected?.events[0]?.attributes?.['exception.message']).toBe('too far');
    expect(resolved?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('nests spans through the active context', async () => {
    const t = createTelemetry();
    exporter.reset();
    await t.trace('parent', async () => {
      await new Promise((r) => setTimeout(r, 1));
      t.trace('child', () => undefined);
    });
    const [child, parent] = exporter.getFinishedSpans();
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });

  it('init() attaches to the registered provider instead of replacing it', async () => {
    const t = createTelemetry();
    await expect(t.init({ serviceName: 'x' })).resolves.toEqual({ tracing: 'attached', metrics: true, otlpMetrics: false });
    await t.shutdown();
    exporter.reset();
    t.trace('after', () => 1);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['after']);
  });

  it('init() checks its options synchronously', () => {
    const t = createTelemetry();
    let error: unknown;
    try {
      void t.init({ sampleRatio: 2 });
    } catch (e) {
      error = e;
    }
    expect(isEliteError(error, 'INVALID_OPTIONS')).toBe(true);
    expect((error as Error).message).toBe('elite/telemetry: sampleRatio must be between 0 and 1, got 2');
    expect(() => t.init({ otlp: { endpoint: 'localhost:4318' } })).toThrow(/otlp\.endpoint must be an http\(s\) URL/);
    expect(() => t.init({ batch: { maxQueueSize: 0 } })).toThrow(/batch\.maxQueueSize/);
  });
});

describe('the shared instance', () => {
  it('is one per process and uses the process-wide registry', async () => {
    const { REGISTRY_KEY } = await import('./telemetry.js');
    telemetry.recordCompletion({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1, durationMs: 1, status: 'ok' });
    const registry = await telemetry.registry();
    expect((globalThis as Record<symbol, { registry?: unknown }>)[REGISTRY_KEY]?.registry).toBe(registry);
    expect(await telemetry.metrics()).toContain('llm_chat_completions_total{provider="openai",model="gpt-4o-mini",status="ok"} 1');
    expect(await telemetry.ready()).toBe(telemetry);
    telemetry.configure({ alerts: { errorRate: 0.1 } });
    expect(await telemetry.metrics()).not.toContain('model="gpt-4o-mini"');
    expect(await telemetry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});

describe('never throws into app code', () => {
  it('recordCompletion and recordRequest accept anything without throwing', async () => {
    const fc = await import('fast-check');
    const t = createTelemetry({ logger: quiet(), maxSeriesPerMetric: 20 });
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        t.recordCompletion(a as never);
        t.recordRequest(b as never);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.record({
          provider: fc.string(),
          model: fc.string(),
          inputTokens: fc.double(),
          outputTokens: fc.double(),
          cachedInputTokens: fc.option(fc.double(), { nil: undefined }),
          durationMs: fc.double(),
          status: fc.constantFrom('ok', 'error', 'rate_limited', 'cancelled', 'other'),
        }),
        (record) => {
          t.recordCompletion(record as never);
        },
      ),
      { numRuns: 500 },
    );
    const text = await t.metrics();
    expect(text).toContain('llm_chat_completions_total');
    // Every line of the exposition is well formed: name{labels} finite-or-special number.
    for (const l of text.split('\n').filter((x) => x && !x.startsWith('#')))
      expect(l).toMatch(/^[a-z_:][a-z0-9_:]*(\{.*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/i);
  });
});
