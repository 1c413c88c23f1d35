import { describe, expect, it } from 'vitest';
import { createTelemetry } from './telemetry.js';

describe('per-variant request metrics', () => {
  it('counts requests of the listed flags by variant and status class, with latency sums and squares', async () => {
    const t = createTelemetry({ attribution: { flags: ['new-checkout'] }, defaultMetrics: false });
    t.recordRequest({ route: '/pay', status: 200, durationMs: 100, flags: { 'new-checkout': 'on', other: 'x' } });
    t.recordRequest({ route: '/pay', status: 503, durationMs: 300, flags: { 'new-checkout': 'on' } });
    t.recordRequest({ route: '/pay', status: 200, durationMs: 50, error: true, flags: { 'new-checkout': 'off' } });
    // From the attribution scope when the record carries none.
    t.withAttribution({ flags: { 'new-checkout': 'off' } }, () => t.recordRequest({ route: '/pay', status: 404, durationMs: 20 }));
    const text = await t.metrics();
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="on",status_class="2xx"} 1');
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="on",status_class="5xx"} 1');
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="off",status_class="error"} 1');
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="off",status_class="4xx"} 1');
    expect(text).toContain('http_variant_latency_ms_sum{flag="new-checkout",variant="on"} 400');
    expect(text).toContain('http_variant_latency_ms_squares_sum{flag="new-checkout",variant="on"} 100000');
    expect(text).toContain('http_variant_latency_ms_sum{flag="new-checkout",variant="off"} 70');
    expect(text).not.toContain('flag="other"');
  });

  it('labels nothing when no flag is listed (bounded cardinality)', async () => {
    const t = createTelemetry({ defaultMetrics: false });
    t.recordRequest({ route: '/pay', status: 200, durationMs: 100, flags: { 'new-checkout': 'on' } });
    expect(await t.metrics()).not.toMatch(/http_variant_requests_total\{/);
  });

  it('adds the LLM cost per request by variant, sum and squares, once a request reports costUsd; a bad cost drops the record', async () => {
    const t = createTelemetry({
      attribution: { flags: ['new-checkout'] },
      defaultMetrics: false,
      logger: { warn: () => {}, error: () => {} },
    });
    t.recordRequest({ route: '/chat', status: 200, durationMs: 10, flags: { 'new-checkout': 'on' } });
    expect(await t.metrics()).not.toMatch(/http_variant_cost_usd_sum\{/);
    t.recordRequest({ route: '/chat', status: 200, durationMs: 10, costUsd: 0.5, flags: { 'new-checkout': 'on', other: 'x' } });
    t.recordRequest({ route: '/chat', status: 200, durationMs: 10, costUsd: 0.25, flags: { 'new-checkout': 'on' } });
    t.recordRequest({ route: '/chat', status: 200, durationMs: 10, costUsd: 0.1, flags: { 'new-checkout': 'off' } });
    t.recordRequest({ route: '/chat', status: 200, durationMs: 10, costUsd: -1, flags: { 'new-checkout': 'off' } });
    const text = await t.metrics();
    expect(text).toContain('http_variant_cost_usd_sum{flag="new-checkout",variant="on"} 0.75');
    expect(text).toContain('http_variant_cost_usd_squares_sum{flag="new-checkout",variant="on"} 0.3125');
    expect(text).toContain('http_variant_cost_usd_sum{flag="new-checkout",variant="off"} 0.1');
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="on",status_class="2xx"} 3');
    expect(text).toContain('http_variant_requests_total{flag="new-checkout",variant="off",status_class="2xx"} 1');
    expect(text).not.toContain('flag="other"');
  });
});
