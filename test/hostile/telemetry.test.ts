/**
 * Hostile input for every public telemetry entry point: recording never throws, option checks
 * throw only `EliteError`, handlers answer, notifiers resolve; each call within a time bound and
 * no unhandled rejection.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EliteError } from '../../src/internal/errors.js';
import { createTelemetry, telemetry as shared, type Telemetry } from '../../src/telemetry/index.js';

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
  expect(rejections).toEqual([]);
});

const quiet = { warn: () => {}, error: () => {}, info: () => {} };

/** Runs `fn` within `limitMs`; with `mayThrow` it may throw an EliteError (an option check), else nothing at all. */
function bounded<T>(limitMs: number, fn: () => T, mayThrow = false): T | EliteError {
  const started = performance.now();
  let result: T | EliteError;
  try {
    result = fn();
  } catch (error) {
    if (!mayThrow || !(error instanceof EliteError)) throw error;
    result = error;
  }
  expect(performance.now() - started).toBeLessThan(limitMs);
  return result;
}
async function boundedAsync<T>(limitMs: number, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  expect(performance.now() - started).toBeLessThan(limitMs);
  return result;
}

const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.MAX_VALUE, -0, 1e308, Number.NaN), fc.anything({ maxDepth: 0 }));
const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.anything({ maxDepth: 0 }));
const completion = fc.record(
  {
    provider: text,
    model: text,
    inputTokens: number,
    outputTokens: number,
    cachedInputTokens: number,
    reasoningTokens: number,
    durationMs: number,
    timeToFirstTokenMs: number,
    status: fc.oneof(fc.constantFrom('ok', 'error', 'rate_limited', 'cancelled'), text),
    costUsd: number,
  },
  { requiredKeys: [] },
);
const request = fc.record(
  {
    method: text,
    route: fc.oneof(
      text,
      fc.webUrl(),
      fc.string({ maxLength: 2000 }),
      fc.emailAddress().map((e) => `/users/${e}/x`),
    ),
    status: number,
    durationMs: number,
    error: fc.anything({ maxDepth: 0 }),
  },
  { requiredKeys: [] },
);
const optionsOf = fc.record(
  {
    prices: fc.anything({ maxDepth: 2 }),
    captureContent: fc.anything({ maxDepth: 0 }),
    maxSeriesPerMetric: number,
    seriesIdleMs: number,
    keepSeries: fc.oneof(
      fc.record({ routes: fc.array(text, { maxLength: 3 }), models: fc.array(text, { maxLength: 3 }) }),
      fc.anything({ maxDepth: 1 }),
    ),
    alerts: fc.oneof(
      fc.constant(false),
      fc.dictionary(fc.constantFrom('windowMs', 'evaluateIntervalMs', 'errorRate', 'minRequests', 'p95LatencyMs', 'cacheHitRatio'), number),
    ),
    shutdownTimeoutMs: number,
    defaultMetrics: fc.boolean(),
    now: fc.constant(() => 1_000),
  },
  { requiredKeys: [] },
);
const RUNS = { numRuns: 150 };

describe('telemetry entry points on hostile input', () => {
  const t = createTelemetry({ logger: quiet, maxSeriesPerMetric: 30 });

  it('recordCompletion and recordRequest never throw and return within 200 ms', () => {
    fc.assert(
      fc.property(fc.oneof(completion, fc.anything()), fc.oneof(request, fc.anything()), (c, r) => {
        bounded(200, () => t.recordCompletion(c as never));
        bounded(200, () => t.recordRequest(r as never));
      }),
      { numRuns: 500 },
    );
  });

  it('trace returns what fn returns, whatever the name and attributes, within 200 ms', () => {
    fc.assert(
      fc.property(text, fc.anything({ maxDepth: 1 }), fc.anything({ maxDepth: 1 }), (name, attributes, value) => {
        expect(bounded(200, () => t.trace(name as never, () => value, attributes as never))).toBe(value);
      }),
      RUNS,
    );
  });

  it('createTelemetry options: an instance or an EliteError, within 200 ms', () => {
    fc.assert(
      fc.property(fc.oneof(optionsOf, fc.anything({ maxDepth: 1 })), (options) => {
        const made = bounded(200, () => createTelemetry({ logger: quiet, ...(options as object) }), true);
        if (made instanceof EliteError) return;
        bounded(200, () => made.recordRequest({ route: '/x', status: 200, durationMs: 1 }));
        bounded(200, () => made.snapshot());
      }),
      RUNS,
    );
  });

  it('telemetry.configure options: applied or an EliteError, within 200 ms', () => {
    fc.assert(
      fc.property(fc.oneof(optionsOf, fc.anything({ maxDepth: 1 })), (options) => {
        bounded(200, () => shared.configure({ logger: quiet, ...(options as object) }), true);
        bounded(200, () => shared.recordRequest({ route: '/x', status: 200, durationMs: 1 }));
      }),
      { numRuns: 50 },
    );
    shared.configure({ logger: quiet });
  });

  it('the metrics handlers answer any request within 1 s and never reject', async () => {
    const node = t.metricsHandler();
    const web = t.webMetricsHandler();
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 1 }), async (req) => {
        const res = { statusCode: 0, setHeader: () => undefined, end: () => undefined };
        await boundedAsync(1_000, () => node(req as never, res));
        expect([200, 500]).toContain(res.statusCode);
        const response = await boundedAsync(1_000, () => web(req as never));
        expect([200, 500]).toContain(response.status);
      }),
      { numRuns: 20 },
    );
  });

  it('Discord options: a notifier or an EliteError; sends resolve whatever fetch does; close is bounded', async () => {
    const fetches: (typeof fetch)[] = [
      () => {
        throw new Error('sync');
      },
      () => Promise.reject(new TypeError('network')),
      () => Promise.resolve({} as Response),
      () => Promise.resolve(new Response('not json', { status: 500 })),
      () => Promise.resolve(new Response('{"retry_after":1e9}', { status: 429 })),
      () => new Promise<Response>(() => {}),
    ];
    let created = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            webhookUrl: fc.constant('https://discord.com/api/webhooks/1/tok-en'),
            intervalMs: fc.constant(0),
            maxAttempts: fc.constantFrom(1, 2),
            requestTimeoutMs: fc.constantFrom(10, 30),
            maxQueue: fc.constantFrom(1, 5),
            username: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
            wait: fc.boolean(),
            onError: fc.constantFrom(undefined, () => {
              throw new Error('onError throws');
            }),
          }),
          fc.record(
            {
              webhookUrl: fc.oneof(fc.constant('https://discord.com/api/webhooks/1/tok-en'), text),
              intervalMs: number,
              maxAttempts: fc.constantFrom(1, 2),
              maxRetryAfterMs: number,
              maxQueue: number,
              requestTimeoutMs: fc.oneof(fc.constant(30), number),
              closeTimeoutMs: fc.oneof(fc.constant(50), number),
              username: text,
              wait: fc.anything({ maxDepth: 0 }),
              onError: fc.constantFrom(undefined, () => {
                throw new Error('onError throws');
              }),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.constantFrom(...fetches),
        fc.anything({ maxDepth: 2 }),
        async (options, doFetch, payload) => {
          const telemetry: Telemetry = createTelemetry({ logger: quiet, alerts: false });
          const notifier = bounded(200, () => telemetry.discord({ ...options, fetch: doFetch } as never), true);
          if (notifier instanceof EliteError) return;
          created++;
          const sent = notifier.send(payload as never);
          await boundedAsync(1_000, () => notifier.close(50));
          const result = await sent;
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.error.message).not.toContain('tok-en');
        },
      ),
      { numRuns: 40 },
    );
    expect(created).toBeGreaterThan(5);
  });
});
