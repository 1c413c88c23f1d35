/** Discord delivery against a Discord-protocol webhook server on 127.0.0.1. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEliteError } from '../../src/internal/errors.js';
import { createTelemetry, type DiscordPayload, fitToDiscordLimits, redactWebhookUrl } from '../../src/telemetry/index.js';
import { limitProblem, startDiscordServer } from './discord-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const close of closers.splice(0)) await close();
});
const server = async (options?: Parameters<typeof startDiscordServer>[0]) => {
  const s = await startDiscordServer(options);
  closers.push(s.close);
  return s;
};
const capture = () => {
  const lines: string[] = [];
  return { lines, logger: { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), info: (m: string) => lines.push(m) } };
};

const huge: DiscordPayload = {
  content: 'x'.repeat(5000),
  username: 'u'.repeat(200),
  embeds: Array.from({ length: 12 }, (_, i) => ({
    title: `t${i}`.repeat(200),
    description: 'd'.repeat(5000),
    fields: Array.from({ length: 30 }, (_, j) => ({ name: `f${j}`, value: j === 0 ? '' : 'v'.repeat(2000) })),
  })),
};

describe('Discord summaries and alerts', () => {
  it('posts the summary embed (204) with every figure', async () => {
    const s = await server();
    const t = createTelemetry();
    t.recordRequest({ route: '/a', status: 200, durationMs: 120 });
    t.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 1000, outputTokens: 100, durationMs: 900, status: 'ok' });
    const discord = t.discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0 });
    expect(await discord.sendSummary()).toEqual({ ok: true });
    const embed = s.posted[0]?.body.embeds?.[0];
    expect(s.posted[0]?.status).toBe(204);
    expect(embed?.fields?.map((f) => f.name)).toEqual([
      'Requests',
      'Error rate',
      'p95 latency',
      'Completions',
      'Tokens',
      'Cost per hour',
      'Flag cache-hit ratio',
      'Active alerts',
    ]);
    expect(embed?.fields?.find((f) => f.name === 'Tokens')?.value).toBe('1100');
    expect(embed?.fields?.find((f) => f.name === 'Active alerts')?.value).toBe('none');
  });

  it('with wait: true gets the message back (200)', async () => {
    const s = await server();
    const discord = createTelemetry().discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0, wait: true });
    const result = await discord.send({ content: 'hello' });
    expect(result.ok && result.messageId).toMatch(/^\d{19}$/);
    expect(s.posted[0]).toMatchObject({ wait: true, status: 200 });
  });

  it('on 429 waits retry_after and retries', async () => {
    const s = await server({ rateLimitFirst: 2, retryAfterSeconds: 0.05 });
    const discord = createTelemetry().discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0 });
    expect(await discord.send({ content: 'hi' })).toEqual({ ok: true });
    expect(s.posted.map((p) => p.status)).toEqual([429, 429, 204]);
    expect((s.posted[1]?.at ?? 0) - (s.posted[0]?.at ?? 0)).toBeGreaterThanOrEqual(45);
    expect(discord.stats()).toMatchObject({ sent: 1, retries: 2, failed: 0 });
  });

  it('gives up on a retry_after longer than maxRetryAfterMs', async () => {
    const s = await server({ rateLimitFirst: 5, retryAfterSeconds: 30 });
    const discord = createTelemetry({ logger: capture().logger }).discord({
      webhookUrl: `${s.base}/good-token`,
      intervalMs: 0,
      maxRetryAfterMs: 1000,
    });
    const result = await discord.send({ content: 'hi' });
    expect(result.ok).toBe(false);
    expect(s.posted).toHaveLength(1);
  });

  it('on 404 stops, reports once without the token, and never retries', async () => {
    const s = await server();
    const { lines, logger } = capture();
    const errors: Error[] = [];
    const url = `${s.base}/deleted-webhook-secret-token`;
    const discord = createTelemetry({ logger }).discord({ webhookUrl: url, intervalMs: 0, onError: (e) => errors.push(e) });
    const first = await discord.send({ content: 'one' });
    expect(first.ok).toBe(false);
    expect(!first.ok && isEliteError(first.error, 'DELIVERY_FAILED')).toBe(true);
    expect(!first.ok && first.error.message).toMatch(/404 Unknown Webhook \(code 10015\); the notifier stopped/);
    expect(discord.stopped).toBe(true);
    expect((await discord.send({ content: 'two' })).ok).toBe(false);
    expect(s.posted).toHaveLength(1);
    expect(discord.stats()).toMatchObject({ dropped: 1 });
    for (const text of [...lines, ...errors.map((e) => `${e.message} ${String(e.cause ?? '')}`)]) {
      expect(text).not.toContain('deleted-webhook-secret-token');
      expect(text).not.toContain(url);
    }
    expect(errors[0]?.message).toContain('…/webhooks/123456789012345678/***');
  });

  it('on 401 stops too', async () => {
    const s = await server();
    const discord = createTelemetry({ logger: capture().logger }).discord({ webhookUrl: `${s.base}/unauthorized`, intervalMs: 0 });
    expect((await discord.send({ content: 'x' })).ok).toBe(false);
    expect(discord.stopped).toBe(true);
  });

  it('on 400 reports Discord’s message and does not retry', async () => {
    const s = await server();
    const discord = createTelemetry({ logger: capture().logger }).discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0 });
    const result = await discord.send({});
    expect(!result.ok && result.error.message).toMatch(/400 Cannot send an empty message \(code 50006\)/);
    expect(s.posted).toHaveLength(1);
    expect(discord.stopped).toBe(false);
  });

  it('cuts any payload to Discord’s limits, which the server checks on its own', async () => {
    expect(limitProblem(huge as never)).toBeDefined(); // the server would reject it as is
    const fitted = fitToDiscordLimits(huge);
    expect(limitProblem(fitted as never)).toBeUndefined();
    expect(fitted.content).toHaveLength(2000);
    // 6,000 characters across embeds leave room for one embed of this size, fields trimmed.
    expect(fitted.embeds?.length).toBe(1);
    expect(fitToDiscordLimits({ embeds: Array.from({ length: 12 }, (_, i) => ({ title: `e${i}` })) }).embeds).toHaveLength(10);
    expect(
      fitToDiscordLimits({ embeds: [{ fields: Array.from({ length: 30 }, () => ({ name: 'n', value: 'v' })) }] }).embeds?.[0]?.fields,
    ).toHaveLength(25);
    const s = await server();
    const discord = createTelemetry().discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0 });
    expect(await discord.send(huge)).toEqual({ ok: true });
    expect(s.posted[0]?.status).toBe(204);
  });

  it('posts alert transitions and summaries on its timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const s = await server();
    const t = createTelemetry();
    const discord = t.discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 300_000 });
    for (let i = 0; i < 40; i++) t.recordRequest({ route: '/a', status: i % 2 ? 500 : 200, durationMs: 5 });
    t.evaluateAlerts();
    await discord.flush();
    expect(s.posted[0]?.body.embeds?.[0]?.title).toBe('🔴 FIRING: HighErrorRate');
    vi.advanceTimersByTime(300_000);
    await discord.flush();
    const summary = s.posted[1]?.body.embeds?.[0];
    expect(summary?.title).toMatch(/^Telemetry summary/);
    expect(summary?.fields?.find((f) => f.name === 'Active alerts')?.value).toMatch(/HighErrorRate: error rate 50\.0 %/);
    await t.shutdown();
    vi.advanceTimersByTime(600_000);
    expect(s.posted).toHaveLength(2);
  });

  it('checks its options without echoing the URL', () => {
    const t = createTelemetry();
    let error: unknown;
    try {
      t.discord({ webhookUrl: 'https://example.com/not-a-webhook/secret' });
    } catch (e) {
      error = e;
    }
    expect(isEliteError(error, 'INVALID_OPTIONS')).toBe(true);
    expect((error as Error).message).not.toContain('secret');
    expect(() => t.discord({ webhookUrl: 'https://discord.com/api/webhooks/1/abc', intervalMs: -1 })).toThrow(/intervalMs/);
    expect(redactWebhookUrl('https://discord.com/api/webhooks/1/abc?wait=true')).toBe('…/webhooks/1/***');
  });
});

describe('a webhook that accepts the connection and never answers', () => {
  it('fails each attempt at requestTimeoutMs instead of the runtime default (minutes)', async () => {
    const s = await server({ hang: true });
    const log = capture();
    const discord = createTelemetry({ logger: log.logger }).discord({
      webhookUrl: `${s.base}/good-token`,
      intervalMs: 0,
      requestTimeoutMs: 100,
      maxAttempts: 1,
    });
    const started = performance.now();
    const result = await discord.send({ content: 'hello' });
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('DELIVERY_FAILED');
    expect(!result.ok && result.error.message).toMatch(/no answer within requestTimeoutMs \(100 ms\)/);
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(2_000);
    expect(s.posted).toHaveLength(1);
    expect(log.lines.join('\n')).not.toContain('good-token');
  });

  it('shutdown() returns by shutdownTimeoutMs; the request under way and the queue are dropped and counted', async () => {
    const s = await server({ hang: true });
    const log = capture();
    const t = createTelemetry({ logger: log.logger, shutdownTimeoutMs: 200 });
    const discord = t.discord({ webhookUrl: `${s.base}/good-token`, intervalMs: 0, requestTimeoutMs: 60_000 });
    const results = [discord.send({ content: 'a' }), discord.send({ content: 'b' }), discord.send({ content: 'c' })];
    const started = performance.now();
    await t.shutdown();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    const settled = await Promise.all(results);
    expect(settled.every((r) => !r.ok && /dropped at close/.test(r.error.message))).toBe(true);
    expect(discord.stats()).toMatchObject({ sent: 0, dropped: 3 });
    expect(log.lines.join('\n')).toMatch(/close\(\) waited 200 ms; 3 message\(s\) dropped/);
    expect(log.lines.join('\n')).not.toContain('good-token');
  });

  it('checks requestTimeoutMs, closeTimeoutMs and shutdownTimeoutMs', () => {
    const webhookUrl = 'https://discord.com/api/webhooks/1/abc';
    expect(() => createTelemetry().discord({ webhookUrl, requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => createTelemetry().discord({ webhookUrl, closeTimeoutMs: -1 })).toThrow(/closeTimeoutMs/);
    expect(() => createTelemetry({ shutdownTimeoutMs: Number.NaN })).toThrow(/shutdownTimeoutMs/);
  });
});

describe('fitToDiscordLimits', () => {
  it('always produces a payload Discord accepts (property)', async () => {
    const fc = await import('fast-check');
    const text = (max: number) => fc.string({ maxLength: max });
    const embed = fc.record(
      {
        title: text(400),
        description: text(6000),
        fields: fc.array(fc.record({ name: text(300), value: text(1500), inline: fc.boolean() }), { maxLength: 40 }),
        footer: fc.record({ text: text(2500) }),
        author: fc.record({ name: text(300) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.record({ content: text(3000), username: text(100), embeds: fc.array(embed, { maxLength: 14 }) }, { requiredKeys: [] }),
        (payload) => {
          expect(limitProblem(fitToDiscordLimits(payload) as never)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
