/**
 * The metric families over OTLP/HTTP: the real `@opentelemetry/sdk-metrics` reader and
 * `@opentelemetry/exporter-metrics-otlp-http` exporter, posting to a receiver on 127.0.0.1 that
 * decodes what arrives (otlp-receiver.ts) and is checked against the Prometheus exposition of the
 * same instance.
 */

import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricFamilies, resolveSeriesPolicy } from '../../src/telemetry/families.js';
import { computeCostUsd, createTelemetry, DEFAULT_PRICES, HTTP_DURATION_BUCKETS } from '../../src/telemetry/index.js';
import { toScopeMetrics } from '../../src/telemetry/otlp-metric-data.js';
import type { ReceivedMetric } from './otlp-metrics-decode.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const ENV_KEYS = [
  'OTEL_METRICS_EXPORTER',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_SERVICE_NAME',
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** `name{a="x",b="y"} value` lines of a Prometheus exposition, by their series key. */
function promSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m) out.set(`${m[1]}{${m[2] ?? ''}}`, Number(m[3]));
  }
  return out;
}
const seriesKey = (name: string, attributes: Record<string, unknown>, extra: Record<string, string> = {}) =>
  `${name}{${Object.entries({ ...attributes, ...extra })
    .map(([k, v]) => `${k}="${String(v)}"`)
    .join(',')}}`;

const byName = (metrics: ReceivedMetric[]) => Object.fromEntries(metrics.map((m) => [m.name, m]));

describe('OTLP metrics export', () => {
  it('sends the same families as the Prometheus exposition: names, units, temporality, values, buckets', async () => {
    const receiver = await startOtlpReceiver();
    const t = createTelemetry();
    try {
      const result = await t.init({
        serviceName: 'chat-api',
        otlp: { endpoint: receiver.url, headers: { 'x-api-key': 'k1' } },
        otlpMetrics: { intervalMs: 60_000 },
      });
      expect(result).toEqual({ tracing: 'registered', metrics: true, otlpMetrics: true });
      for (const ms of [3, 40, 700, 12_000]) t.recordRequest({ method: 'GET', route: '/api/users/42', status: 200, durationMs: ms });
      t.recordRequest({ method: 'POST', route: '/api/chat', status: 502, durationMs: 80 });
      const completion = { provider: 'openai', model: 'gpt-4o', inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 500 } as const;
      t.recordCompletion({ ...completion, durationMs: 900, timeToFirstTokenMs: 150, status: 'ok' });
      t.recordCompletion({ ...completion, durationMs: 1_100, status: 'ok' });
      // The interval is a minute: only flush() can have sent them.
      expect(receiver.metricExports).toHaveLength(0);
      await t.flush();
      expect(receiver.metricExports).toHaveLength(1);
      const request = receiver.requests.find((r) => r.path === '/v1/metrics');
      expect(request?.status).toBe(200);
      expect(request?.headers['content-type']).toMatch(/^application\/json/);
      expect(request?.headers['x-api-key']).toBe('k1');

      const metrics = byName(receiver.metricExports[0] as ReceivedMetric[]);
      const duration = metrics.http_server_request_duration_seconds;
      expect(duration).toMatchObject({ kind: 'histogram', unit: 's', temporality: 2, scope: '@tiqology/elite' });
      expect(duration?.resource['service.name']).toBe('chat-api');
      const users = duration?.points.find((p) => p.attributes.route === '/api/users/:id');
      expect(users?.attributes).toEqual({ method: 'GET', route: '/api/users/:id', status_code: '200' });
      expect(users?.explicitBounds).toEqual(HTTP_DURATION_BUCKETS);
      // 3 ms ≤ 5 ms, 40 ms ≤ 50 ms, 700 ms ≤ 1 s, 12 s > 10 s (the +Inf bucket).
      const expected = new Array(HTTP_DURATION_BUCKETS.length + 1).fill(0);
      for (const i of [0, 3, 7, HTTP_DURATION_BUCKETS.length]) expected[i] = 1;
      expect(users?.bucketCounts).toEqual(expected);
      expect(users?.count).toBe(4);
      expect(users?.sum).toBeCloseTo(12.743, 9);

      const cost = metrics.llm_cost_usd_total;
      expect(cost).toMatchObject({ kind: 'sum', monotonic: true, temporality: 2, unit: 'USD' });
      const price = DEFAULT_PRICES['gpt-4o'];
      if (price === undefined) throw new Error('gpt-4o has no default price');
      expect(cost?.points[0]?.value).toBeCloseTo(2 * computeCostUsd(completion, price), 12);
      expect(metrics.llm_tokens_total?.unit).toBe('{token}');
      expect(metrics.http_server_errors_total?.unit).toBe('{request}');
      expect(metrics.llm_time_to_first_token_seconds?.unit).toBe('s');
      expect(metrics.gen_ai_client_token_usage?.unit).toBe('{token}');

      // Every OTLP point equals the Prometheus sample of the same series.
      const prom = promSamples(await t.metrics());
      let compared = 0;
      for (const metric of Object.values(metrics)) {
        for (const point of metric.points) {
          if (metric.kind === 'histogram') {
            expect(prom.get(seriesKey(`${metric.name}_count`, point.attributes))).toBe(point.count);
            expect(prom.get(seriesKey(`${metric.name}_sum`, point.attributes))).toBeCloseTo(point.sum ?? Number.NaN, 9);
            let cumulative = 0;
            (point.explicitBounds ?? []).forEach((bound, i) => {
              cumulative += point.bucketCounts?.[i] ?? 0;
              expect(prom.get(seriesKey(`${metric.name}_bucket`, point.attributes, { le: String(bound) }))).toBe(cumulative);
            });
          } else expect(prom.get(seriesKey(metric.name, point.attributes))).toBe(point.value);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(15);
      // The same families as the exposition, less those without a series yet (OTLP sends no empty metric).
      const promFamilies = new Set([...(await t.metrics()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] as string));
      const withSeries = [...promFamilies].filter((name) =>
        [...prom.keys()].some((key) => key.replace(/_(bucket|sum|count)\{/, '{').startsWith(`${name}{`)),
      );
      expect(withSeries).toContain('llm_cost_usd_total');
      expect(new Set(Object.keys(metrics))).toEqual(new Set(withSeries));

      // Cumulative: a second export carries the totals and the same start times.
      t.recordRequest({ method: 'POST', route: '/api/chat', status: 502, durationMs: 80 });
      await t.flush();
      const second = byName(receiver.metricExports[1] as ReceivedMetric[]);
      const errors = (m: Record<string, ReceivedMetric>) =>
        m.http_server_errors_total?.points.find((p) => p.attributes.status_code === '502');
      expect(errors(second)?.value).toBe(2);
      expect(errors(second)?.startTimeUnixNano).toBe(errors(metrics)?.startTimeUnixNano);
      expect(BigInt(errors(second)?.timeUnixNano ?? 0)).toBeGreaterThan(BigInt(errors(metrics)?.timeUnixNano ?? 0));
    } finally {
      await t.shutdown();
      await receiver.close();
    }
  });

  it('is configured by the standard OTEL_* variables: exporter, endpoint, interval, headers, service name', async () => {
    const receiver = await startOtlpReceiver();
    process.env.OTEL_METRICS_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${receiver.url}/v1/metrics`;
    process.env.OTEL_METRIC_EXPORT_INTERVAL = '150';
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-team=env-team';
    process.env.OTEL_SERVICE_NAME = 'from-env';
    const t = createTelemetry();
    try {
      t.recordRequest({ route: '/health', status: 200, durationMs: 1 });
      expect((await t.init()).otlpMetrics).toBe(true);
      const started = Date.now();
      // Two periodic exports, without flush().
      await receiver.next();
      await receiver.next();
      expect(Date.now() - started).toBeLessThan(5_000);
      const metrics = byName(receiver.metricExports[0] as ReceivedMetric[]);
      expect(metrics.http_server_request_duration_seconds?.resource['service.name']).toBe('from-env');
      expect(receiver.requests.find((r) => r.path === '/v1/metrics')?.headers['x-team']).toBe('env-team');
    } finally {
      await t.shutdown();
      await receiver.close();
    }
    delete process.env.OTEL_METRICS_EXPORTER;
    const off = createTelemetry();
    expect((await off.init({ otlp: { endpoint: receiver.url } })).otlpMetrics).toBe(false);
    await off.shutdown();
    process.env.OTEL_METRIC_EXPORT_INTERVAL = 'soon';
    await expect(createTelemetry().init({ otlpMetrics: true })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(() => createTelemetry().init({ otlpMetrics: { intervalMs: 0 } })).toThrow(/otlpMetrics.intervalMs must be a whole number > 0/);
  });

  it('the receiver decodes protobuf as the real OTLP encoder writes it, and rejects what a collector would', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const { all } = createMetricFamilies(10, resolveSeriesPolicy({}));
      const duration = all.find((f) => f.name === 'http_server_request_duration_seconds');
      duration?.at(['GET', '/a', '200']);
      const counter = all.find((f) => f.name === 'llm_cost_usd_total');
      const series = counter?.at(['openai', 'gpt-4o']) as { value: number } | undefined;
      if (series) series.value = 0.25;
      const scope = await toScopeMetrics(all, { DataPointType, AggregationTemporality }, 'test', Date.now() - 1000);
      const resourceMetrics = { resource: resourceFromAttributes({ 'service.name': 'proto' }), scopeMetrics: [scope] } as never;
      const post = (body: Uint8Array | string, type: string) =>
        fetch(`${receiver.url}/v1/metrics`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: typeof body === 'string' ? body : Buffer.from(body),
        }).then((r) => r.status);
      const protobuf = ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array;
      expect(await post(protobuf, 'application/x-protobuf')).toBe(200);
      expect(await post(JsonMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array, 'application/json')).toBe(200);
      const [fromProto, fromJson] = receiver.metricExports;
      expect(fromProto).toEqual(fromJson);
      expect(byName(fromProto ?? []).llm_cost_usd_total?.points[0]?.value).toBe(0.25);
      expect(byName(fromProto ?? []).http_server_request_duration_seconds?.points[0]?.bucketCounts?.length).toBe(
        HTTP_DURATION_BUCKETS.length + 1,
      );

      expect(await post(protobuf.subarray(0, protobuf.length - 3), 'application/x-protobuf')).toBe(400);
      expect(await post('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x"}]}]}]}', 'application/json')).toBe(400);
      const badHistogram = {
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'h',
                    histogram: {
                      aggregationTemporality: 2,
                      dataPoints: [
                        { startTimeUnixNano: '1', timeUnixNano: '2', count: '3', bucketCounts: ['1', '1'], explicitBounds: [1] },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      expect(await post(JSON.stringify(badHistogram), 'application/json')).toBe(400);
      expect(await post('{}', 'text/plain')).toBe(415);
      expect(receiver.metricExports).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
