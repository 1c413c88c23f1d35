/**
 * The real OTLP/HTTP exporter, batch processor and Node tracer provider, registered by
 * telemetry.init(), posting to a receiver on 127.0.0.1 that decodes and checks the spans.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const ENV_KEYS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('init() with the OTLP/HTTP exporter', () => {
  it('exports spans with service name, headers, parent links and recorded failures; shutdown flushes', async () => {
    const receiver = await startOtlpReceiver();
    const t = createTelemetry();
    try {
      const result = await t.init({
        serviceName: 'chat-api',
        otlp: { endpoint: receiver.url, headers: { 'x-honeycomb-team': 'test-key' } },
        batch: { scheduledDelayMs: 60_000 },
      });
      expect(result).toEqual({ tracing: 'registered', metrics: true, otlpMetrics: false });
      await t.trace('handle-request', async (span) => {
        span.setAttribute('app.route', '/api/chat');
        await new Promise((r) => setTimeout(r, 2));
        t.trace('load-history', () => 'ok');
        await t.trace('call-model', async () => Promise.reject(new Error('upstream 500'))).catch(() => undefined);
      });
      // The batch delay is a minute: only shutdown() can have sent these.
      expect(receiver.spans).toHaveLength(0);
      await t.shutdown();
      expect(receiver.requests.every((r) => r.status === 200)).toBe(true);
      expect(receiver.requests[0]?.headers['x-honeycomb-team']).toBe('test-key');
      const byName = Object.fromEntries(receiver.spans.map((s) => [s.name, s]));
      expect(Object.keys(byName).sort()).toEqual(['call-model', 'handle-request', 'load-history']);
      const root = byName['handle-request']!;
      expect(root.parentSpanId).toBe('');
      expect(root.attributes['app.route']).toBe('/api/chat');
      expect(root.resource['service.name']).toBe('chat-api');
      expect(root.resource['telemetry.sdk.language']).toBe('nodejs');
      expect(root.scope).toBe('@tiqology/elite');
      for (const name of ['load-history', 'call-model']) {
        expect(byName[name]?.traceId).toBe(root.traceId);
        expect(byName[name]?.parentSpanId).toBe(root.spanId);
      }
      const failed = byName['call-model']!;
      expect(failed.status).toEqual({ code: 2, message: 'upstream 500' });
      expect(failed.events.map((e) => e.name)).toEqual(['exception']);
      expect(failed.events[0]?.attributes['exception.message']).toBe('upstream 500');
      expect(BigInt(root.endTimeUnixNano)).toBeGreaterThan(BigInt(root.startTimeUnixNano));
    } finally {
      await t.shutdown();
      await receiver.close();
    }
  });

  it('honours the standard OTEL_* variables when options are left out', async () => {
    const receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_SERVICE_NAME = 'from-env';
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-api-key=env-key';
    const t = createTelemetry();
    try {
      expect((await t.init()).tracing).toBe('registered');
      t.trace('env-span', () => undefined);
      await t.shutdown();
      expect(receiver.spans.map((s) => [s.name, s.resource['service.name']])).toEqual([['env-span', 'from-env']]);
      expect(receiver.requests[0]?.headers['x-api-key']).toBe('env-key');
    } finally {
      await receiver.close();
    }
  });

  it('samples by sampleRatio (0 exports nothing) and OTEL_SDK_DISABLED turns tracing off', async () => {
    const receiver = await startOtlpReceiver();
    const t = createTelemetry();
    try {
      await t.init({ otlp: { endpoint: `${receiver.url}/v1/traces` }, sampleRatio: 0 });
      for (let i = 0; i < 20; i++) t.trace('unsampled', () => i);
      await t.shutdown();
      expect(receiver.spans).toHaveLength(0);
      process.env.OTEL_SDK_DISABLED = 'true';
      expect((await t.init({ otlp: { endpoint: receiver.url } })).tracing).toBe('disabled');
    } finally {
      await t.shutdown();
      await receiver.close();
    }
  });

  it('the receiver rejects what a collector would (the checks can fail)', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const post = (body: string, type = 'application/json') =>
        fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body }).then((r) => r.status);
      expect(await post('{}', 'application/x-protobuf')).toBe(415);
      expect(await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"1"}]}]}]}')).toBe(400);
      expect(await post('{"resourceSpans":[]}')).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
