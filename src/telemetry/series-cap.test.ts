/** Which series survive the per-metric cap: configured ones, recently active ones; ids and e-mails out of routes. */
import { describe, expect, it } from 'vitest';
import { createTelemetry, routeLabel } from './index.js';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
const quiet = { warn: () => {}, error: () => {} };
const errorsOf = (route: string) => `http_server_errors_total{method="GET",route="${route}",status_code="500"}`;
const junk = (i: number) => `/junk-${i.toString(36)}x/page`;

describe('series cap', () => {
  it('after a flood of 10k junk routes, a configured route keeps its own series', async () => {
    let clock = 1_000_000;
    const t = createTelemetry({ logger: quiet, now: () => clock, keepSeries: { routes: ['/api/chat'], models: ['gpt-4o'] } });
    for (let i = 0; i < 10_000; i++) {
      t.recordRequest({ route: junk(i), status: 500, durationMs: 1 });
      t.recordCompletion({ provider: 'p', model: `junk-${i}`, inputTokens: 1, outputTokens: 1, durationMs: 1, status: 'ok', costUsd: 0 });
      clock += 1;
    }
    t.recordRequest({ route: '/api/chat', status: 500, durationMs: 1 });
    t.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 3, outputTokens: 2, durationMs: 1, status: 'ok' });
    const text = await t.metrics();
    expect(sample(text, errorsOf('/api/chat'))).toBe(1);
    expect(sample(text, 'llm_tokens_total{provider="openai",model="gpt-4o",type="input"}')).toBe(3);
    expect(text.split('\n').filter((l) => l.startsWith('http_server_errors_total{')).length).toBeLessThanOrEqual(202);
  });

  it('a route active during the flood keeps its series; one first seen after the flood went idle gets one too', async () => {
    let clock = 1_000_000;
    const t = createTelemetry({ logger: quiet, now: () => clock, maxSeriesPerMetric: 50, seriesIdleMs: 60_000 });
    for (let i = 0; i < 10_000; i++) {
      if (i % 100 === 0) t.recordRequest({ route: '/api/chat', status: 500, durationMs: 1 });
      t.recordRequest({ route: junk(i), status: 500, durationMs: 1 });
      clock += 1;
    }
    let text = await t.metrics();
    expect(sample(text, errorsOf('/api/chat'))).toBe(100);
    // Before: a route first seen once the family was full went to _overflow for good.
    clock += 60_000;
    t.recordRequest({ route: '/api/models', status: 500, durationMs: 1 });
    t.recordRequest({ route: '/api/chat', status: 500, durationMs: 1 });
    text = await t.metrics();
    expect(sample(text, errorsOf('/api/models'))).toBe(1);
    expect(sample(text, errorsOf('/api/chat'))).toBe(101);
    expect(t.stats().evictedSeries).toBeGreaterThan(0);
    expect(sample(text, 'elite_telemetry_dropped_total{reason="series_evicted"}')).toBe(t.stats().evictedSeries);
  });

  it('eviction folds counts into _overflow: the family total never decreases', async () => {
    let clock = 0;
    const t = createTelemetry({ logger: quiet, now: () => clock, maxSeriesPerMetric: 5, seriesIdleMs: 1_000 });
    const total = async () =>
      (await t.metrics())
        .split('\n')
        .filter((l) => l.startsWith('http_server_errors_total{'))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    let previous = 0;
    for (let i = 0; i < 40; i++) {
      t.recordRequest({ route: `/r${String.fromCharCode(97 + (i % 26))}${i}`, status: 500, durationMs: 1 });
      clock += 400;
      const now = await total();
      expect(now).toBe(previous + 1);
      previous = now;
    }
    expect(t.stats().evictedSeries).toBeGreaterThan(0);
  });

  it('checks keepSeries and seriesIdleMs', () => {
    expect(() => createTelemetry({ keepSeries: { routes: [1] } as never })).toThrow(/keepSeries\.routes/);
    expect(() => createTelemetry({ keepSeries: 'x' as never })).toThrow(/keepSeries/);
    expect(() => createTelemetry({ seriesIdleMs: -1 })).toThrow(/seriesIdleMs/);
  });
});

describe('routeLabel', () => {
  it.each([
    ['/users/a@b.com/x', '/users/:email/x'],
    ['/users/first.last%40example.co.uk/orders', '/users/:email/orders'],
    ['/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/orders/:id'],
    ['/commits/a1b2c3d4', '/commits/:id'],
    ['/objects/507f1f77bcf86cd799439011/raw', '/objects/:id/raw'],
    ['/api/chat/3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b', '/api/chat/:id'],
    ['/api/users/12345?token=abc', '/api/users/:id'],
    ['/api/chat', '/api/chat'],
    ['/api/v1/deadbeef', '/api/v1/deadbeef'],
  ])('%s → %s', (path, label) => {
    expect(routeLabel(path)).toBe(label);
  });
});
